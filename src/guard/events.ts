// The guard's events: what it reports, as earlyoom-style text lines or one JSON object per line.
import { type GraduatedEvent, graduatedText } from './graduated/events.ts';
import type { MemorySample } from './memory.ts';
import { formatPercent, type Thresholds } from './thresholds.ts';

export interface VictimInfo {
  pid: number;
  uid: number;
  name: string;
  cmdline: string;
  oomScore: number;
  oomScoreAdj: number;
  rssBytes: number;
}

export type GuardEvent =
  | { type: 'start'; pid: number; version: string; thresholds: Thresholds; cgroup?: string; dryRun: boolean; sample: MemorySample }
  | { type: 'report'; sample: MemorySample }
  | { type: 'term' | 'kill'; victim: VictimInfo; sample: MemorySample; reason: string; dryRun: boolean; selectionMs?: number; processGroup: boolean }
  | { type: 'exit'; victim: VictimInfo; afterMs: number; lastSignal: 'SIGTERM' | 'SIGKILL' }
  | { type: 'hook'; hook: 'pre-kill' | 'post-kill'; path: string; victimPid: number; exitCode?: number; signal?: string; error?: string }
  | { type: 'notice'; message: string }
  | { type: 'warn'; message: string }
  | { type: 'debug'; message: string }
  | { type: 'error'; message: string }
  | { type: 'stop'; reason: string }
  | GraduatedEvent;

export type Emit = (event: GuardEvent) => void;

const MiB = 1024 * 1024;

export function memoryLine(s: MemorySample): string {
  const mib = (bytes: number): number => Math.floor(bytes / MiB);
  return (
    `mem avail: ${String(mib(s.availableBytes)).padStart(5)} of ${String(mib(s.totalBytes)).padStart(5)} MiB (${formatPercent(s.availablePercent)}), ` +
    `swap free: ${String(mib(s.swapFreeBytes)).padStart(4)} of ${String(mib(s.swapTotalBytes)).padStart(4)} MiB (${formatPercent(s.swapFreePercent)})`
  );
}

function victimLine(e: Extract<GuardEvent, { type: 'term' | 'kill' }>): string {
  const v = e.victim;
  const signal = e.type === 'term' ? 'SIGTERM' : 'SIGKILL';
  const target = e.processGroup ? `process group of ${v.pid}` : `process ${v.pid}`;
  const prefix = e.dryRun ? 'dryrun: would send' : 'sending';
  return (
    `${prefix} ${signal} to ${target} uid ${v.uid} "${v.name}": oom_score ${v.oomScore}, oom_score_adj ${v.oomScoreAdj}, ` +
    `VmRSS ${Math.floor(v.rssBytes / MiB)} MiB, cmdline "${v.cmdline}" (${e.reason})`
  );
}

// Text form of an event and whether it is a warning (stderr) or information (stdout).
export function textOf(e: GuardEvent): { line: string; warning: boolean } | undefined {
  switch (e.type) {
    case 'start':
      return undefined;
    case 'report':
      return { line: memoryLine(e.sample), warning: false };
    case 'term':
    case 'kill':
      return { line: victimLine(e), warning: true };
    case 'exit':
      return { line: `process ${e.victim.pid} exited ${e.afterMs.toFixed(0)} ms after ${e.lastSignal}`, warning: true };
    case 'hook': {
      const outcome = e.error ?? (e.signal ? `killed by ${e.signal}` : `exit status ${e.exitCode}`);
      return { line: `${e.hook} hook ${e.path} for pid ${e.victimPid}: ${outcome}`, warning: e.error !== undefined || (e.exitCode ?? 0) !== 0 };
    }
    case 'notice':
    case 'warn':
    case 'error':
      return { line: e.message, warning: true };
    case 'debug':
      return { line: e.message, warning: false };
    case 'stop':
      return { line: `stopping: ${e.reason}`, warning: true };
    default:
      return graduatedText(e);
  }
}

export function jsonOf(e: GuardEvent, timeMs: number): string {
  return JSON.stringify({ time: new Date(timeMs).toISOString(), ...e });
}
