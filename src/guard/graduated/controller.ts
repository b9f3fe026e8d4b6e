// The graduated response, run on every guard poll: the memory level from the sample, the targets
// (sticky until NORMAL), the leader among them, each target's plan applied, the ledger kept; back
// at NORMAL every target is restored.
import type { Emit } from '../events.ts';
import type { MemorySample } from '../memory.ts';
import { ASSUMED_FILL_BYTES_PER_SECOND, MIN_SLEEP_MS } from '../poll.ts';
import type { Timers } from './dutyCycle.ts';
import { LeaderTracker } from './leader.ts';
import { type Level, type LevelThresholds, LevelTracker } from './levels.ts';
import { type PolicySettings, planFor, roleOf } from './policy.ts';
import type { LedgerEntry, Target } from './target.ts';
import { type TargetCounters, TargetState } from './targetState.ts';
import { type ProcessInfo, type SelectSettings, selectNewTargets } from './targets.ts';

export interface GraduatedSettings {
  thresholds: LevelThresholds;
  policy: PolicySettings;
  checkIntervalMs: number;
  maxPauseMs: number;
  select: SelectSettings;
  releaseSignal?: NodeJS.Signals;
  niceValue: number;
}

export interface GraduatedDeps {
  timers: Timers;
  emit: Emit;
  scan: (nowMs: number) => ProcessInfo[];
  cmdline: (info: ProcessInfo) => string;
  processTarget: (info: ProcessInfo) => Target;
  // Named with --throttle-cgroup: targets whenever the level is above NORMAL.
  cgroupTargets: Target[];
  // Processes that must be targets whatever they do (the protector's memory hogs), and processes
  // another part controls (the protector's CPU throttling), which are never chosen.
  forcedTargets?: (infos: ProcessInfo[]) => ProcessInfo[];
  isClaimed?: (key: string) => boolean;
  // Writes the ledger (this controller's ledgerEntries() and the protector's) when they changed.
  journal?: () => void;
  usedBytes: (sample: MemorySample) => number;
  budgetBytes: (sample: MemorySample) => number;
  // Measures what a scan costs (CPU time spent); tests pass a constant to stay deterministic.
  costClockMs?: () => number;
}

// Poll at least this often above NORMAL: duty cycles and pauses are decided per poll.
export const FAST_POLL_MS = 10;
// Scanning may use at most this share of a core (cost of a scan x 1/share between scans): above
// NORMAL, and at NORMAL from half-way to WARNING, where a fast allocator can free and refill
// between two sparse samples and so pass for a process that does not grow.
const SCAN_SHARE = 0.05;
const SCAN_SHARE_AT_NORMAL = 0.01;

// The guard's own CPU time: a scan's wall time would count the time others held the CPU.
function cpuTimeMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

export interface GraduatedCountersSnapshot {
  level: Level;
  usedPercent: number;
  targets: Array<{ name: string; state: string; counters: TargetCounters }>;
  // Totals per target name, including targets already released.
  throttledTotal: Record<string, number>;
  pausedTotal: Record<string, number>;
}

export class GraduatedController {
  private readonly deps: GraduatedDeps;
  private readonly settings: GraduatedSettings;
  private readonly levels: LevelTracker;
  private readonly states = new Map<string, TargetState>();
  // Handed to the kill path: never targeted again.
  private readonly spared = new Set<string>();
  private readonly totals = { throttled: new Map<string, number>(), paused: new Map<string, number>() };
  private infos: ProcessInfo[] = [];
  private lastScanMs = -Infinity;
  private scanCostMs = 0;
  private readonly leadership = new LeaderTracker();
  private usedPercent = 0;
  private budgetBytes = 0;

  constructor(deps: GraduatedDeps, settings: GraduatedSettings) {
    this.deps = deps;
    this.settings = settings;
    this.levels = new LevelTracker(settings.thresholds, deps.timers.nowMs());
  }

  get level(): Level {
    return this.levels.level;
  }

  // One poll; returns the longest the guard may sleep before the next.
  onSample(sample: MemorySample): number {
    const now = this.deps.timers.nowMs();
    const used = this.deps.usedBytes(sample);
    const budget = this.deps.budgetBytes(sample);
    this.usedPercent = budget > 0 ? (used * 100) / budget : 100;
    this.budgetBytes = budget;
    const change = this.levels.update(this.usedPercent, now);
    if (change) this.deps.emit({ type: 'level', ...change, usedPercent: this.usedPercent, usedBytes: used, budgetBytes: budget });
    const level = this.levels.level;
    if (level === 'NORMAL') {
      if (this.states.size > 0) this.restoreAll(`level ${level}`);
      // Keep the growth window filled from half-way to WARNING, so that a process that grew just
      // before the level rose is known as a grower at once; below that, scanning costs for nothing.
      if (this.usedPercent >= this.settings.thresholds.warningPercent / 2) this.scanIfDue(now, SCAN_SHARE_AT_NORMAL);
      return this.sleepAtNormal(used, budget);
    }
    this.scanIfDue(now, SCAN_SHARE);
    this.addTargets();
    this.dropVanished();
    this.applyPlans(level, now);
    this.journal();
    return FAST_POLL_MS;
  }

  // The kill path is about to signal `pid`: a stopped process would not even see SIGTERM.
  release(pid: number): void {
    for (const [key, state] of this.states) {
      if (!state.target.containsPid(pid)) continue;
      this.finish(key, state, 'handed to the kill path');
      this.spared.add(key);
    }
    this.journal();
  }

