// Routes for what happened rather than what is measured: alerts, host events (exec, exit, kernel
// OOM kills, guard actions), the I/O tops and the tracer's status with its losses.
import { z } from 'zod';
import type { DeliveryStatus } from '../alert/channel.ts';
import { ALERT_TYPES, type Alert } from '../alert/model.ts';
import type { IoTop } from '../events/ioTop.ts';
import { HOST_EVENT_TYPES, type HostEventType } from '../events/model.ts';
import { type ParseResult, fail, ok } from '../sys/result.ts';
import type { TraceStats } from '../trace/tracer.ts';
import { enumParam, hostParam, instantParam, integerParam, listParam, spanParam } from './params.ts';
import { apiError, type ApiDeps, defineRoute, iso, json, type Reply, type Route } from './route.ts';

// What the daemon lends these routes: its alerts (the store keeps them all) and the tracer's state.
export interface EventsApi {
  acknowledge: (id: string) => Promise<Alert | undefined>;
  // firing now (acknowledged ones included), from memory
  activeAlerts: () => Alert[];
  // each channel with its last delivery status
  channels: () => Array<{ channel: string; last?: DeliveryStatus }>;
  // a test alert through every channel, past noise control; each channel's result
  testAlert: () => Promise<DeliveryStatus[]>;
  ioTop?: IoTop;
  // undefined: tracing is off; reason says why
  traceStats: () => TraceStats | undefined;
  traceOffReason?: string;
}

const SEVERITIES = ['info', 'warning', 'critical'] as const;
const STATES = ['firing', 'resolved', 'acknowledged'] as const;
const ID = /^[A-Za-z0-9._:-]{1,128}$/;

function eventType(text: string): ParseResult<HostEventType> {
  return (HOST_EVENT_TYPES as readonly string[]).includes(text) ? ok(text as HostEventType) : fail(`'${text.slice(0, 40)}' is not an event type (${HOST_EVENT_TYPES.join(', ')})`);
}

