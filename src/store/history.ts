// History queries for both backends: pick the tier, size the buckets so no series has more than
// maxPoints points, and merge a tier's rows with the finer tiers for the span not rolled up yet.
import type { MetricName } from '../detect/metrics.ts';
import { decodeValues } from './codec.ts';
import { type FieldSelector, parseFields, seriesKey } from './series.ts';
import type { HistoryQuery, HistoryResult, SeriesPoint, Tier } from './store.ts';
import { type Accumulator, TIERS, TIER_STEP_MS, accumulate, bucketCount, floorTo, single } from './tiers.ts';

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
  rollupBuckets(tier: 'minute' | 'hour', seriesId: number, fromMs: number, toMs: number, bucketMs: number): Promise<BucketRow[]>;
  rawRows(fromMs: number, toMs: number): Promise<RawRow[]>;
}

// A query the caller got wrong (unknown field, end before start): the API answers 400 with it.
export class HistoryQueryError extends Error {
  override name = 'HistoryQueryError';
}

function matches(row: SeriesRow, selector: FieldSelector): boolean {
  return row.metric === selector.metric && (selector.entity === undefined || selector.entity === row.entity);
}

async function chooseTier(source: HistorySource, desiredStepMs: number, startMs: number, seriesIds: number[]): Promise<Tier> {
  const fine = TIERS.filter((tier) => TIER_STEP_MS[tier] <= desiredStepMs).reverse();
  const coarse = TIERS.filter((tier) => TIER_STEP_MS[tier] > desiredStepMs);
  const oldest = new Map<Tier, number | undefined>();
  for (const tier of TIERS) oldest.set(tier, await source.oldestMs(tier, seriesIds));
  // The coarsest tier fine enough whose data reaches back to the start reads the fewest rows.
  for (const tier of [...fine, ...coarse]) {
    const first = oldest.get(tier);
    if (first !== undefined && first <= startMs) return tier;
  }
  // Else the one that reaches back furthest, preferring tiers fine enough.
  for (const group of [fine, coarse]) {
    let best: Tier | undefined;
    for (const tier of group) {
      const first = oldest.get(tier);
      if (first !== undefined && (best === undefined || first < (oldest.get(best) ?? Infinity))) best = tier;
    }
    if (best !== undefined) return best;
  }
  return fine[0] ?? 'raw';
}

type Buckets = Map<number, Accumulator>;

async function collectRaw(source: HistorySource, chosen: SeriesRow[], buckets: Buckets[], fromMs: number, toMs: number, bucketMs: number): Promise<void> {
  // Per layout: [index into chosen, position in the row's values] and how many values to decode.
  const plans = new Map<readonly number[], { positions: Array<[number, number]>; decode: number }>();
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
    const { positions, decode } = plan;
    if (decode === 0) continue;
    const values = decodeValues(row.values, decode);
    const bucket = floorTo(row.timeMs, bucketMs);
    for (const [index, position] of positions) {
      const value = values[position];
      const target = buckets[index];
      if (value !== undefined && target !== undefined) accumulate(target, bucket, single(value));
    }
  }
}

// Rows of `tier` where it is rolled up, the finer tiers for the rest.
async function collect(source: HistorySource, tier: Tier, chosen: SeriesRow[], buckets: Buckets[], fromMs: number, toMs: number, bucketMs: number): Promise<void> {
  if (fromMs >= toMs) return;
  if (tier === 'raw') return collectRaw(source, chosen, buckets, fromMs, toMs, bucketMs);
  const built = (await source.builtUntilMs(tier)) ?? fromMs;
  const middleMs = Math.max(fromMs, Math.min(toMs, built));
  if (fromMs < middleMs) {
    for (const [index, series] of chosen.entries()) {
      const target = buckets[index];
      if (target === undefined) continue;
      for (const row of await source.rollupBuckets(tier, series.id, fromMs, middleMs, bucketMs)) accumulate(target, row.timeMs, row);
    }
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
  const tier = await chooseTier(source, desiredStepMs, query.startMs, chosen.map((row) => row.id));
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
