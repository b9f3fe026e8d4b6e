// The guard's --help text: earlyoom's options first, then hostguard's own.
export function guardHelp(): string {
  return `Usage: hostguard guard [OPTION]...     (also: oom-guard [OPTION]...)

An OOM guard that acts before the kernel OOM killer; the options are earlyoom's.

  -m PERCENT[,KILL_PERCENT] set available memory minimum to PERCENT of total
                            (default 10 %).
                            SIGTERM is sent once below PERCENT, then SIGKILL
                            once below KILL_PERCENT (default PERCENT/2).
  -s PERCENT[,KILL_PERCENT] set free swap minimum to PERCENT of total (default
                            10 %).
                            Note: both memory and swap must be below minimum for
                            the guard to act.
  -M SIZE[,KILL_SIZE]       set available memory minimum to SIZE KiB
  -S SIZE[,KILL_SIZE]       set free swap minimum to SIZE KiB
  -n                        enable d-bus notifications
  -N /PATH/TO/SCRIPT        call script after oom kill
  -P /PATH/TO/SCRIPT        call script before oom kill (waited for at most 200 ms)
  -g                        kill all processes within a process group
  -d, --debug               enable debugging messages
  -v, --version             print version information and exit
  -r INTERVAL               memory report interval in seconds (default 1), set
                            to 0 to disable completely
  -p                        set niceness of the guard to -20 and oom_score_adj to
                            -100
  --ignore-root-user        do not kill processes owned by root
  --sort-by-rss             find process with the largest rss (default oom_score)
  --prefer REGEX            prefer to kill processes matching REGEX
  --avoid REGEX             avoid killing processes matching REGEX
  --ignore REGEX            ignore processes matching REGEX
  --dryrun                  dry run (do not kill any processes)
  --syslog                  use syslog instead of std streams
  -h, --help                this help text

hostguard's own options:
  --term-timeout SECONDS    send SIGKILL if the victim has not exited this long
                            after SIGTERM (default 5)
  --cgroup PATH             guard one memory cgroup (v1 or v2): thresholds apply
                            to its limit minus its working set, and victims come
                            only from inside it. PATH is a directory under
                            /sys/fs/cgroup or a path in the memory hierarchy
  --psi FULL[,KILL]         also act when memory pressure 'full avg10' reaches
                            FULL percent (SIGTERM) or KILL percent (SIGKILL,
                            default FULL*2)
  --json                    write one JSON object per event on stdout
  --proc-root PATH          read processes and memory from PATH instead of /proc

Environment (the command line wins): OOM_GUARD_MEM_THRESHOLD (-m),
OOM_GUARD_SWAP_THRESHOLD (-s), OOM_GUARD_PREFER, OOM_GUARD_AVOID, OOM_GUARD_IGNORE,
OOM_GUARD_NOTIFY (-n), OOM_GUARD_DRY_RUN (--dryrun): booleans take 1/0, true/false,
yes/no, on/off. OOM_GUARD_SYSLOG_SOCKET: the syslog socket for --syslog
(default /dev/log).

Exit codes: 0 stopped by SIGTERM/SIGINT, 1 cannot read memory, 6 bad regex,
13 unknown option or extra argument, 14 bad -r or --term-timeout,
15 bad -m/-M, 16 bad -s/-S, 17 bad --psi, 18 bad --cgroup.
`;
}
