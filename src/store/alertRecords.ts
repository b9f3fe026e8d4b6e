// Alerts as both backends store them: indexed columns for the filters, the alert and its
// deliveries as JSON; and the alert query both run (newest first).
import type { DeliveryStatus } from '../alert/channel.ts';
import type { Alert } from '../alert/model.ts';
import { type Placeholder, QueryParams } from './queryParams.ts';
import type { AlertQuery, StoredAlert } from './store.ts';

export interface AlertColumns {
  id: string;
  timeMs: number;
  severity: string;
  type: string;
  state: string;
  dedupKey: string;
  resolvedMs: number | null;
  body: string;
  deliveries: string;
}

export function alertColumns(alert: Alert, deliveries: readonly DeliveryStatus[]): AlertColumns {
  if (!Number.isSafeInteger(alert.timeMs)) throw new RangeError(`alert ${alert.id}: timeMs must be a whole number of milliseconds, not ${alert.timeMs}`);
  return {
    id: alert.id,
    timeMs: alert.timeMs,
    severity: alert.severity,
    type: alert.type,
    state: alert.state,
    dedupKey: alert.dedupKey,
    resolvedMs: alert.resolvedMs ?? null,
    body: JSON.stringify(alert),
    deliveries: JSON.stringify(deliveries),
  };
}

export function storedAlert(row: { host_id: string; body: string; deliveries: string }): StoredAlert {
  return { ...(JSON.parse(row.body) as Alert), hostId: row.host_id, deliveries: JSON.parse(row.deliveries) as DeliveryStatus[] };
}

// Alerts that fired within [startMs, endMs] (both ends included), as the alert system's own
// history filters them; ties in time by id, so the order is the same on both backends.
export function alertQuerySql(query: AlertQuery, hostId: string, placeholder: Placeholder, jsonAsText: (column: string) => string): { sql: string; params: unknown[] } {
  const params = new QueryParams(placeholder);
  const clauses = [`host_id = ${params.add(hostId)}`];
  if (query.severity !== undefined) clauses.push(`severity = ${params.add(query.severity)}`);
  if (query.type !== undefined) clauses.push(`type = ${params.add(query.type)}`);
  if (query.state !== undefined) clauses.push(`state = ${params.add(query.state)}`);
  if (query.startMs !== undefined) clauses.push(`time_ms >= ${params.add(query.startMs)}`);
  if (query.endMs !== undefined) clauses.push(`time_ms <= ${params.add(query.endMs)}`);
  const sql =
    `SELECT host_id, ${jsonAsText('body')} AS body, ${jsonAsText('deliveries')} AS deliveries FROM alert ` +
    `WHERE ${clauses.join(' AND ')} ORDER BY time_ms DESC, id DESC LIMIT ${params.add(query.limit)}`;
  return { sql, params: params.values };
}
