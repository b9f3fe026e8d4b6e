// The resource protector ([protect], --protect MODE): a process holding more than the mode's CPU
// share for a sustained window is reniced to 19, then throttled; one holding more than the mode's
// memory share becomes a target of the graduated response; a full filesystem runs the configured
// cleanup actions. Every action passes the circuit breaker; protected processes are never touched.
import type { Emit } from '../events.ts';
import type { MemorySample } from '../memory.ts';
import { CircuitBreaker } from './breaker.ts';
import { actionName, filesystemUsedPercent, findOldFiles, removeFiles, runCommand, watchedPath } from './cleanup.ts';
import type { ProtectConfig } from './config.ts';
import type { Timers } from './dutyCycle.ts';
import type { LedgerEntry, Target } from './target.ts';
import { TargetState } from './targetState.ts';
import type { ProcessInfo } from './targets.ts';

// Linux reports CPU time in clock ticks of 1/100 s (USER_HZ) on every architecture Node runs on.
const TICKS_PER_SECOND = 100;
const THROTTLE_DUTY_PERCENT = 50;
const BREAKER_WINDOW_MS = 60_000;
// The files a cleanup event lists by name; the count and size cover all of them.
const LISTED_FILES = 50;

export interface ProtectorDeps {
  timers: Timers;
  emit: Emit;
  scan: (nowMs: number) => ProcessInfo[];
  processTarget: (info: ProcessInfo) => Target;
  cpuCount: number;
  checkIntervalMs: number;
  dryRun: boolean;
  // The graduated response owns these processes: the protector leaves them alone.
  isGraduatedTarget: (key: string) => boolean;
  journal: () => void;
}

interface Watched {
  lastTicks: number;
  lastMs: number;
  cpuPercent: number;
  overSinceMs?: number;
  underSinceMs?: number;
  stage: 'none' | 'reniced' | 'throttled';
  stageSinceMs: number;
  state?: TargetState;
}

export class ResourceProtector {
  private readonly deps: ProtectorDeps;
  private readonly config: ProtectConfig;
  private readonly breaker: CircuitBreaker;
  private readonly watched = new Map<string, Watched>();
  private readonly memoryTargets = new Set<string>();
  private readonly lastCleanupMs = new Map<number, number>();
  private infos: ProcessInfo[] = [];
  private lastCheckMs = -Infinity;

  constructor(deps: ProtectorDeps, config: ProtectConfig) {
    this.deps = deps;
    this.config = config;
    this.breaker = new CircuitBreaker(config.maxActionsPerMinute, BREAKER_WINDOW_MS, deps.emit);
  }

  onSample(sample: MemorySample): void {
    const now = this.deps.timers.nowMs();
    if (now - this.lastCheckMs < this.deps.checkIntervalMs) return;
    this.lastCheckMs = now;
    this.infos = this.deps.scan(now);
    this.watchCpu(now);
    this.watchMemory(sample, now);
    this.watchDisks(now);
  }

  // Processes holding more than the memory share: the controller adds them as targets.
  forcedTargets = (infos: ProcessInfo[]): ProcessInfo[] => infos.filter((info) => this.memoryTargets.has(info.key));

  isClaimed(key: string): boolean {
    return this.watched.get(key)?.state !== undefined;
  }

  ledgerEntries(): LedgerEntry[] {
    return [...this.watched.values()].flatMap((w) => (w.state ? [w.state.target.ledgerEntry()] : []));
  }

  restoreAll(reason: string): void {
    for (const w of this.watched.values()) w.state?.restore(reason);
    this.watched.clear();
    this.deps.journal();
  }

  private cpuShareOf(info: ProcessInfo, w: Watched | undefined, now: number): number {
    if (!w || now <= w.lastMs) return 0;
    const cpuMs = ((info.cpuTicks - w.lastTicks) * 1000) / TICKS_PER_SECOND;
    return (cpuMs * 100) / ((now - w.lastMs) * this.deps.cpuCount);
  }

  private watchCpu(now: number): void {
    const seen = new Set<string>();
    for (const info of this.infos) {
      seen.add(info.key);
      const previous = this.watched.get(info.key);
      const w: Watched = previous ?? { lastTicks: info.cpuTicks, lastMs: now, cpuPercent: 0, stage: 'none', stageSinceMs: now };
      w.cpuPercent = this.cpuShareOf(info, previous, now);
      w.lastTicks = info.cpuTicks;
      w.lastMs = now;
      this.watched.set(info.key, w);
      if (this.deps.isGraduatedTarget(info.key)) continue;
      this.step(info, w, now);
    }
    for (const [key, w] of this.watched) {
      if (seen.has(key) && !w.state?.gone) continue;
      w.state?.restore('exited');
      this.watched.delete(key);
    }
    this.deps.journal();
  }

