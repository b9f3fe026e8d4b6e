// The adaptive sampler (the seeds' progressive monitor): samples at the interval of its level,
// raises the level at once when the host calls for it, lowers it one step at a time after a quiet
// period, lets callers pin a minimum level for a while, and throttles reports per level.
import type { Clock } from './clock.ts';
import type { MetricsSnapshot } from './types.ts';

export type LevelName = 'idle' | 'normal' | 'intensive' | 'critical';
export const LEVELS: readonly LevelName[] = ['idle', 'normal', 'intensive', 'critical'];

export interface LevelSettings {
  intervalMs: number;
  // at most one report per this period while at the level
  reportEveryMs: number;
  // how long the host must call for a lower level before this one steps down (unused for idle)
  lowerAfterMs: number;
}

export const DEFAULT_LEVELS: Record<LevelName, LevelSettings> = {
  idle: { intervalMs: 30_000, reportEveryMs: 300_000, lowerAfterMs: 0 },
  normal: { intervalMs: 5_000, reportEveryMs: 60_000, lowerAfterMs: 300_000 },
  intensive: { intervalMs: 1_000, reportEveryMs: 10_000, lowerAfterMs: 120_000 },
  critical: { intervalMs: 500, reportEveryMs: 2_000, lowerAfterMs: 60_000 },
};

export interface SamplerOptions {
  clock: Clock;
  collect: () => MetricsSnapshot;
  // the level the host calls for now (from anomalies and thresholds: see detect/levelAdvisor.ts)
  advise: (snapshot: MetricsSnapshot, nowMs: number) => LevelName;
  levels?: Record<LevelName, LevelSettings>;
  initialLevel?: LevelName;
  onSnapshot?: (snapshot: MetricsSnapshot, level: LevelName) => void;
  onReport?: (snapshot: MetricsSnapshot, level: LevelName) => void;
  onLevelChange?: (from: LevelName, to: LevelName, reason: string) => void;
}

const rank = (level: LevelName): number => LEVELS.indexOf(level);
const higher = (a: LevelName, b: LevelName): LevelName => (rank(a) >= rank(b) ? a : b);

export class AdaptiveSampler {
  private readonly options: SamplerOptions;
  private readonly levels: Record<LevelName, LevelSettings>;
  private currentLevel: LevelName;
  private pin: { level: LevelName; untilMs: number } | undefined;
  // since when the host has called for less than the current level
  private quietSinceMs: number | undefined;
  private lastReportMs: number | undefined;
  private lastReportLevel: LevelName | undefined;
  private timer: unknown;
  private nextTickMs: number | undefined;
  private running = false;

  constructor(options: SamplerOptions) {
    this.options = options;
    this.levels = options.levels ?? DEFAULT_LEVELS;
    this.currentLevel = options.initialLevel ?? 'normal';
  }

  get level(): LevelName {
    return this.currentLevel;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  stop(): void {
    this.running = false;
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  // Keeps the level at least `level` for durationMs (a heavy task about to run, say); raising is
  // immediate, and when the pin expires the level steps down with the usual hysteresis.
  pinLevel(level: LevelName, durationMs: number): void {
    const now = this.options.clock.now();
    this.pin = { level, untilMs: now + durationMs };
    if (rank(level) > rank(this.currentLevel)) this.changeLevel(level, `pinned for ${durationMs / 1000} s`);
    // A raised level samples sooner: move the pending tick up.
    const due = now + this.levels[this.currentLevel].intervalMs;
    if (this.running && this.nextTickMs !== undefined && due < this.nextTickMs) this.schedule(due - now);
  }

  private schedule(delayMs: number): void {
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.nextTickMs = this.options.clock.now() + delayMs;
    this.timer = this.options.clock.setTimeout(() => this.tick(), delayMs);
  }

  private tick(): void {
    this.timer = undefined;
    if (!this.running) return;
    const startedMs = this.options.clock.now();
    const snapshot = this.options.collect();
    this.updateLevel(this.options.advise(snapshot, startedMs), startedMs);
    this.options.onSnapshot?.(snapshot, this.currentLevel);
    // A level change is reported at once; otherwise at most once per report period of the level.
    const reportEvery = this.levels[this.currentLevel].reportEveryMs;
    if (this.lastReportLevel !== this.currentLevel || this.lastReportMs === undefined || startedMs - this.lastReportMs >= reportEvery) {
      this.lastReportMs = startedMs;
      this.lastReportLevel = this.currentLevel;
      this.options.onReport?.(snapshot, this.currentLevel);
    }
    // A collection that overran its interval is followed at once, never overlapped.
    const elapsed = this.options.clock.now() - startedMs;
    this.schedule(Math.max(0, this.levels[this.currentLevel].intervalMs - elapsed));
  }

  private updateLevel(advised: LevelName, nowMs: number): void {
    if (this.pin && nowMs >= this.pin.untilMs) this.pin = undefined;
    const target = this.pin ? higher(advised, this.pin.level) : advised;
    if (rank(target) > rank(this.currentLevel)) {
      this.changeLevel(target, `host calls for ${target}`);
      return;
    }
    if (rank(target) === rank(this.currentLevel)) {
      this.quietSinceMs = undefined;
      return;
    }
    this.quietSinceMs ??= nowMs;
    if (nowMs - this.quietSinceMs < this.levels[this.currentLevel].lowerAfterMs) return;
    const oneDown = LEVELS[rank(this.currentLevel) - 1] ?? 'idle';
    this.changeLevel(oneDown, `quiet for ${(nowMs - this.quietSinceMs) / 1000} s`);
    // The next step down needs its own quiet period.
    this.quietSinceMs = oneDown === target ? undefined : nowMs;
  }

  private changeLevel(level: LevelName, reason: string): void {
    const from = this.currentLevel;
    this.currentLevel = level;
    this.quietSinceMs = undefined;
    this.options.onLevelChange?.(from, level, reason);
  }
}
