// History series: names from the metric table (src/detect/metrics.ts), "metric:entity" keys for
// per-entity metrics, the fixed-point scale each unit is stored at, and extraction from a snapshot.
import type { MetricsSnapshot } from '../collect/types.ts';
import { METRICS, METRIC_NAMES, type MetricName, type Unit, isMetricName } from '../detect/metrics.ts';
import { type ParseResult, fail, ok } from '../sys/result.ts';

// Values are stored as integers: value * scale, rounded. The collectors round percentages to
// 0.01 and the load ratio to 0.001, so these scales lose nothing they report.
export const UNIT_SCALE: Record<Unit, number> = { percent: 100, celsius: 100, bytes: 1, count: 1, per_second: 100, ratio: 1000 };

export interface SeriesRef {
  metric: MetricName;
  // '' for metrics without entities
  entity: string;
}

export interface SeriesValue extends SeriesRef {
  value: number;
}

// "disk_used_percent:/" or "memory_used_percent": the name the API and history results use.
export function seriesKey(ref: SeriesRef): string {
  return ref.entity === '' ? ref.metric : `${ref.metric}:${ref.entity}`;
}

// A requested field: a metric name (every entity of a per-entity metric) or "name:entity".
export interface FieldSelector {
  metric: MetricName;
  // undefined: every entity the history holds
  entity?: string;
}

export function parseField(field: string): ParseResult<FieldSelector> {
  const colon = field.indexOf(':');
  const metric = colon < 0 ? field : field.slice(0, colon);
  if (!isMetricName(metric)) return fail(`'${field.slice(0, 80)}' is not a history series; expected a metric name (${METRIC_NAMES.join(', ')}), optionally followed by :entity as in "disk_used_percent:/"`);
  return ok(colon < 0 ? { metric } : { metric, entity: field.slice(colon + 1) });
}

export function parseFields(fields: string[]): ParseResult<FieldSelector[]> {
  const selectors: FieldSelector[] = [];
  for (const field of fields.length === 0 ? DEFAULT_FIELDS : fields) {
    const parsed = parseField(field);
    if (!parsed.ok) return parsed;
    selectors.push(parsed.value);
  }
  return ok(selectors);
}

// What a history query without fields returns: the dashboard's overview.
export const DEFAULT_FIELDS: readonly string[] = [
  'cpu_busy_percent',
  'cpu_iowait_percent',
  'cpu_load1_per_cpu_ratio',
  'memory_used_percent',
  'swap_used_percent',
  'pressure_cpu_some_percent',
  'pressure_memory_some_percent',
  'pressure_io_some_percent',
  'disk_used_percent',
  'temperature_celsius',
];

export function scaleOf(metric: MetricName): number {
  return UNIT_SCALE[METRICS[metric].unit];
}

// Every numeric series the metric table reads from this snapshot; non-finite values are left out.
export function extractSeries(snapshot: MetricsSnapshot): SeriesValue[] {
  const values: SeriesValue[] = [];
  for (const metric of METRIC_NAMES) {
    const read = METRICS[metric].read(snapshot);
    if (read === undefined) continue;
    for (const { entity, value } of read) {
      if (Number.isFinite(value)) values.push({ metric, entity: entity ?? '', value });
    }
  }
  return values;
}

// The stored integer for a value; clamped so zigzag varint arithmetic stays exact.
export function toStored(value: number, scale: number): number {
  const scaled = Math.round(value * scale);
  return Math.max(-Number.MAX_SAFE_INTEGER / 2, Math.min(Number.MAX_SAFE_INTEGER / 2, scaled));
}
