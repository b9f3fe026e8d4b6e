// History answers as chart data: which series each History chart shows, the series of an answer
// aligned on one time axis (seconds, as uPlot wants), gaps kept as gaps, and anomaly episodes as
// bands on the chart that shows their metric.
import type { HistoryAnswer, Severity, StoredEpisode } from '../api/types.ts';
import type { ValueUnit } from './format.ts';

export interface ChartGroup {
  id: string;
  title: string;
  unit: ValueUnit;
  // metric names; per-entity metrics (disk_used_percent) bring one series per entity
  fields: string[];
}

export const HISTORY_GROUPS: readonly ChartGroup[] = [
  { id: 'cpu', title: 'CPU busy and iowait', unit: 'percent100', fields: ['cpu_busy_percent', 'cpu_iowait_percent'] },
  { id: 'memory', title: 'Memory and swap used', unit: 'percent100', fields: ['memory_used_percent', 'swap_used_percent'] },
  { id: 'pressure', title: 'Pressure stall (some, 10 s)', unit: 'percent', fields: ['pressure_cpu_some_percent', 'pressure_memory_some_percent', 'pressure_io_some_percent'] },
  { id: 'load', title: 'Load per CPU (1 min)', unit: 'ratio', fields: ['cpu_load1_per_cpu_ratio'] },
  { id: 'disk', title: 'Filesystems used', unit: 'percent100', fields: ['disk_used_percent'] },
  { id: 'temperature', title: 'Temperatures', unit: 'celsius', fields: ['temperature_celsius'] },
];

// The groups that show at least one of the fields asked for (all of them when none are named).
export function selectGroups(fields: readonly string[]): ChartGroup[] {
  if (fields.length === 0) return [...HISTORY_GROUPS];
  return HISTORY_GROUPS.flatMap((g) => {
    const kept = g.fields.filter((f) => fields.includes(f));
    return kept.length === 0 ? [] : [{ ...g, fields: kept }];
  });
}

export interface AlignedSeries {
  // seconds since the epoch
  x: number[];
  // answer keys (metric or metric:entity), in the order of ys
  keys: string[];
  ys: Array<Array<number | null>>;
}

function metricOf(key: string): string {
  const colon = key.indexOf(':');
  return colon < 0 ? key : key.slice(0, colon);
}

// The lower median: with two spacings, the shorter one (the longer may be the gap itself).
function median(sorted: number[]): number {
  return sorted.length === 0 ? 0 : (sorted[Math.floor((sorted.length - 1) / 2)] ?? 0);
}

// No sample for longer than this is a gap (the daemon was down), not a line to draw across.
export function gapLimitMs(times: readonly number[], stepMs: number): number {
  const spacing = times.slice(1).map((t, i) => t - (times[i] ?? t)).sort((a, b) => a - b);
  return Math.max(3 * stepMs, 3 * median(spacing), 90_000);
}

export function alignGroup(answer: HistoryAnswer, group: ChartGroup): AlignedSeries {
  const keys = Object.keys(answer.series).filter((key) => group.fields.includes(metricOf(key)) && (answer.series[key]?.length ?? 0) > 0).sort((a, b) => group.fields.indexOf(metricOf(a)) - group.fields.indexOf(metricOf(b)) || a.localeCompare(b));
  const timeSet = new Set<number>();
  for (const key of keys) for (const point of answer.series[key] ?? []) timeSet.add(point.timeMs);
  const times = [...timeSet].sort((a, b) => a - b);
  const limit = gapLimitMs(times, answer.stepMs);
  // a null row just after each gap's start breaks every line there
  const withGaps: number[] = [];
  times.forEach((t, i) => {
    const previous = times[i - 1];
    if (previous !== undefined && t - previous > limit) withGaps.push(previous + 1);
    withGaps.push(t);
  });
  const index = new Map(withGaps.map((t, i) => [t, i]));
  const ys = keys.map((key) => {
    const column: Array<number | null> = new Array<number | null>(withGaps.length).fill(null);
    for (const point of answer.series[key] ?? []) column[index.get(point.timeMs) ?? -1] = point.avg;
    return column;
  });
  return { x: withGaps.map((t) => t / 1000), keys, ys };
}

export interface Band {
  startSeconds: number;
  // null while the episode is open: the band reaches the right edge
  endSeconds: number | null;
  severity: Severity;
  label: string;
}

export function bandsFor(episodes: readonly StoredEpisode[], group: ChartGroup): Band[] {
  return episodes
    .filter((e) => group.fields.includes(e.metric))
    .map((e) => ({ startSeconds: e.startMs / 1000, endSeconds: e.endMs === null ? null : e.endMs / 1000, severity: e.severity, label: e.message }));
}

const SHORT_LABELS: Record<string, string> = {
  cpu_busy_percent: 'busy',
  cpu_iowait_percent: 'iowait',
  memory_used_percent: 'memory',
  swap_used_percent: 'swap',
  pressure_cpu_some_percent: 'cpu',
  pressure_memory_some_percent: 'memory',
  pressure_io_some_percent: 'io',
  cpu_load1_per_cpu_ratio: 'load per CPU',
};

// What the legend says for a series key: the entity for per-entity series, else a short name.
export function seriesLabel(key: string): string {
  const colon = key.indexOf(':');
  if (colon >= 0) return key.slice(colon + 1);
  return SHORT_LABELS[key] ?? key;
}
