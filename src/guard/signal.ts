// Signals a victim only if it is still the same process: Node has no pidfd_send_signal binding,
// so the start time is re-read right before kill(2); a reused pid has a different start time.
import { readPidStat } from '../sys/readProc.ts';
import type { Candidate } from './victim.ts';

export type KillFunction = (pid: number, signal: NodeJS.Signals) => void;

export type SignalOutcome = { result: 'sent'; targets: number[] } | { result: 'gone' } | { result: 'failed'; error: string };

export interface SignalContext {
  procRoot: string;
  kill: KillFunction;
  // -g: signal the victim's whole process group.
  processGroup: boolean;
  ownPgid: number;
  // In cgroup mode only members of the cgroup may be signalled, group or not.
  cgroupPids?: () => number[];
}

// The victim is the process we chose while its pid runs with the same start time and it has not
// finished exiting. A zombie leader whose other threads still run (num_threads > 1) is still
// tearing its memory down: only a zombie left alone (or no process at all) has released it.
export function isSameLiveProcess(victim: Candidate, procRoot: string): boolean {
  const stat = readPidStat(victim.pid, procRoot);
  if (stat === undefined || stat.startTimeTicks !== victim.startTimeTicks) return false;
  const exited = stat.state === 'Z' || stat.state === 'X';
  return !exited || stat.numThreads > 1;
}

function groupTargets(victim: Candidate, context: SignalContext): number[] | 'group' {
  if (!context.processGroup || victim.pgid <= 1 || victim.pgid === context.ownPgid) return [victim.pid];
  if (!context.cgroupPids) return 'group';
  // Never kill(-pgid) in cgroup mode: the group may reach outside the cgroup.
  const members = context.cgroupPids().filter((pid) => readPidStat(pid, context.procRoot)?.pgid === victim.pgid);
  return members.includes(victim.pid) ? members : [victim.pid, ...members];
}

export function signalVictim(victim: Candidate, signal: NodeJS.Signals, context: SignalContext): SignalOutcome {
  if (!isSameLiveProcess(victim, context.procRoot)) return { result: 'gone' };
  const targets = groupTargets(victim, context);
  try {
    if (targets === 'group') {
      context.kill(-victim.pgid, signal);
      return { result: 'sent', targets: [-victim.pgid] };
    }
    for (const pid of targets) {
      try {
        context.kill(pid, signal);
      } catch (error) {
        // A group member that exited meanwhile is fine; the victim itself is checked below.
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH' || pid === victim.pid) throw error;
      }
    }
    return { result: 'sent', targets };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return { result: 'gone' };
    return { result: 'failed', error: `kill(${victim.pid}, ${signal}) failed: ${code ?? (error as Error).message}` };
  }
}
