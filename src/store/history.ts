// History queries for both backends: pick the tier, size the buckets so no series has more than
// maxPoints points, and merge a tier's rows with the finer tiers for the span not rolled up yet.
import type { MetricName } from '../detect/metrics.ts';
import { decodeInto } from './codec.ts';
import { type FieldSelector, parseFields, seriesKey } from './series.ts';
import type { HistoryQuery, HistoryResult, SeriesPoint, Tier } from './store.ts';
import { type Accumulator, TIERS, TIER_STEP_MS, accumulate, bucketCount, floorTo } from './tiers.ts';

export interface SeriesRow {
  id: number;
  metric: MetricName;
  entity: string;
  scale: number;
}

export interface RawRow {
  timeMs: number;
  // the series ids of the row's layout, in the order of the encoded values
  layout: readonly number[];
  values: Uint8Array;
}

export interface BucketRow extends Accumulator {
  timeMs: number;
}

// What a backend answers, for one host. Time ranges are [fromMs, toMs).
export interface HistorySource {
  series(): Promise<SeriesRow[]>;
  oldestMs(tier: Tier, seriesIds: number[]): Promise<number | undefined>;
  // Rollup rows are complete for every time before this (undefined: nothing rolled up yet).
  builtUntilMs(tier: 'minute' | 'hour'): Promise<number | undefined>;
  // Buckets per series id; ids without rows may be missing from the map.
  rollupBuckets(tier: 'minute' | 'hour', seriesIds: number[], fromMs: number, toMs: number, bucketMs: number): Promise<Map<number, BucketRow[]>>;
  rawRows(fromMs: number, toMs: number): Promise<RawRow[]>;
}

// A query the caller got wrong (unknown field, end before start): the API answers 400 with it.
export class HistoryQueryError extends Error {
  override name = 'HistoryQueryError';
}

function matches(row: SeriesRow, selector: FieldSelector): boolean {
  return row.metric === selector.metric && (selector.entity === undefined || selector.entity === row.entity);
}

// The coarsest tier whose step is fine enough for the buckets asked for, or that still gives at
// least half of maxPoints over the span: close to the resolution asked for, from far fewer rows
// (30 days at 1,000 points: 720 hour rows per series, not 43,200 minute rows). Raw rows, whose
// spacing the sampler decides, count as the finest.
function preferredTier(spanMs: number, maxPoints: number, desiredStepMs: number): Tier {
  for (const tier of [...TIERS].reverse()) {
    const stepMs = TIER_STEP_MS[tier];
    if (stepMs <= desiredStepMs || spanMs / stepMs >= maxPoints / 2) return tier;
  }
  return 'raw';
}

// The preferred tier if its data reaches back to the start; else the nearest tier that does
// (finer ones first); else the one that reaches back furthest.
async function chooseTier(source: HistorySource, preferred: Tier, startMs: number, seriesIds: number[]): Promise<Tier> {
  const at = TIERS.indexOf(preferred);
  const order = [preferred, ...TIERS.slice(0, at).reverse(), ...TIERS.slice(at + 1)];
  const oldest = new Map<Tier, number | undefined>();
  for (const tier of order) {
    const first = await source.oldestMs(tier, seriesIds);
    if (first !== undefined && first <= startMs) return tier;
    oldest.set(tier, first);
  }
  let best: Tier = preferred;
  for (const tier of order) {
    const first = oldest.get(tier);
    if (first !== undefined && first < (oldest.get(best) ?? Infinity)) best = tier;
  }
  return best;
}

type Buckets = Map<number, Accumulator>;

// Raw rows come in time order: each series accumulates its current bucket in place and files
// it when the bucket changes, so the inner loop allocates nothing.
async function collectRaw(source: HistorySource, chosen: SeriesRow[], buckets: Buckets[], fromMs: number, toMs: number, bucketMs: number): Promise<void> {
  // Per layout: [index into chosen, position in the row's values] and how many values to decode.
  const plans = new Map<readonly number[], { positions: Array<[number, number]>; decode: number }>();
  const current = chosen.map((): Accumulator & { timeMs: number } => ({ timeMs: NaN, n: 0, sum: 0, min: 0, max: 0 }));
  const flush = (index: number): void => {
    const acc = current[index];
    const target = buckets[index];
    if (acc !== undefined && target !== undefined && acc.n > 0) accumulate(target, acc.timeMs, acc);
  };
  const values: number[] = [];
  for (const row of await source.rawRows(fromMs, toMs)) {
    let plan = plans.get(row.layout);
    if (plan === undefined) {
      const positions: Array<[number, number]> = [];
      chosen.forEach((series, index) => {
        const position = row.layout.indexOf(series.id);
        if (position >= 0) positions.push([index, position]);
      });
      plan = { positions, decode: Math.max(0, ...positions.map(([, position]) => position + 1)) };
      plans.set(row.layout, plan);
    }
    if (plan.decode === 0) continue;
    const decoded = decodeInto(row.values, values, plan.decode);
    const bucket = floorTo(row.timeMs, bucketMs);
    for (const [index, position] of plan.positions) {
      const acc = current[index];
      if (acc === undefined || position >= decoded) continue;
      const value = values[position] ?? 0;
      if (acc.timeMs !== bucket) {
        flush(index);
        acc.timeMs = bucket;
        acc.n = 1;
        acc.sum = acc.min = acc.max = value;
      } else {
        acc.n++;
        acc.sum += value;
        if (value < acc.min) acc.min = value;
        if (value > acc.max) acc.max = value;
      }
    }
  }
  chosen.forEach((_, index) => flush(index));
}

