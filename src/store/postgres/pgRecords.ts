// Alerts and host events in PostgreSQL, for one host per call: an alert is one upsert, a batch of
// events one statement (all or nothing; an id the host already stored is skipped).
import type pg from 'pg';
import type { DeliveryStatus } from '../../alert/channel.ts';
import type { Alert } from '../../alert/model.ts';
import type { HostEvent } from '../../events/model.ts';
import { alertColumns, alertQuerySql, storedAlert } from '../alertRecords.ts';
import { type EventRow, eventColumns, eventQuerySql, hostEvent } from '../eventRecords.ts';
import { PG_PLACEHOLDER } from '../queryParams.ts';
import type { AlertQuery, EventQuery, StoredAlert } from '../store.ts';

type AlertRow = { host_id: string; body: string; deliveries: string };

export async function saveAlert(client: pg.ClientBase, hostId: string, alert: Alert, deliveries: readonly DeliveryStatus[]): Promise<void> {
  const row = alertColumns(alert, deliveries);
  await client.query(
    `INSERT INTO alert (host_id, id, time_ms, severity, type, state, dedup_key, resolved_ms, body, deliveries) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (host_id, id) DO UPDATE SET time_ms = excluded.time_ms, severity = excluded.severity, type = excluded.type, state = excluded.state,
     dedup_key = excluded.dedup_key, resolved_ms = excluded.resolved_ms, body = excluded.body, deliveries = excluded.deliveries`,
    [hostId, row.id, row.timeMs, row.severity, row.type, row.state, row.dedupKey, row.resolvedMs, row.body, row.deliveries],
  );
}

// One statement, so the batch commits whole or not at all; unnest keeps the batch's order for seq.
export async function saveEvents(client: pg.ClientBase, hostId: string, events: readonly HostEvent[]): Promise<void> {
  const rows = events.map((event) => eventColumns(event, hostId));
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO event (host_id, id, time_ms, type, pid, comm, body)
     SELECT $1, id, time_ms, type, pid, comm, body FROM unnest($2::text[], $3::bigint[], $4::text[], $5::int[], $6::text[], $7::jsonb[])
       WITH ORDINALITY AS batch (id, time_ms, type, pid, comm, body, position) ORDER BY position
     ON CONFLICT (host_id, id) DO NOTHING`,
    [hostId, rows.map((r) => r.id), rows.map((r) => r.timeMs), rows.map((r) => r.type), rows.map((r) => r.pid), rows.map((r) => r.comm), rows.map((r) => r.body)],
  );
}

export async function queryAlerts(client: pg.ClientBase, query: AlertQuery, hostId: string): Promise<StoredAlert[]> {
  const { sql, params } = alertQuerySql(query, hostId, PG_PLACEHOLDER, (column) => `${column}::text`);
  return (await client.query<AlertRow>(sql, params)).rows.map(storedAlert);
}

export async function queryAlert(client: pg.ClientBase, id: string, hostId: string): Promise<StoredAlert | undefined> {
  const result = await client.query<AlertRow>('SELECT host_id, body::text AS body, deliveries::text AS deliveries FROM alert WHERE host_id = $1 AND id = $2', [hostId, id]);
  const row = result.rows[0];
  return row === undefined ? undefined : storedAlert(row);
}

export async function queryEvents(client: pg.ClientBase, query: EventQuery, hostId: string): Promise<HostEvent[]> {
  const { sql, params } = eventQuerySql(query, hostId, { placeholder: PG_PLACEHOLDER, seq: 'seq', body: 'body::text' });
  return (await client.query<EventRow>(sql, params)).rows.map(hostEvent);
}
