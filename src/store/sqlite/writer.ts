// The insert path on the sampling thread: one short transaction per snapshot (the value blob,
// the deflated whole snapshot for the recent window, and the host row when it changes).
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { MetricsSnapshot } from '../../collect/types.ts';
import { encodeValues } from '../codec.ts';
import { extractSeries, toStored } from '../series.ts';
import { packSnapshot } from '../snapshotBody.ts';
import { HOUR_MS, MINUTE_MS, floorTo } from '../tiers.ts';
import type { SqliteCatalog } from './catalog.ts';
import { Meta } from './meta.ts';

export class SnapshotWriter {
  private readonly db: DatabaseSync;
  private readonly catalog: SqliteCatalog;
  private readonly meta: Meta;
  private readonly hostId: string;
  private readonly recentWindowMs: number;
  private readonly insertRaw: StatementSync;
  private readonly insertRecent: StatementSync;
  private readonly pruneRecent: StatementSync;
  private readonly upsertHost: StatementSync;
  private knownHostname: string | undefined;

  constructor(db: DatabaseSync, catalog: SqliteCatalog, meta: Meta, hostId: string, recentWindowMs: number) {
    this.db = db;
    this.catalog = catalog;
    this.meta = meta;
    this.hostId = hostId;
    this.recentWindowMs = recentWindowMs;
    this.insertRaw = db.prepare('INSERT OR REPLACE INTO raw (time_ms, layout_id, vals) VALUES (?, ?, ?)');
    this.insertRecent = db.prepare('INSERT OR REPLACE INTO recent (time_ms, body) VALUES (?, ?)');
    this.pruneRecent = db.prepare('DELETE FROM recent WHERE time_ms < ?');
    this.upsertHost = db.prepare(
      'INSERT INTO host (host_id, hostname, first_seen_ms, last_seen_ms) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT (host_id) DO UPDATE SET hostname = excluded.hostname, last_seen_ms = max(last_seen_ms, excluded.last_seen_ms)',
    );
    const host = db.prepare('SELECT hostname FROM host WHERE host_id = ?').get(hostId) as { hostname: string } | undefined;
    this.knownHostname = host?.hostname;
  }

  insert(snapshot: MetricsSnapshot): void {
    this.insertMany([snapshot]);
  }

  // One transaction for the lot; whole snapshots only for those inside the recent window of the
  // newest (an import of old history writes no bodies that would be pruned at once).
  insertMany(snapshots: readonly MetricsSnapshot[]): void {
    for (const snapshot of snapshots) {
      if (!Number.isSafeInteger(snapshot.timestampMs)) throw new RangeError(`snapshot timestampMs must be a whole number of milliseconds, not ${snapshot.timestampMs}`);
    }
    if (snapshots.length === 0) return;
    const times = snapshots.map((snapshot) => snapshot.timestampMs);
    const newestMs = times.reduce((a, b) => Math.max(a, b));
    const oldestMs = times.reduce((a, b) => Math.min(a, b));
    const bodies = snapshots.map((snapshot) => (snapshot.timestampMs >= newestMs - this.recentWindowMs ? packSnapshot(snapshot) : undefined));
    let hostname = this.knownHostname;
    this.db.exec('BEGIN IMMEDIATE');
    try {
      snapshots.forEach((snapshot, index) => {
        this.insertValues(snapshot);
        const body = bodies[index];
        if (body !== undefined) this.insertRecent.run(snapshot.timestampMs, body);
        hostname = snapshot.system?.hostname ?? hostname ?? this.hostId;
        this.reopenRollups(snapshot.timestampMs);
      });
      this.pruneRecent.run(newestMs - this.recentWindowMs);
      if (hostname !== this.knownHostname) this.upsertHost.run(this.hostId, hostname ?? this.hostId, oldestMs, newestMs);
      this.db.exec('COMMIT');
      this.knownHostname = hostname;
    } catch (error) {
      this.db.exec('ROLLBACK');
      this.catalog.reload();
      this.meta.reload();
      throw error;
    }
  }

  private insertValues(snapshot: MetricsSnapshot): void {
    const rows = extractSeries(snapshot)
      .map((value) => ({ row: this.catalog.seriesFor(value), value: value.value }))
      .sort((a, b) => a.row.id - b.row.id);
    const layoutId = this.catalog.layoutFor(rows.map(({ row }) => row.id));
    this.insertRaw.run(snapshot.timestampMs, layoutId, encodeValues(rows.map(({ row, value }) => toStored(value, row.scale))));
  }

  // A snapshot older than what is already rolled up (a clock step back, an import) sends the
  // rollup builder back to its minute, so the rollups include it.
  private reopenRollups(timeMs: number): void {
    const minuteBuilt = this.meta.number('minute_built_ms');
    if (minuteBuilt !== undefined && timeMs < minuteBuilt) this.meta.set('minute_built_ms', floorTo(timeMs, MINUTE_MS));
    const hourBuilt = this.meta.number('hour_built_ms');
    if (hourBuilt !== undefined && timeMs < hourBuilt) this.meta.set('hour_built_ms', floorTo(timeMs, HOUR_MS));
  }
}
