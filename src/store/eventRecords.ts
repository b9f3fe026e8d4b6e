// Host events as both backends store them: the filtered fields as columns, the rest (source,
// message, data) as JSON; and the event query both run (newest first).
import type { HostEvent } from '../events/model.ts';
import { type Placeholder, QueryParams } from './queryParams.ts';
import type { EventQuery } from './store.ts';

export interface EventColumns {
  id: string;
  timeMs: number;
  type: string;
  pid: number | null;
  comm: string | null;
  body: string;
}

export interface EventRow {
  host_id: string;
  id: string;
  time_ms: number;
  type: string;
  pid: number | null;
  comm: string | null;
  body: string;
}

interface EventBody {
  source: HostEvent['source'];
  message: string;
  data: Record<string, unknown>;
  // only when it differs from the row's host id: most events name the host that stores them
  host?: string;
}

// Throws before anything is written when an event cannot be stored, naming it.
export function eventColumns(event: HostEvent, hostId: string): EventColumns {
  if (!Number.isSafeInteger(event.timeMs)) throw new RangeError(`event ${event.id}: timeMs must be a whole number of milliseconds, not ${event.timeMs}`);
  if (event.pid !== undefined && !Number.isSafeInteger(event.pid)) throw new RangeError(`event ${event.id}: pid must be a whole number, not ${event.pid}`);
  const body: EventBody = { source: event.source, message: event.message, data: event.data };
  if (event.host !== hostId) body.host = event.host;
  return { id: event.id, timeMs: event.timeMs, type: event.type, pid: event.pid ?? null, comm: event.comm ?? null, body: JSON.stringify(body) };
}

export function hostEvent(row: EventRow): HostEvent {
  const body = JSON.parse(row.body) as EventBody;
  const event: HostEvent = { id: row.id, timeMs: row.time_ms, host: body.host ?? row.host_id, type: row.type as HostEvent['type'], source: body.source, message: body.message, data: body.data };
  if (row.pid !== null) event.pid = row.pid;
  if (row.comm !== null) event.comm = row.comm;
  return event;
}

export interface EventDialect {
  placeholder: Placeholder;
  // the column that orders events stored in the same millisecond: the later stored comes first
  seq: string;
  // how the body column is read as JSON text
  body: string;
}

// One type, or none: one ordered index scan that stops at the limit. Several types: one such scan
// per type, each limited, merged; an IN list would read every row of those types and sort them.
export function eventQuerySql(query: EventQuery, hostId: string, dialect: EventDialect): { sql: string; params: unknown[] } {
  const params = new QueryParams(dialect.placeholder);
  const types = [...new Set(query.types ?? [])];
  const columns = `host_id, id, time_ms, type, pid, comm, ${dialect.body} AS body, ${dialect.seq} AS seq`;
  const select = (type: string | undefined): string => {
    const clauses = [`host_id = ${params.add(hostId)}`];
    if (type !== undefined) clauses.push(`type = ${params.add(type)}`);
    if (query.pid !== undefined) clauses.push(`pid = ${params.add(query.pid)}`);
    if (query.comm !== undefined) clauses.push(`comm = ${params.add(query.comm)}`);
    if (query.startMs !== undefined) clauses.push(`time_ms >= ${params.add(query.startMs)}`);
    if (query.endMs !== undefined) clauses.push(`time_ms <= ${params.add(query.endMs)}`);
    return `SELECT ${columns} FROM event WHERE ${clauses.join(' AND ')} ORDER BY time_ms DESC, ${dialect.seq} DESC LIMIT ${params.add(query.limit)}`;
  };
  if (types.length <= 1) return { sql: select(types[0]), params: params.values };
  const parts = types.map((type, index) => `SELECT * FROM (${select(type)}) AS by_type_${index}`);
  const sql = `${parts.join(' UNION ALL ')} ORDER BY time_ms DESC, seq DESC LIMIT ${params.add(query.limit)}`;
  return { sql, params: params.values };
}
