// Alerts and host events on the writer connection: an alert is one upsert, a batch of events one
// transaction (all or nothing; an id already stored for the host is skipped).
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { DeliveryStatus } from '../../alert/channel.ts';
import type { Alert } from '../../alert/model.ts';
import type { HostEvent } from '../../events/model.ts';
import { alertColumns } from '../alertRecords.ts';
import { eventColumns } from '../eventRecords.ts';

export class RecordWriter {
  private readonly db: DatabaseSync;
  private readonly hostId: string;
  private readonly upsertAlert: StatementSync;
  private readonly insertEvent: StatementSync;

  constructor(db: DatabaseSync, hostId: string) {
    this.db = db;
    this.hostId = hostId;
    this.upsertAlert = db.prepare(
      'INSERT INTO alert (id, host_id, time_ms, severity, type, state, dedup_key, resolved_ms, body, deliveries) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ' +
        'ON CONFLICT (id) DO UPDATE SET host_id = excluded.host_id, time_ms = excluded.time_ms, severity = excluded.severity, type = excluded.type, ' +
        'state = excluded.state, dedup_key = excluded.dedup_key, resolved_ms = excluded.resolved_ms, body = excluded.body, deliveries = excluded.deliveries',
    );
    this.insertEvent = db.prepare('INSERT INTO event (host_id, id, time_ms, type, pid, comm, body) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id, host_id) DO NOTHING');
  }

  saveAlert(alert: Alert, deliveries: readonly DeliveryStatus[]): void {
    const row = alertColumns(alert, deliveries);
    this.upsertAlert.run(row.id, this.hostId, row.timeMs, row.severity, row.type, row.state, row.dedupKey, row.resolvedMs, row.body, row.deliveries);
  }

  saveEvents(events: readonly HostEvent[]): void {
    // every event checked before the transaction begins: a bad one rejects the batch untouched
    const rows = events.map((event) => eventColumns(event, this.hostId));
    if (rows.length === 0) return;
    this.db.exec('BEGIN IMMEDIATE');
    try {
      for (const row of rows) this.insertEvent.run(this.hostId, row.id, row.timeMs, row.type, row.pid, row.comm, row.body);
      this.db.exec('COMMIT');
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }
}
