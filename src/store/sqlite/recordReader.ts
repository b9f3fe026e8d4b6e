// Alert and host-event queries over the query worker's connection (src/store/sqlite/reader.ts
// has the history ones); newest first, filtered by host like every other read.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { HostEvent } from '../../events/model.ts';
import { alertQuerySql, storedAlert } from '../alertRecords.ts';
import { type EventRow, eventQuerySql, hostEvent } from '../eventRecords.ts';
import { SQLITE_PLACEHOLDER } from '../queryParams.ts';
import type { AlertQuery, EventQuery, StoredAlert } from '../store.ts';

type Bindable = string | number | null;

export class RecordReader {
  private readonly db: DatabaseSync;
  private readonly alertById: StatementSync;

  constructor(db: DatabaseSync) {
    this.db = db;
    this.alertById = db.prepare('SELECT host_id, body, deliveries FROM alert WHERE id = ? AND host_id = ?');
  }

  alerts(query: AlertQuery, hostId: string): StoredAlert[] {
    const { sql, params } = alertQuerySql(query, hostId, SQLITE_PLACEHOLDER, (column) => column);
    const rows = this.db.prepare(sql).all(...(params as Bindable[])) as unknown as Array<{ host_id: string; body: string; deliveries: string }>;
    return rows.map(storedAlert);
  }

  alert(id: string, hostId: string): StoredAlert | undefined {
    const row = this.alertById.get(id, hostId) as { host_id: string; body: string; deliveries: string } | undefined;
    return row === undefined ? undefined : storedAlert(row);
  }

  events(query: EventQuery, hostId: string): HostEvent[] {
    const { sql, params } = eventQuerySql(query, hostId, { placeholder: SQLITE_PLACEHOLDER, seq: 'rowid', body: 'body' });
    const rows = this.db.prepare(sql).all(...(params as Bindable[])) as unknown as EventRow[];
    return rows.map(hostEvent);
  }
}
