// Routes that read the store: metric history (raw or a rollup tier), anomaly episodes, fleet hosts.
import { z } from 'zod';
import type { Category } from '../detect/metrics.ts';
import { isMetricName, METRIC_NAMES } from '../detect/metrics.ts';
import type { Severity } from '../detect/rules.ts';
import { type ParseResult, fail, ok } from '../sys/result.ts';
import { enumParam, hostParam, instantParam, integerParam, listParam, spanParam } from './params.ts';
import { apiError, type ApiDeps, defineRoute, iso, json, type Reply, type Route } from './route.ts';

const CATEGORIES: readonly Category[] = ['cpu', 'memory', 'temperature', 'disk', 'usb', 'network', 'system'];
const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical'];
const HOUR_MS = 3_600_000;

// "name" or "name:entity", the name from the metric table (src/detect/metrics.ts).
export function parseField(text: string): ParseResult<string> {
  const name = text.split(':')[0] ?? '';
  return isMetricName(name) ? ok(text) : fail(`unknown series '${text.slice(0, 60)}'; series are ${METRIC_NAMES.join(', ')}, optionally followed by :ENTITY (a mount point, sensor, device or interface)`);
}

function timeRange(query: { start?: number; end?: number }, nowMs: number, defaultSpanMs: number): { startMs: number; endMs: number } | Reply {
  const endMs = query.end ?? nowMs;
  const startMs = query.start ?? endMs - defaultSpanMs;
  if (startMs >= endMs) return apiError(400, `start: ${iso(startMs)} is not before end (${iso(endMs)})`, 'start');
  return { startMs, endMs };
}

interface HistoryQuery {
  start?: number;
  end?: number;
  step?: number;
  fields?: string[];
  max_points?: number;
  host?: string;
}

async function history(deps: ApiDeps, query: HistoryQuery, nowMs: number): Promise<Reply> {
  const range = timeRange(query, nowMs, HOUR_MS);
  if ('status' in range) return range;
  const result = await deps.store.history({
    ...range,
    fields: query.fields ?? [],
    maxPoints: query.max_points ?? deps.settings.maxPoints,
    ...(query.step === undefined ? {} : { stepMs: query.step }),
    ...(query.host === undefined ? {} : { hostId: query.host }),
  });
  return json(200, { start: iso(range.startMs), end: iso(range.endMs), ...result });
}

interface AnomaliesQuery {
  start?: number;
  end?: number;
  severity?: Severity;
  category?: Category;
  limit?: number;
  host?: string;
}

async function anomalies(deps: ApiDeps, query: AnomaliesQuery): Promise<Reply> {
  if (query.start !== undefined && query.end !== undefined && query.start >= query.end) return apiError(400, `start: ${iso(query.start)} is not before end (${iso(query.end)})`, 'start');
  const list = await deps.store.anomalies({
    limit: query.limit ?? 100,
    ...(query.start === undefined ? {} : { startMs: query.start }),
    ...(query.end === undefined ? {} : { endMs: query.end }),
    ...(query.severity === undefined ? {} : { severity: query.severity }),
    ...(query.category === undefined ? {} : { category: query.category }),
    ...(query.host === undefined ? {} : { hostId: query.host }),
  });
  return json(200, { count: list.length, anomalies: list });
}

export function historyRoutes(deps: ApiDeps): Route[] {
  const now = deps.now;
  return [
    defineRoute({
      path: '/api/v1/metrics/history',
      tag: 'metrics',
      summary: 'Series over a time range, from raw snapshots or a 1-minute or 1-hour rollup (avg/min/max per point)',
      description: 'The tier is the finest one that answers with at most max_points points per series.',
      query: z.strictObject({
        start: instantParam('from (default: an hour before end)', now).optional(),
        end: instantParam('to (default: now)', now).optional(),
        step: spanParam('the spacing of points wanted; a coarser one is used if the range would need more than max_points').optional(),
        fields: listParam(`series, comma-separated: ${METRIC_NAMES.join(', ')}; NAME:ENTITY picks one entity (disk_used_percent:/); default an overview set`, parseField).optional(),
        max_points: integerParam('at most this many points per series (default [api] max_points, 1000)', 1, 100_000).optional(),
        host: hostParam.optional(),
      }),
      responses: { 200: '{start, end, tier, stepMs, series: {name: [{timeMs, avg, min, max}]}}', 400: 'a bad parameter' },
      handle: ({ query, nowMs }) => history(deps, query, nowMs),
    }),
    defineRoute({
      path: '/api/v1/anomalies',
      tag: 'anomalies',
      summary: 'Anomaly episodes (open and closed), newest first',
      query: z.strictObject({
        start: instantParam('episodes active at or after', now).optional(),
        end: instantParam('episodes that started before', now).optional(),
        severity: enumParam('only this severity', SEVERITIES).optional(),
        category: enumParam('only this category', CATEGORIES).optional(),
        limit: integerParam('at most this many (default 100)', 1, 1000).optional(),
        host: hostParam.optional(),
      }),
      responses: { 200: '{count, anomalies: [episode]}', 400: 'a bad parameter' },
      handle: ({ query }) => anomalies(deps, query),
    }),
    defineRoute({
      path: '/api/v1/anomalies/{id}',
      tag: 'anomalies',
      summary: 'One anomaly episode with its trigger values',
      responses: { 200: 'the episode', 404: 'no episode with that id' },
      handle: async ({ params }) => {
        const id = params['id'] ?? '';
        const episode = /^[A-Za-z0-9._:-]{1,128}$/.test(id) ? await deps.store.anomaly(id) : undefined;
        return episode ? json(200, episode) : apiError(404, `no anomaly with id '${id.slice(0, 128)}'`, 'id');
      },
    }),
    defineRoute({
      path: '/api/v1/hosts',
      tag: 'fleet',
      summary: 'The hosts whose history the store holds (one with SQLite; every writer with PostgreSQL)',
      responses: { 200: '{hosts: [{hostId, hostname, firstSeenMs, lastSeenMs}]}' },
      handle: async () => json(200, { self: deps.store.hostId, hosts: await deps.store.hosts() }),
    }),
  ];
}
