// Parser for /proc/PID/stat; the command name may hold spaces, parentheses and newlines.
import { type ParseResult, fail, ok, parseInteger } from './result.ts';

export interface PidStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  pgid: number;
  flags: number;
  utimeTicks: number;
  stimeTicks: number;
  numThreads: number;
  startTimeTicks: number;
  rssPages: number;
}

// PF_KTHREAD from include/linux/sched.h: set on kernel threads only.
const PF_KTHREAD = 0x00200000;
// PF_EXITING: set at the start of do_exit, before the process's memory is released, which can take
// tens of milliseconds for a large process on a busy host. The state field still says R or D then.
const PF_EXITING = 0x00000004;

export function parsePidStat(text: string): ParseResult<PidStat> {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 1 || close < open) return fail('stat: no "(comm)" field');
  const pid = parseInteger(text.slice(0, open));
  if (pid === undefined || pid <= 0) return fail('stat: pid is not a positive integer');
  const comm = text.slice(open + 1, close);
  // Fields after the comm, numbered from 3 (state) as in proc(5).
  const rest = text.slice(close + 1).trim().split(/\s+/);
  if (rest.length < 22) return fail(`stat: expected at least 24 fields, found ${rest.length + 2}`);
  const state = rest[0] ?? '';
  if (!/^[A-Za-z]$/.test(state)) return fail(`stat: state '${state}' is not one letter`);
  const numbers: number[] = [];
  for (let i = 1; i < 22; i++) {
    const value = parseInteger(rest[i] ?? '');
    if (value === undefined) return fail(`stat: field ${i + 3} '${rest[i]}' is not an integer`);
    numbers.push(value);
  }
  const field = (n: number): number => numbers[n - 4] ?? 0;
  return ok({
    pid,
    comm,
    state,
    ppid: field(4),
    pgid: field(5),
    flags: field(9),
    utimeTicks: field(14),
    stimeTicks: field(15),
    numThreads: field(20),
    startTimeTicks: field(22),
    rssPages: field(24),
  });
}

// PF_KTHREAD alone decides. "pid 2 or parent 2" is wrong twice: in a PID namespace pid 2 is an
// ordinary process, and usermode helpers (core dump pipes, modprobe) are user processes whose
// parent is kthreadd (kernel/umh.c starts them with CLONE_PARENT from a kworker).
export function isKernelThread(stat: PidStat): boolean {
  return (stat.flags & PF_KTHREAD) !== 0;
}

// The process is dying: signals no longer matter to it, and its memory is on its way back.
export function isExiting(stat: PidStat): boolean {
  return (stat.flags & PF_EXITING) !== 0;
}