// Rows of `tier` where it is rolled up, the finer tiers for the rest.
async function collect(source: HistorySource, tier: Tier, chosen: SeriesRow[], buckets: Buckets[], fromMs: number, toMs: number, bucketMs: number): Promise<void> {
  if (fromMs >= toMs) return;
  if (tier === 'raw') return collectRaw(source, chosen, buckets, fromMs, toMs, bucketMs);
  const built = (await source.builtUntilMs(tier)) ?? fromMs;
  const middleMs = Math.max(fromMs, Math.min(toMs, built));
  if (fromMs < middleMs && chosen.length > 0) {
    const rows = await source.rollupBuckets(tier, chosen.map((series) => series.id), fromMs, middleMs, bucketMs);
    chosen.forEach((series, index) => {
      const target = buckets[index];
      if (target !== undefined) for (const row of rows.get(series.id) ?? []) accumulate(target, row.timeMs, row);
    });
  }
  await collect(source, tier === 'hour' ? 'minute' : 'raw', chosen, buckets, middleMs, toMs, bucketMs);
}

function toPoints(buckets: Buckets, scale: number): SeriesPoint[] {
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([timeMs, acc]) => ({ timeMs, avg: acc.sum / acc.n / scale, min: acc.min / scale, max: acc.max / scale }));
}

export function validateHistoryQuery(query: HistoryQuery): string | undefined {
  if (!Number.isFinite(query.startMs) || !Number.isFinite(query.endMs)) return 'start and end must be times';
  if (query.endMs < query.startMs) return `end (${new Date(query.endMs).toISOString()}) is before start (${new Date(query.startMs).toISOString()})`;
  if (!Number.isInteger(query.maxPoints) || query.maxPoints < 1) return `max_points must be a whole number of at least 1, not ${query.maxPoints}`;
  if (query.stepMs !== undefined && !(query.stepMs >= 0)) return `step must be a non-negative duration, not ${query.stepMs} ms`;
  return undefined;
}

export async function queryHistory(source: HistorySource, query: HistoryQuery): Promise<HistoryResult> {
  const invalid = validateHistoryQuery(query);
  if (invalid !== undefined) throw new HistoryQueryError(invalid);
  const selectors = parseFields(query.fields);
  if (!selectors.ok) throw new HistoryQueryError(selectors.error);
  const all = await source.series();
  const chosen = all.filter((row) => selectors.value.some((selector) => matches(row, selector)));
  const spanMs = query.endMs - query.startMs;
  const desiredStepMs = Math.max(query.stepMs ?? 0, Math.ceil(spanMs / Math.max(1, query.maxPoints - 1)), 1000);
  const tier = await chooseTier(source, preferredTier(spanMs, query.maxPoints, desiredStepMs), query.startMs, chosen.map((row) => row.id));
  const tierStepMs = TIER_STEP_MS[tier];
  let bucketMs = tierStepMs === 0 ? desiredStepMs : Math.ceil(desiredStepMs / tierStepMs) * tierStepMs;
  while (bucketCount(query.startMs, query.endMs, bucketMs) > query.maxPoints) bucketMs *= 2;
  const buckets = chosen.map((): Buckets => new Map());
  await collect(source, tier, chosen, buckets, floorTo(query.startMs, bucketMs), query.endMs + 1, bucketMs);
  const series: Record<string, SeriesPoint[]> = {};
  // A field asked for by name gets its key even without data, so a client can tell "no data" from a typo.
  for (const selector of selectors.value) {
    if (selector.entity !== undefined) series[seriesKey({ metric: selector.metric, entity: selector.entity })] = [];
    else if (!chosen.some((row) => row.metric === selector.metric)) series[selector.metric] = [];
  }
  chosen.forEach((row, index) => {
    series[seriesKey(row)] = toPoints(buckets[index] ?? new Map(), row.scale);
  });
  return { tier, stepMs: bucketMs, series };
}
