// Signalling a process from the table, after the person confirmed: only the very process that was
// shown (same PID, name and start time), only on this host, and the outcome in words.
import { join } from 'node:path';
import type { ProcessInfo } from '../collect/types.ts';
import { parsePidStat } from '../sys/parsePidStat.ts';
import { readAuxvFacts, readProcStat } from '../sys/readHost.ts';
import { readSmallFile } from '../sys/readFile.ts';
import type { SignalName } from './keys.ts';

export type SignalOutcome =
  | { kind: 'sent' }
  | { kind: 'not-permitted' }
  | { kind: 'gone' }
  | { kind: 'changed' }
  | { kind: 'refused'; reason: string };

export interface SignalDeps {
  // process.kill in the program; a recorder in tests that must not signal anything
  kill: (pid: number, signal: SignalName) => void;
  procRoot: string;
  ownPid: number;
}

// The process's start time, computed as the collector computes ProcessInfo.startTimeSeconds.
function startTimeSeconds(pid: number, procRoot: string): { name: string; startTimeSeconds: number } | undefined {
  const text = readSmallFile(join(procRoot, String(pid), 'stat'));
  const stat = text === undefined ? undefined : parsePidStat(text);
  if (!stat?.ok) return undefined;
  const { clockTicksPerSecond } = readAuxvFacts(procRoot);
  const host = readProcStat(procRoot, clockTicksPerSecond);
  if (!host.ok) return undefined;
  return { name: stat.value.comm, startTimeSeconds: host.value.bootTimeSeconds + stat.value.startTimeTicks / clockTicksPerSecond };
}

export function signalProcess(target: ProcessInfo, signal: SignalName, deps: SignalDeps): SignalOutcome {
  if (target.pid <= 1) return { kind: 'refused', reason: `PID ${target.pid} is init; hostguard top does not signal it` };
  if (target.pid === deps.ownPid) return { kind: 'refused', reason: 'that is hostguard top itself; press q to quit' };
  if (target.kernelThread) return { kind: 'refused', reason: `${target.name} is a kernel thread` };
  const now = startTimeSeconds(target.pid, deps.procRoot);
  if (!now) return { kind: 'gone' };
  // The snapshot rounds to 0.01 s; a PID reused by a new process starts later than that.
  if (now.name !== target.name || Math.abs(now.startTimeSeconds - target.startTimeSeconds) > 0.05) return { kind: 'changed' };
  try {
    deps.kill(target.pid, signal);
    return { kind: 'sent' };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EPERM') return { kind: 'not-permitted' };
    if (code === 'ESRCH') return { kind: 'gone' };
    return { kind: 'refused', reason: error instanceof Error ? error.message : String(error) };
  }
}

export function outcomeText(outcome: SignalOutcome, target: ProcessInfo, signal: SignalName): string {
  const who = `${target.pid} (${target.name})`;
  switch (outcome.kind) {
    case 'sent':
      return `sent ${signal} to ${who}`;
    case 'not-permitted':
      return `${signal} to ${who}: not permitted (the process belongs to another user; run as its owner or root)`;
    case 'gone':
      return `${signal} not sent: ${who} has exited`;
    case 'changed':
      return `${signal} not sent: PID ${target.pid} is now another process than the one shown`;
    case 'refused':
      return `${signal} not sent to ${who}: ${outcome.reason}`;
  }
}
