// Memory levels NORMAL < WARNING < CRITICAL < EMERGENCY from the percentage of the memory budget in
// use, with hysteresis: a level is entered at its threshold and left only below threshold - band.
export const LEVELS = ['NORMAL', 'WARNING', 'CRITICAL', 'EMERGENCY'] as const;
export type Level = (typeof LEVELS)[number];

export interface LevelThresholds {
  warningPercent: number;
  criticalPercent: number;
  emergencyPercent: number;
  // How far below a level's threshold usage must fall before the level is left.
  hysteresisPercent: number;
}

export const DEFAULT_LEVEL_THRESHOLDS: LevelThresholds = {
  warningPercent: 60,
  criticalPercent: 75,
  emergencyPercent: 85,
  hysteresisPercent: 5,
};

// The value exported as hostguard_memory_level: 0 NORMAL .. 3 EMERGENCY.
export function levelValue(level: Level): number {
  return LEVELS.indexOf(level);
}

function thresholdOf(level: Level, t: LevelThresholds): number {
  if (level === 'WARNING') return t.warningPercent;
  if (level === 'CRITICAL') return t.criticalPercent;
  if (level === 'EMERGENCY') return t.emergencyPercent;
  return 0;
}

// An error naming what is wrong with the thresholds, or undefined when they are usable.
export function checkThresholds(t: LevelThresholds): string | undefined {
  const { warningPercent: w, criticalPercent: c, emergencyPercent: e, hysteresisPercent: h } = t;
  if (![w, c, e, h].every(Number.isFinite)) return `levels ${w},${c},${e}: every value must be a number`;
  if (!(w > 0 && w < c && c < e && e < 100)) return `levels ${w},${c},${e}: need 0 < WARNING < CRITICAL < EMERGENCY < 100`;
  if (!(h >= 0 && h < w)) return `hysteresis ${h}: need 0 <= hysteresis < WARNING (${w})`;
  return undefined;
}

// Escalates at once to the highest level whose threshold is reached; steps down past a level only
// when usage is below that level's threshold minus the band, so a value hovering at a threshold
// does not flap.
export function nextLevel(current: Level, usedPercent: number, t: LevelThresholds): Level {
  let reached: Level = 'NORMAL';
  for (const level of LEVELS) if (level !== 'NORMAL' && usedPercent >= thresholdOf(level, t)) reached = level;
  if (levelValue(reached) >= levelValue(current)) return reached;
  let level = current;
  while (level !== 'NORMAL' && usedPercent < thresholdOf(level, t) - t.hysteresisPercent) {
    level = LEVELS[levelValue(level) - 1] ?? 'NORMAL';
  }
  return level;
}

export interface LevelChange {
  from: Level;
  to: Level;
}

export class LevelTracker {
  private current: Level = 'NORMAL';
  private enteredAtMs: number;
  private readonly thresholds: LevelThresholds;

  constructor(thresholds: LevelThresholds, nowMs: number) {
    this.thresholds = thresholds;
    this.enteredAtMs = nowMs;
  }

  get level(): Level {
    return this.current;
  }

  msInLevel(nowMs: number): number {
    return nowMs - this.enteredAtMs;
  }

  update(usedPercent: number, nowMs: number): LevelChange | undefined {
    const to = nextLevel(this.current, usedPercent, this.thresholds);
    if (to === this.current) return undefined;
    const change = { from: this.current, to };
    this.current = to;
    this.enteredAtMs = nowMs;
    return change;
  }
}