  restoreAll(reason: string): void {
    for (const [key, state] of this.states) this.finish(key, state, reason);
    this.journal();
  }

  snapshot(): GraduatedCountersSnapshot {
    const throttledTotal = Object.fromEntries(this.totals.throttled);
    const pausedTotal = Object.fromEntries(this.totals.paused);
    const targets = [...this.states.values()].map((s) => {
      const counters = s.counters();
      const name = s.target.ref.name;
      throttledTotal[name] = (throttledTotal[name] ?? 0) + counters.throttledTotal;
      pausedTotal[name] = (pausedTotal[name] ?? 0) + counters.pausedTotal;
      return { name, state: s.state, counters };
    });
    return { level: this.levels.level, usedPercent: this.usedPercent, targets, throttledTotal, pausedTotal };
  }

  private scanIfDue(now: number, share: number): void {
    if (now - this.lastScanMs < this.scanCostMs / share) return;
    const clock = this.deps.costClockMs ?? cpuTimeMs;
    const started = clock();
    this.infos = this.deps.scan(now);
    for (const target of this.deps.cgroupTargets) target.observe(now);
    this.scanCostMs = clock() - started;
    this.lastScanMs = now;
  }

  // Named cgroups are the targets when given; otherwise processes (--throttle or top growers).
  private addTargets(): void {
    for (const target of this.deps.cgroupTargets) if (!this.states.has(target.ref.key) && !target.isGone()) this.adopt(target);
    const current = new Set([...this.states.keys(), ...this.spared]);
    // A process someone else stopped is left as it is: continuing it later would not restore it.
    const eligible = this.infos.filter((info) => info.state !== 'T' && info.state !== 't' && !this.deps.isClaimed?.(info.key));
    const chosen = this.deps.cgroupTargets.length > 0 ? [] : selectNewTargets(eligible, current, this.settings.select, this.deps.cmdline);
    const forced = this.deps.forcedTargets?.(eligible).filter((info) => !current.has(info.key)) ?? [];
    for (const info of [...chosen, ...forced]) if (!this.states.has(info.key)) this.adopt(this.deps.processTarget(info));
  }

  private adopt(target: Target): void {
    const state = new TargetState(target, {
      timers: this.deps.timers,
      emit: this.deps.emit,
      maxPauseMs: this.settings.maxPauseMs,
      source: 'graduated',
      journal: () => this.journal(),
      niceValue: this.settings.niceValue,
      ...(this.settings.releaseSignal ? { releaseSignal: this.settings.releaseSignal } : {}),
    });
    this.states.set(target.ref.key, state);
  }

  private dropVanished(): void {
    const memory = new Map(this.infos.map((info) => [info.key, info.rssBytes]));
    for (const [key, state] of this.states) {
      const target = state.target;
      if (target.ref.kind === 'process') {
        const bytes = memory.get(key);
        if (bytes === undefined) state.gone = true;
        else target.memoryBytes = bytes;
      }
      // The scan may be older than this poll: a target that exited since then (and freed what
      // lowered the level), or a cgroup removed, is let go as exited, not resumed.
      if (!state.gone && target.isGone()) state.gone = true;
      if (state.gone) this.finish(key, state, 'exited');
      else if (state.problem !== undefined) {
        this.deps.emit({ type: 'warn', message: `graduated: ${target.ref.name}: ${state.problem}; letting it go` });
        this.finish(key, state, 'could not be controlled');
        this.spared.add(key);
      }
    }
  }

  private applyPlans(level: Level, now: number): void {
    const leadership = this.leadership.choose(this.states, this.budgetBytes, now);
    const msInLevel = this.levels.msInLevel(now);
    for (const [key, state] of this.states) {
      const role = roleOf(key, leadership, this.states.size);
      state.apply(planFor(level, role, msInLevel, this.settings.policy), role, { level, reason: `level ${level}` });
      state.verify();
    }
  }

  private finish(key: string, state: TargetState, reason: string): void {
    state.restore(reason);
    const { throttledTotal, pausedTotal } = state.counters();
    const name = state.target.ref.name;
    this.totals.throttled.set(name, (this.totals.throttled.get(name) ?? 0) + throttledTotal);
    this.totals.paused.set(name, (this.totals.paused.get(name) ?? 0) + pausedTotal);
    this.states.delete(key);
    this.leadership.forget(key);
  }

  ledgerEntries(): LedgerEntry[] {
    return [...this.states.values()].map((s) => s.target.ledgerEntry());
  }

  hasTarget(key: string): boolean {
    return this.states.has(key);
  }

  private journal(): void {
    this.deps.journal?.();
  }

  // At NORMAL: no later than the check interval, and before usage could reach WARNING at the
  // assumed fill rate (half the time, as the guard's own poll does).
  private sleepAtNormal(usedBytes: number, budgetBytes: number): number {
    const warningBytes = (this.settings.thresholds.warningPercent / 100) * budgetBytes;
    const ms = ((Math.max(0, warningBytes - usedBytes) / ASSUMED_FILL_BYTES_PER_SECOND) * 1000) / 2;
    return Math.max(MIN_SLEEP_MS, Math.min(this.settings.checkIntervalMs, Math.floor(ms)));
  }
}
