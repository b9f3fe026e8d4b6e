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
  --events-file PATH        also append every event but reports as JSON lines
                            to PATH (rotated to PATH.1 at 16 MiB); the daemon
                            (hostguard serve) follows this file
  --proc-root PATH          read processes and memory from PATH instead of /proc

Graduated response (slow the offenders down before anything is killed):
  --graduated               levels WARNING/CRITICAL/EMERGENCY on memory used of
                            the budget: renice, throttle, pause; kill only at
                            the limits above; everything restored at NORMAL
  --policy NAME             competing targets: leader-first (default; the others
                            wait from WARNING), tiered (the leader one level
                            milder than the others) or table (all alike)
  --levels W,C,E            level thresholds in % of the budget (default 60,75,85)
  --max-memory MIB          the budget (default 0: the cgroup limit with
                            --cgroup, else 75 % of MemTotal)
  --check-interval SECONDS  growth window, throttle step, longest poll (default 1)
  --max-pause SECONDS       longest single pause (default 2)
  --min-duty PERCENT        run time between pauses, never 0 (default 10)
  --throttle REGEX          targets: processes whose name or command line match
                            (default: the top memory growers)
  --throttle-cgroup PATH    target a cgroup (CPU quota, freezer); repeatable
  --release-signal SIGNAL   sent to targets at WARNING (e.g. SIGUSR1)
  --ledger PATH             record of stopped and throttled targets, repaired
                            at the next start (default /run/hostguard/...)
  --protect MODE            resource protector: dev, test or prod
  --protected LIST          never touched: NAME, user:NAME, cgroup:/PATH, comma-
                            separated; repeatable
  --config FILE             TOML file with [memory] and [protect] sections (the
                            flags win)

Environment (the command line wins): OOM_GUARD_MEM_THRESHOLD (-m),
OOM_GUARD_SWAP_THRESHOLD (-s), OOM_GUARD_PREFER, OOM_GUARD_AVOID, OOM_GUARD_IGNORE,
OOM_GUARD_NOTIFY (-n), OOM_GUARD_DRY_RUN (--dryrun): booleans take 1/0, true/false,
yes/no, on/off. OOM_GUARD_SYSLOG_SOCKET: the syslog socket for --syslog
(default /dev/log).

Exit codes: 0 stopped by SIGTERM/SIGINT, 1 cannot read memory, 6 bad regex,
13 unknown option or extra argument, 14 bad -r or --term-timeout,
15 bad -m/-M, 16 bad -s/-S, 17 bad --psi, 18 bad --cgroup,
19 bad graduated or protector setting (flag or --config file).
`;
}