  // none -> reniced (sustained over the share) -> throttled (still over). A throttled process that
  // calms down is let run again but stays reniced: a nice-19 process looks calm on a busy machine
  // whatever it would take, so undoing the renice on that evidence would only make it flap. Nice
  // values are put back when the guard stops (or the process exits).
  private step(info: ProcessInfo, w: Watched, now: number): void {
    const limit = this.config.cpuPercent;
    // Throttled, a process shows only its duty's share of what it would take.
    const effective = w.stage === 'throttled' ? (w.cpuPercent * 100) / THROTTLE_DUTY_PERCENT : w.cpuPercent;
    if (effective > limit) {
      w.overSinceMs ??= now;
      w.underSinceMs = undefined;
    } else {
      w.underSinceMs ??= now;
      w.overSinceMs = undefined;
    }
    const sustained = (since: number | undefined): boolean => since !== undefined && now - since >= this.config.sustainMs && now - w.stageSinceMs >= this.config.sustainMs;
    const reason = `CPU ${effective.toFixed(0)} % of the machine > ${limit} % for ${this.config.sustainMs / 1000} s`;
    if (w.stage !== 'throttled' && sustained(w.overSinceMs) && this.breaker.allow(now)) {
      const state = w.state ?? this.newState(info);
      w.state = state;
      const throttle = w.stage === 'reniced';
      state.apply({ mode: throttle ? 'throttle' : 'run', dutyPercent: throttle ? THROTTLE_DUTY_PERCENT : 100, lowerPriority: true }, 'cpu', { reason });
      w.stage = throttle ? 'throttled' : 'reniced';
      w.stageSinceMs = now;
    } else if (w.stage === 'throttled' && sustained(w.underSinceMs)) {
      w.state?.apply({ mode: 'run', dutyPercent: 100, lowerPriority: true }, 'cpu', { reason: `CPU back under ${limit} %` });
      w.stage = 'reniced';
      w.stageSinceMs = now;
    }
  }

  private newState(info: ProcessInfo): TargetState {
    return new TargetState(this.deps.processTarget(info), {
      timers: this.deps.timers,
      emit: this.deps.emit,
      maxPauseMs: 0,
      source: 'protect',
      journal: this.deps.journal,
      niceValue: 19,
    });
  }

  private watchMemory(sample: MemorySample, now: number): void {
    const limitBytes = (this.config.memoryPercent / 100) * sample.totalBytes;
    const present = new Set(this.infos.map((i) => i.key));
    for (const key of this.memoryTargets) if (!present.has(key)) this.memoryTargets.delete(key);
    for (const info of this.infos) {
      if (info.rssBytes <= limitBytes || this.memoryTargets.has(info.key) || !this.breaker.allow(now)) continue;
      this.memoryTargets.add(info.key);
      const share = ((info.rssBytes * 100) / sample.totalBytes).toFixed(0);
      this.deps.emit({ type: 'protect', action: 'memory-target', target: { key: info.key, kind: 'process', name: `${info.comm}[${info.pid}]`, pid: info.pid }, reason: `holds ${share} % of memory (> ${this.config.memoryPercent} %)` });
    }
  }

  private watchDisks(now: number): void {
    this.config.cleanup.forEach((action, index) => {
      if (now - (this.lastCleanupMs.get(index) ?? -Infinity) < this.config.cleanupIntervalMs) return;
      const filesystem = watchedPath(action);
      const usedPercent = filesystemUsedPercent(filesystem);
      if (usedPercent === undefined || usedPercent <= this.config.diskPercent || !this.breaker.allow(now)) return;
      this.lastCleanupMs.set(index, now);
      const base = { type: 'cleanup' as const, action: actionName(action), dryRun: this.deps.dryRun, filesystem, usedPercent };
      if (action.directory !== undefined) {
        const old = findOldFiles(action.directory, Date.now() - (action.max_age_hours ?? Infinity) * 3_600_000);
        const removal: { error?: string } = this.deps.dryRun ? {} : removeFiles(old.files);
        this.deps.emit({ ...base, files: old.files.slice(0, LISTED_FILES), fileCount: old.files.length, bytes: old.bytes, ...(removal.error ? { error: removal.error } : {}) });
      } else if (this.deps.dryRun) {
        this.deps.emit({ ...base, files: [], fileCount: 0, bytes: 0 });
      } else {
        void runCommand(action.command ?? 'true').then((result) => this.deps.emit({ ...base, files: [], fileCount: 0, bytes: 0, ...result }));
      }
    });
  }
}
