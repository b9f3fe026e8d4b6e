// The graduated response's and the protector's events, and their text lines.
import type { Level } from './levels.ts';
import type { Role } from './policy.ts';
import type { TargetRef } from './target.ts';

export type ActionSource = 'graduated' | 'protect';

export type GraduatedEvent =
  | { type: 'level'; from: Level; to: Level; usedPercent: number; usedBytes: number; budgetBytes: number }
  | { type: 'throttle'; target: TargetRef; dutyPercent: number; method: string; role: Role | 'cpu'; source: ActionSource; level?: Level; from: 'normal' | 'throttled' | 'paused' }
  | { type: 'pause'; target: TargetRef; method: string; maxPauseMs: number; minDutyPercent: number; role: Role; level: Level }
  | { type: 'resume'; target: TargetRef; reason: string; throttledMs: number; pausedMs: number; source: ActionSource }
  | { type: 'renice'; target: TargetRef; pid: number; fromNice: number; toNice: number; source: ActionSource; reason: string }
  | { type: 'release'; target: TargetRef; signal: string }
  | { type: 'cleanup'; action: string; dryRun: boolean; filesystem: string; usedPercent: number; files: string[]; fileCount: number; bytes: number; exitCode?: number; error?: string }
  | { type: 'breaker'; open: boolean; actions: number; limit: number; windowMs: number }
  // A protector decision that is not itself a renice, throttle or cleanup: a memory hog made a target.
  | { type: 'protect'; action: 'memory-target'; target: TargetRef; reason: string };

const MiB = 1024 * 1024;
const mib = (bytes: number): number => Math.round(bytes / MiB);

export function graduatedText(e: GraduatedEvent): { line: string; warning: boolean } {
  switch (e.type) {
    case 'level':
      return { line: `memory level ${e.from} -> ${e.to}: ${e.usedPercent.toFixed(1)}% used (${mib(e.usedBytes)} of ${mib(e.budgetBytes)} MiB)`, warning: true };
    case 'throttle':
      return { line: `throttling ${e.target.name} to ${e.dutyPercent}% run time (${e.method}, ${e.role}, ${e.source})`, warning: true };
    case 'pause':
      return { line: `pausing ${e.target.name} (${e.method}, at most ${e.maxPauseMs} ms at a time, ${e.minDutyPercent}% run time between pauses, ${e.role})`, warning: true };
    case 'resume':
      return { line: `resuming ${e.target.name} (${e.reason}; throttled ${e.throttledMs} ms, paused ${e.pausedMs} ms)`, warning: true };
    case 'renice':
      return { line: `renice ${e.target.name} pid ${e.pid}: ${e.fromNice} -> ${e.toNice} (${e.reason})`, warning: true };
    case 'release':
      return { line: `sent ${e.signal} to ${e.target.name} to release memory`, warning: true };
    case 'cleanup': {
      const what = e.dryRun ? 'would remove' : 'removed';
      const outcome = e.error ? `: ${e.error}` : e.exitCode !== undefined ? ` (exit status ${e.exitCode})` : '';
      return { line: `cleanup ${e.action} (${e.filesystem} ${e.usedPercent.toFixed(1)}% used): ${what} ${e.fileCount} files, ${mib(e.bytes)} MiB${outcome}`, warning: true };
    }
    case 'protect':
      return { line: `protector: ${e.target.name} ${e.reason}: now a target of the graduated response`, warning: true };
    case 'breaker':
      return {
        line: e.open
          ? `protector circuit breaker open: ${e.actions} actions in ${e.windowMs / 1000} s reached the limit of ${e.limit}; acting no more until the rate falls`
          : 'protector circuit breaker closed: acting again',
        warning: true,
      };
  }
}
