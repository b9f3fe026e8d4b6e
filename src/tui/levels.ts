// Severity and level markers: a word that says it without colour, and the colour that says it at a glance.

export type Tone = 'ok' | 'info' | 'warning' | 'critical';

export const TONE_COLORS: Record<Tone, string> = { ok: 'green', info: 'cyan', warning: 'yellow', critical: 'red' };

export const SEVERITY_MARKERS: Record<'info' | 'warning' | 'critical', { text: string; tone: Tone }> = {
  info: { text: 'INFO', tone: 'info' },
  warning: { text: 'WARN', tone: 'warning' },
  critical: { text: 'CRIT', tone: 'critical' },
};

// The graduated memory response's levels and their default thresholds (% of the memory budget in
// use), as src/guard/graduated/levels.ts on main defines them. That module is not on this branch
// yet; when it is, these come from DEFAULT_LEVEL_THRESHOLDS there instead. A daemon that reports
// guard_level events overrides this estimate with the guard's own level.
export const MEMORY_LEVELS = ['NORMAL', 'WARNING', 'CRITICAL', 'EMERGENCY'] as const;
export type MemoryLevel = (typeof MEMORY_LEVELS)[number];
const LEVEL_THRESHOLDS_PERCENT: Record<MemoryLevel, number> = { NORMAL: 0, WARNING: 60, CRITICAL: 75, EMERGENCY: 85 };
const LEVEL_TONES: Record<MemoryLevel, Tone> = { NORMAL: 'ok', WARNING: 'warning', CRITICAL: 'critical', EMERGENCY: 'critical' };

export function memoryLevel(usedPercent: number): MemoryLevel {
  let level: MemoryLevel = 'NORMAL';
  for (const candidate of MEMORY_LEVELS) if (usedPercent >= LEVEL_THRESHOLDS_PERCENT[candidate]) level = candidate;
  return level;
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
