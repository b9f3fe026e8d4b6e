// The REST API v1 route table: each route's parameters, documentation and handler in one place.
import { z } from 'zod';
import type { ProcessInfo } from '../collect/types.ts';
import { CURRENT_CONTENT_TYPE, CURRENT_PATH, matchesIfNoneMatch } from './currentAnswer.ts';
import { eventsRoutes } from './routesEvents.ts';
import { historyRoutes } from './routesHistory.ts';
import { apiError, type ApiDeps, defineRoute, iso, json, type Reply, type Route } from './route.ts';
import { enumParam, hostParam, integerParam } from './params.ts';
import { jsonArrayChunks } from './streamJson.ts';

const NO_SNAPSHOT = 'no snapshot has been taken yet; the first comes within one sampling interval';
const PROCESS_SORTS = { cpu: 'topByCpu', rss: 'topByMemory', io: 'topByIo' } as const;

async function health(deps: ApiDeps, nowMs: number): Promise<Reply> {
  const status = deps.hub.status;
  const storeOk = await deps.store.healthy().catch(() => false);
  status.store.healthy = storeOk;
  return json(storeOk ? 200 : 503, {
    status: storeOk ? 'ok' : 'degraded',
    version: status.version,
    uptimeSeconds: (nowMs - status.startTimeMs) / 1000,
    store: { kind: status.store.kind, ok: storeOk },
    sampler: { level: status.sampler.level, lastCollection: iso(status.sampler.lastCollectionMs) },
  });
}

function monitoringStatus(deps: ApiDeps, nowMs: number): Reply {
  const { sampler, anomalies, store, websocket, ...daemon } = deps.hub.status;
  const duration = sampler.collectionDuration;
  return json(200, {
    hostId: daemon.hostId,
    version: daemon.version,
    uptimeSeconds: (nowMs - daemon.startTimeMs) / 1000,
    sampler: {
      level: sampler.level,
      levelSince: iso(sampler.levelSinceMs),
      intervalSeconds: sampler.intervalMs / 1000,
      lastCollection: iso(sampler.lastCollectionMs),
      collections: duration.count,
      collectionSeconds: { mean: duration.count === 0 ? null : duration.sumSeconds / duration.count, max: duration.maxSeconds },
      tickLateness: { maxSeconds: sampler.tickLateness.maxSeconds, over100ms: sampler.tickLateness.countAbove(0.1), ticks: sampler.tickLateness.count },
      collectorErrorsTotal: sampler.collectorErrorsTotal,
    },
    anomalies,
    store: { kind: store.kind, healthy: store.healthy, sizeBytes: store.sizeBytes ?? null, writeErrorsTotal: store.writeErrorsTotal, writesPending: store.writesPending, lastError: store.lastError ?? null },
    websocket,
  });
}

function processes(deps: ApiDeps, query: { sort?: keyof typeof PROCESS_SORTS; limit?: number }): Reply {
  const snapshot = deps.hub.latest;
  if (!snapshot) return apiError(503, NO_SNAPSHOT);
  if (!snapshot.processes) return apiError(503, 'the processes collector is off or failed ([collectors] processes)');
  const sort = query.sort ?? 'cpu';
  const list: ProcessInfo[] = snapshot.processes[PROCESS_SORTS[sort]];
  return json(200, { timestamp: snapshot.timestamp, sort, total: snapshot.processes.total, processes: list.slice(0, query.limit ?? 10) });
}

export function buildRoutes(deps: ApiDeps): Route[] {
  return [
    defineRoute({
      path: '/health',
      tag: 'system',
      summary: 'Liveness: status, version, uptime, whether the store answers',
      responses: { 200: 'healthy', 503: 'the store does not answer (status "degraded")' },
      handle: ({ nowMs }) => health(deps, nowMs),
    }),
    defineRoute({
      path: '/api/v1/system/info',
      tag: 'system',
      summary: 'The host: hostname, OS, kernel, CPU model and cores, boot time; the collectors that run',
      responses: { 200: 'the system section of the latest snapshot (null before the first)' },
      handle: () => json(200, { hostId: deps.hub.status.hostId, version: deps.hub.status.version, collectors: deps.collectors, system: deps.hub.latest?.system ?? null }),
    }),
    defineRoute({
      path: CURRENT_PATH,
      tag: 'metrics',
      summary: 'The latest MetricsSnapshot (docs/snapshot.md), served from memory',
      description: 'With an ETag (a digest of the body) and Last-Modified (the snapshot time); If-None-Match with the current ETag gets 304 and no body.',
      responses: { 200: 'the snapshot', 304: 'not modified: If-None-Match named the current ETag', 503: 'no snapshot yet (right after start)' },
      handle: ({ headers }) => {
        const answer = deps.hub.currentAnswer;
        if (!answer) return apiError(503, NO_SNAPSHOT);
        if (matchesIfNoneMatch(headers['if-none-match'], answer.etag)) return { status: 304, empty: true, headers: answer.headers };
        return { status: 200, raw: answer.body, contentType: CURRENT_CONTENT_TYPE, headers: answer.headers };
      },
    }),
    ...historyRoutes(deps),
    ...eventsRoutes(deps),
    defineRoute({
      path: '/api/v1/processes',
      tag: 'processes',
      summary: 'The top processes of the latest snapshot by CPU, resident memory or I/O',
      query: z.strictObject({
        sort: enumParam('order: cpu (% of one CPU), rss (resident bytes) or io (read + write bytes/s)', ['cpu', 'rss', 'io'] as const).optional(),
        limit: integerParam('at most this many (the snapshot keeps [collectors] top_processes per list)', 1, 1000).optional(),
      }),
      responses: { 200: 'the processes', 400: 'a bad parameter', 503: 'no snapshot yet, or the processes collector is off' },
      handle: ({ query }) => processes(deps, query),
    }),
    defineRoute({
      path: '/api/v1/monitoring/status',
      tag: 'monitoring',
      summary: 'The daemon itself: sampler level, last collection, tick lateness, store size and health, WebSocket clients',
      responses: { 200: 'the status' },
      handle: ({ nowMs }) => monitoringStatus(deps, nowMs),
    }),
    defineRoute({
      path: '/api/v1/monitoring/snapshots/recent',
      tag: 'monitoring',
      summary: 'Every raw snapshot of the last minutes, oldest first',
      query: z.strictObject({ minutes: integerParam('how far back (whole snapshots are kept for [store] recent_window, default 15 minutes)', 1, 1440).optional(), host: hostParam.optional() }),
      responses: { 200: '{"snapshots": [...]}', 400: 'a bad parameter' },
      handle: async ({ query, nowMs }) => {
        const minutes = (query.minutes as number | undefined) ?? 10;
        const snapshots = await deps.store.snapshotsSince(nowMs - minutes * 60_000, query.host as string | undefined);
        return { status: 200, stream: () => jsonArrayChunks('snapshots', snapshots) };
      },
    }),
  ];
}
