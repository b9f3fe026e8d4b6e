// Stop, continue, signal and renice one process, only while its pid still names the process the
// guard chose (same start time): a pid reused by a newcomer is never touched.
import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { isPending, parsePendingSignals } from '../../sys/parsePidSignals.ts';
import { type PidStat, isExiting } from '../../sys/parsePidStat.ts';
import { readSmallFile } from '../../sys/readFile.ts';
import { readPidStat } from '../../sys/readProc.ts';

export interface ProcessIdentity {
  pid: number;
  startTimeTicks: number;
}

export type Outcome = { result: 'ok' } | { result: 'gone' } | { result: 'failed'; error: string };

export interface ProcessOps {
  procRoot: string;
  kill: (pid: number, signal: NodeJS.Signals) => void;
  getNice: (pid: number) => number;
  setNice: (pid: number, nice: number) => void;
}

export function realProcessOps(procRoot: string): ProcessOps {
  return {
    procRoot,
    kill: (pid, signal) => process.kill(pid, signal),
    getNice: (pid) => getPriority(pid),
    setNice: (pid, nice) => setPriority(pid, nice),
  };
}

// The process's stat while it is still the one identified; undefined when gone, reused, a zombie,
// or exiting (killed, and releasing its memory: not a target to stop, continue or renice).
export function currentStat(id: ProcessIdentity, procRoot: string): PidStat | undefined {
  const stat = readPidStat(id.pid, procRoot);
  if (!stat || stat.startTimeTicks !== id.startTimeTicks) return undefined;
  if (stat.state === 'Z' || stat.state === 'X' || isExiting(stat)) return undefined;
  return stat;
}

// 'T' is stopped by a signal, 't' stopped by a tracer.
export function isStopped(stat: PidStat): boolean {
  return stat.state === 'T' || stat.state === 't';
}

const SIGSTOP_NUMBER = 19;

// A SIGSTOP sent but not yet acted on: the task has not run since, or is busy in the kernel.
export function stopPending(pid: number, procRoot: string): boolean {
  const text = readSmallFile(`${procRoot}/${pid}/status`);
  const pending = text === undefined ? undefined : parsePendingSignals(text);
  return pending?.ok === true && isPending(pending.value, SIGSTOP_NUMBER);
}

// true stopped, false running or sleeping, undefined unknown: a task in uninterruptible sleep (D,
// as in a page fault under reclaim) or not yet scheduled since a SIGSTOP takes it a little later.
export function runState(id: ProcessIdentity, procRoot: string): boolean | undefined {
  const stat = currentStat(id, procRoot);
  if (!stat) return undefined;
  if (isStopped(stat)) return true;
  if (stat.state !== 'R' && stat.state !== 'S' && stat.state !== 'I') return undefined;
  return stopPending(id.pid, procRoot) ? undefined : false;
}

function failure(error: unknown, what: string): Outcome {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ESRCH') return { result: 'gone' };
  return { result: 'failed', error: `${what} failed: ${code ?? (error as Error).message}` };
}

export function signalProcess(id: ProcessIdentity, signal: NodeJS.Signals, ops: ProcessOps): Outcome {
  if (!currentStat(id, ops.procRoot)) return { result: 'gone' };
  try {
    ops.kill(id.pid, signal);
    return { result: 'ok' };
  } catch (error) {
    return failure(error, `kill(${id.pid}, ${signal})`);
  }
}

// Thread ids of a process: on Linux setpriority(PRIO_PROCESS, id) changes one thread only.
export function listTasks(pid: number, procRoot: string): number[] {
  try {
    return readdirSync(`${procRoot}/${pid}/task`).map(Number).filter((tid) => Number.isSafeInteger(tid) && tid > 0);
  } catch {
    return [];
  }
}

// Each thread's nice value before a renice, to put back exactly.
export type NiceRecord = Array<[tid: number, nice: number]>;

export function readNice(id: ProcessIdentity, ops: ProcessOps): number | undefined {
  if (!currentStat(id, ops.procRoot)) return undefined;
  try {
    return ops.getNice(id.pid);
  } catch {
    return undefined;
  }
}

// Sets every thread to `nice`; returns what each had, for restoreNice.
export function renice(id: ProcessIdentity, nice: number, ops: ProcessOps): { outcome: Outcome; before: NiceRecord } {
  const before: NiceRecord = [];
  if (!currentStat(id, ops.procRoot)) return { outcome: { result: 'gone' }, before };
  const tids = listTasks(id.pid, ops.procRoot);
  for (const tid of tids.length > 0 ? tids : [id.pid]) {
    try {
      const previous = ops.getNice(tid);
      ops.setNice(tid, nice);
      before.push([tid, previous]);
    } catch (error) {
      // A thread that ended meanwhile is fine; the process itself failing is not.
      if (tid === id.pid) return { outcome: failure(error, `setpriority(${tid}, ${nice})`), before };
    }
  }
  return { outcome: { result: 'ok' }, before };
}

// Puts each recorded thread back; threads born since inherited the lowered value and get the
// main thread's original.
export function restoreNice(id: ProcessIdentity, before: NiceRecord, ops: ProcessOps): Outcome {
  if (!currentStat(id, ops.procRoot)) return { result: 'gone' };
  const recorded = new Map(before);
  const mainNice = recorded.get(id.pid) ?? before[0]?.[1] ?? 0;
  for (const tid of listTasks(id.pid, ops.procRoot)) {
    try {
      ops.setNice(tid, recorded.get(tid) ?? mainNice);
    } catch (error) {
      if (tid === id.pid) return failure(error, `setpriority(${tid}, ${recorded.get(tid) ?? mainNice})`);
    }
  }
  return { result: 'ok' };
}