function checkRange(query: { start?: number; end?: number }): Reply | undefined {
  return query.start !== undefined && query.end !== undefined && query.start >= query.end ? apiError(400, `start: ${iso(query.start)} is not before end (${iso(query.end)})`, 'start') : undefined;
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function alertRoutes(deps: ApiDeps): Route[] {
  const now = deps.now;
  return [
    defineRoute({
      path: '/api/v1/alerts',
      tag: 'alerts',
      summary: 'Alerts (firing, resolved, acknowledged) with their delivery status per channel, newest first',
      query: z.strictObject({
        start: instantParam('alerts raised at or after', now).optional(),
        end: instantParam('alerts raised before', now).optional(),
        severity: enumParam('only this severity', SEVERITIES).optional(),
        type: enumParam('only this type', ALERT_TYPES).optional(),
        state: enumParam('only this state', STATES).optional(),
        limit: integerParam('at most this many (default 100)', 1, 1000).optional(),
        host: hostParam.optional(),
      }),
      responses: { 200: '{count, alerts: [alert]}', 400: 'a bad parameter' },
      handle: async ({ query }) => {
        const bad = checkRange(query);
        if (bad) return bad;
        const alerts = await deps.store.alerts({ limit: query.limit ?? 100, ...optional('startMs', query.start), ...optional('endMs', query.end), ...optional('severity', query.severity), ...optional('type', query.type), ...optional('state', query.state), ...optional('hostId', query.host) });
        return json(200, { count: alerts.length, alerts });
      },
    }),
    defineRoute({
      path: '/api/v1/alerts/active',
      tag: 'alerts',
      summary: 'The alerts firing now (acknowledged ones included), newest first',
      responses: { 200: '{count, alerts: [alert]}' },
      handle: () => {
        const alerts = (deps.events?.activeAlerts() ?? []).sort((a, b) => b.timeMs - a.timeMs);
        return json(200, { count: alerts.length, alerts });
      },
    }),
    defineRoute({
      path: '/api/v1/alerts/channels',
      tag: 'alerts',
      summary: "Each configured channel and its last delivery (sent, or failed with the reason)",
      responses: { 200: '{channels: [{channel, last}]}' },
      handle: () => json(200, { channels: (deps.events?.channels() ?? []).map((c) => ({ channel: c.channel, last: c.last ?? null })) }),
    }),
    defineRoute({
      method: 'POST',
      path: '/api/v1/alerts/test',
      tag: 'alerts',
      summary: 'Sends a test alert through every configured channel, past noise control, and answers with each result',
      responses: { 200: '{results: [{channel, status, reason, attempts, durationMs}]}' },
      handle: async () => {
        const results = (await deps.events?.testAlert()) ?? [];
        return json(200, { count: results.length, results, ...(results.length === 0 ? { message: 'no channel is configured ([alerts] tables); /ws topic "alerts" needs none' } : {}) });
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/api/v1/alerts/{id}/ack',
      tag: 'alerts',
      summary: 'Acknowledges a firing alert: it stays until resolved, marked as seen by a person',
      responses: { 200: 'the alert, state "acknowledged"', 404: 'no alert with that id', 409: 'the alert has already resolved' },
      handle: async ({ params }) => {
        const id = params['id'] ?? '';
        const alert = ID.test(id) ? await deps.events?.acknowledge(id) : undefined;
        if (!alert) return apiError(404, `no alert with id '${id.slice(0, 128)}'`, 'id');
        return alert.state === 'resolved' ? apiError(409, `alert ${id} resolved at ${iso(alert.resolvedMs)}; there is nothing left to acknowledge`) : json(200, alert);
      },
    }),
    defineRoute({
      path: '/api/v1/alerts/{id}',
      tag: 'alerts',
      summary: 'One alert with its context and every delivery attempt',
      responses: { 200: 'the alert', 404: 'no alert with that id' },
      handle: async ({ params }) => {
        const id = params['id'] ?? '';
        const alert = ID.test(id) ? await deps.store.alert(id) : undefined;
        return alert ? json(200, alert) : apiError(404, `no alert with id '${id.slice(0, 128)}'`, 'id');
      },
    }),
  ];
}

function eventRoutes(deps: ApiDeps, api: EventsApi | undefined): Route[] {
  const now = deps.now;
  return [
    defineRoute({
      path: '/api/v1/events',
      tag: 'events',
      summary: 'Host events: exec, exit, kernel OOM victims, guard signals and graduated actions, trace losses and gaps; newest first',
      query: z.strictObject({
        start: instantParam('events at or after', now).optional(),
        end: instantParam('events before', now).optional(),
        type: listParam(`event types, comma-separated: ${HOST_EVENT_TYPES.join(', ')}`, eventType).optional(),
        pid: integerParam('only this process id', 1, 4_194_304).optional(),
        comm: z.string().min(1).max(64).describe('only this command name (exact)').optional(),
        limit: integerParam('at most this many (default 100)', 1, 10_000).optional(),
        host: hostParam.optional(),
      }),
      responses: { 200: '{count, events: [event]}', 400: 'a bad parameter' },
      handle: async ({ query }) => {
        const bad = checkRange(query);
        if (bad) return bad;
        const events = await deps.store.events({ limit: query.limit ?? 100, ...optional('startMs', query.start), ...optional('endMs', query.end), ...optional('types', query.type), ...optional('pid', query.pid), ...optional('comm', query.comm), ...optional('hostId', query.host) });
        return json(200, { count: events.length, events });
      },
    }),
    defineRoute({
      path: '/api/v1/io/top',
      tag: 'events',
      summary: 'Who reads, writes and opens the most over a recent window, by process or by file (from the tracer)',
      query: z.strictObject({
        by: enumParam('group by process or by file', ['process', 'file'] as const).optional(),
        window: spanParam('how far back (default 60s; at most [trace] io_window)').optional(),
        limit: integerParam('at most this many rows (default 20)', 1, 1000).optional(),
      }),
      responses: { 200: '{by, from, to, rows, incomplete, sampled}', 400: 'a bad parameter', 503: 'tracing is off (the message says why)' },
      handle: ({ query, nowMs }) => {
        if (!api?.ioTop || api.traceOffReason !== undefined) return apiError(503, `I/O tops need the tracer, which is off: ${api?.traceOffReason ?? 'not configured'}`);
        const top = api.ioTop.top(query.by ?? 'process', query.window ?? 60_000, nowMs, query.limit ?? 20);
        return json(200, { by: top.by, from: iso(top.fromMs), to: iso(top.toMs), rows: top.rows, incomplete: top.incomplete, sampled: top.sampled });
      },
    }),
    defineRoute({
      path: '/api/v1/trace/status',
      tag: 'events',
      summary: "The tracer: eBPF or sampled (and why), bpftrace's pid, restarts, gaps, and records sent, received and lost",
      responses: { 200: 'the status ({enabled: false, reason} when tracing is off)' },
      handle: () => {
        const stats = api?.traceStats();
        return json(200, stats ? { enabled: true, ...stats, liveSince: iso(stats.liveSinceMs) } : { enabled: false, reason: api?.traceOffReason ?? 'not configured' });
      },
    }),
  ];
}

export function eventsRoutes(deps: ApiDeps): Route[] {
  return [...alertRoutes(deps), ...eventRoutes(deps, deps.events)];
}
