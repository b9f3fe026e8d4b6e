// Severity and level markers: a word that says it without colour, and the colour that says it at a glance.
import { DEFAULT_LEVEL_THRESHOLDS, type Level, LEVELS, nextLevel } from '../guard/graduated/levels.ts';

export type Tone = 'ok' | 'info' | 'warning' | 'critical';

export const TONE_COLORS: Record<Tone, string> = { ok: 'green', info: 'cyan', warning: 'yellow', critical: 'red' };

export const SEVERITY_MARKERS: Record<'info' | 'warning' | 'critical', { text: string; tone: Tone }> = {
  info: { text: 'INFO', tone: 'info' },
  warning: { text: 'WARN', tone: 'warning' },
  critical: { text: 'CRIT', tone: 'critical' },
};

// The graduated memory response's levels, estimated from the host's memory use with the guard's
// default thresholds (src/guard/graduated/levels.ts, the one definition). A daemon that reports
// guard_level events overrides this estimate with the guard's own level (its thresholds may differ).
export const MEMORY_LEVELS = LEVELS;
export type MemoryLevel = Level;
const LEVEL_TONES: Record<MemoryLevel, Tone> = { NORMAL: 'ok', WARNING: 'warning', CRITICAL: 'critical', EMERGENCY: 'critical' };

// The level the guard would enter from NORMAL at this use (no hysteresis: top has no past level).
export function memoryLevel(usedPercent: number): MemoryLevel {
  return nextLevel('NORMAL', usedPercent, DEFAULT_LEVEL_THRESHOLDS);
}

export function isMemoryLevel(value: unknown): value is MemoryLevel {
  return typeof value === 'string' && (MEMORY_LEVELS as readonly string[]).includes(value);
}

export function levelTone(level: MemoryLevel): Tone {
  return LEVEL_TONES[level];
}

// Percentages: ok below warnAt, warning below critAt, critical from there.
export function percentTone(percent: number | undefined, warnAt: number, critAt: number): Tone {
  if (percent === undefined) return 'ok';
  return percent >= critAt ? 'critical' : percent >= warnAt ? 'warning' : 'ok';
}
