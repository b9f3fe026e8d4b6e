// The three history tiers and the arithmetic both backends share: bucket alignment, how many
// points a range yields, and the (n, sum, min, max) accumulator rollups and queries merge.
import { decodeInto } from './codec.ts';
import type { Tier } from './store.ts';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

// The step of each tier's rows; raw rows come at the sampler's interval, so 0 here.
export const TIER_STEP_MS: Record<Tier, number> = { raw: 0, minute: MINUTE_MS, hour: HOUR_MS };
export const TIERS: readonly Tier[] = ['raw', 'minute', 'hour'];

export function floorTo(timeMs: number, stepMs: number): number {
  return Math.floor(timeMs / stepMs) * stepMs;
}

// Buckets aligned to multiples of bucketMs that [startMs, endMs] touches (both ends included).
export function bucketCount(startMs: number, endMs: number, bucketMs: number): number {
  return Math.floor(endMs / bucketMs) - Math.floor(startMs / bucketMs) + 1;
}

// Sums of stored (scaled integer) values: exact, so tiers merge without rounding drift.
export interface Accumulator {
  n: number;
  sum: number;
  min: number;
  max: number;
}

export function accumulate(into: Map<number, Accumulator>, bucketMs: number, add: Accumulator): void {
  const existing = into.get(bucketMs);
  if (existing === undefined) {
    into.set(bucketMs, { ...add });
    return;
  }
  existing.n += add.n;
  existing.sum += add.sum;
  if (add.min < existing.min) existing.min = add.min;
  if (add.max > existing.max) existing.max = add.max;
}

export function single(value: number): Accumulator {
  return { n: 1, sum: value, min: value, max: value };
}

export interface RollupRow extends Accumulator {
  seriesId: number;
  timeMs: number;
}

// Minute rollups of raw rows (each with its layout's series ids and its value blob).
export function rollUpMinutes(rows: Iterable<{ timeMs: number; layout: readonly number[]; values: Uint8Array }>): RollupRow[] {
  const bySeries = new Map<number, Map<number, Accumulator>>();
  const values: number[] = [];
  for (const row of rows) {
    const decoded = decodeInto(row.values, values, row.layout.length);
    const minute = floorTo(row.timeMs, MINUTE_MS);
    for (let position = 0; position < decoded; position++) {
      const seriesId = row.layout[position];
      const value = values[position];
      if (seriesId === undefined || value === undefined) continue;
      let perSeries = bySeries.get(seriesId);
      if (perSeries === undefined) bySeries.set(seriesId, (perSeries = new Map()));
      accumulate(perSeries, minute, single(value));
    }
  }
  const result: RollupRow[] = [];
  for (const [seriesId, minutes] of bySeries) for (const [timeMs, acc] of minutes) result.push({ seriesId, timeMs, ...acc });
  return result;
}
