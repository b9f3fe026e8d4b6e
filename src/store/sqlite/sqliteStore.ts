// The embedded store: one SQLite file. Writes (snapshots, episodes, rollups, retention) run on the
// caller's thread in short transactions; reads run in a worker thread with their own connection.
import { statSync } from 'node:fs';
import { hostname } from 'node:os';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Clock } from '../../collect/clock.ts';
import type { DeliveryStatus } from '../../alert/channel.ts';
import type { Alert } from '../../alert/model.ts';
import type { MetricsSnapshot } from '../../collect/types.ts';
import type { Episode } from '../../detect/rules.ts';
import type { HostEvent } from '../../events/model.ts';
import { episodeColumns } from '../episodes.ts';
import { HistoryQueryError } from '../history.ts';
import { parseFields } from '../series.ts';
import type { AlertQuery, AnomalyQuery, EventQuery, HistoryQuery, HistoryResult, HostInfo, RetentionReport, RetentionSettings, Store, StoredAlert, StoredEpisode } from '../store.ts';
import { SqliteCatalog } from './catalog.ts';
import { DEFAULT_SQLITE_PATH, openWriter } from './database.ts';
import { SqliteMaintenance } from './maintenance.ts';
import { Meta } from './meta.ts';
import { RecordWriter } from './recordWriter.ts';
import { QueryWorker } from './workerClient.ts';
import { SnapshotWriter } from './writer.ts';

export interface SqliteStoreOptions {
  // default ./data/hostguard.db; the folder is created
  path?: string;
  // default: this machine's hostname
  hostId?: string;
  // How long whole snapshots are kept for snapshotsSince (default 15 minutes).
  recentWindowMs?: number;
  clock?: Pick<Clock, 'now'>;
  // How often the query worker checkpoints the WAL (default 5 s).
  checkpointEveryMs?: number;
}

export const DEFAULT_RECENT_WINDOW_MS = 15 * 60_000;

export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  readonly hostId: string;
  readonly path: string;
  private readonly db: DatabaseSync;
  private readonly writer: SnapshotWriter;
  private readonly maintenance: SqliteMaintenance;
  private readonly worker: QueryWorker;
  private readonly clock: Pick<Clock, 'now'>;
  private readonly upsertEpisode: StatementSync;
  private readonly records: RecordWriter;
  private latest: MetricsSnapshot | undefined;
  private latestLoaded = false;
  private closed = false;

  constructor(options: SqliteStoreOptions = {}) {
    this.path = options.path ?? DEFAULT_SQLITE_PATH;
    this.hostId = options.hostId ?? hostname();
    this.clock = options.clock ?? { now: () => Date.now() };
    this.db = openWriter(this.path);
    const catalog = new SqliteCatalog(this.db);
    const meta = new Meta(this.db);
    this.writer = new SnapshotWriter(this.db, catalog, meta, this.hostId, options.recentWindowMs ?? DEFAULT_RECENT_WINDOW_MS);
    this.maintenance = new SqliteMaintenance(this.db, catalog, meta);
    this.upsertEpisode = this.db.prepare(
      'INSERT INTO episode (id, host_id, start_ms, end_ms, severity, category, metric, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ' +
        'ON CONFLICT (id) DO UPDATE SET host_id = excluded.host_id, start_ms = excluded.start_ms, end_ms = excluded.end_ms, ' +
        'severity = excluded.severity, category = excluded.category, metric = excluded.metric, body = excluded.body',
    );
    this.records = new RecordWriter(this.db, this.hostId);
    this.worker = new QueryWorker({ path: this.path, checkpointEveryMs: options.checkpointEveryMs ?? 5000 });
  }

  private open(): void {
    if (this.closed) throw new Error(`${this.path}: the store is closed`);
  }

  async insertSnapshot(snapshot: MetricsSnapshot): Promise<void> {
    this.open();
    await this.insertSnapshots([snapshot]);
  }

  // Many snapshots in one transaction (imports, the benchmark); not part of the Store interface.
  async insertSnapshots(snapshots: readonly MetricsSnapshot[]): Promise<void> {
    this.open();
    this.writer.insertMany(snapshots);
    const newest = snapshots.reduce<MetricsSnapshot | undefined>((a, b) => (a === undefined || b.timestampMs >= a.timestampMs ? b : a), undefined);
    if (newest !== undefined && (this.latest === undefined || newest.timestampMs >= this.latest.timestampMs)) this.latest = newest;
  }

  async saveEpisode(episode: Episode): Promise<void> {
    this.open();
    const row = episodeColumns(episode);
    this.upsertEpisode.run(row.id, this.hostId, row.startMs, row.endMs, row.severity, row.category, row.metric, row.body);
  }

  async latestSnapshot(hostId?: string): Promise<MetricsSnapshot | undefined> {
    this.open();
    if (hostId !== undefined && hostId !== this.hostId) return undefined;
    if (!this.latestLoaded) {
      // Once after opening: the file may hold a newer snapshot than any inserted since.
      const stored = await this.worker.request<MetricsSnapshot | undefined>({ method: 'latestSnapshot' });
      if (stored !== undefined && (this.latest === undefined || stored.timestampMs > this.latest.timestampMs)) this.latest = stored;
      this.latestLoaded = true;
    }
    return this.latest;
  }

  async snapshotsSince(sinceMs: number, hostId?: string): Promise<MetricsSnapshot[]> {
    this.open();
    if (hostId !== undefined && hostId !== this.hostId) return [];
    return this.worker.request({ method: 'snapshotsSince', sinceMs });
  }

  async history(query: HistoryQuery): Promise<HistoryResult> {
    this.open();
    // One host per file: another host has no history here, but its fields still get their keys.
    if (query.hostId !== undefined && query.hostId !== this.hostId) {
      const fields = parseFields(query.fields);
      if (!fields.ok) throw new HistoryQueryError(fields.error);
      return { tier: 'raw', stepMs: 0, series: Object.fromEntries(fields.value.map((f) => [f.entity === undefined ? f.metric : `${f.metric}:${f.entity}`, []])) };
    }
    return this.worker.request({ method: 'history', query });
  }

  async anomalies(query: AnomalyQuery): Promise<StoredEpisode[]> {
    this.open();
    return this.worker.request({ method: 'anomalies', query, hostId: query.hostId ?? this.hostId });
  }

  async anomaly(id: string): Promise<StoredEpisode | undefined> {
    this.open();
    return this.worker.request({ method: 'anomaly', id });
  }

  async saveAlert(alert: Alert, deliveries: readonly DeliveryStatus[]): Promise<void> {
    this.open();
    this.records.saveAlert(alert, deliveries);
  }

  async alerts(query: AlertQuery): Promise<StoredAlert[]> {
    this.open();
    return this.worker.request({ method: 'alerts', query, hostId: query.hostId ?? this.hostId });
  }

  async alert(id: string, hostId = this.hostId): Promise<StoredAlert | undefined> {
    this.open();
    return this.worker.request({ method: 'alert', id, hostId });
  }

  // One transaction for the batch.
  async saveEvents(events: readonly HostEvent[]): Promise<void> {
    this.open();
    this.records.saveEvents(events);
  }

  async events(query: EventQuery): Promise<HostEvent[]> {
    this.open();
    return this.worker.request({ method: 'events', query, hostId: query.hostId ?? this.hostId });
  }

  async hosts(): Promise<HostInfo[]> {
    this.open();
    return this.worker.request({ method: 'hosts' });
  }

  async runRetention(settings: RetentionSettings, budgetMs: number): Promise<RetentionReport> {
    this.open();
    return this.maintenance.run(settings, budgetMs, this.clock.now());
  }

  // The file and its WAL.
  async sizeBytes(): Promise<number> {
    let bytes = 0;
    for (const suffix of ['', '-wal']) {
      try {
        bytes += statSync(this.path + suffix).size;
      } catch {
        // no WAL right after a truncating checkpoint
      }
    }
    return bytes;
  }

  async healthy(): Promise<boolean> {
    if (this.closed || !this.worker.healthy()) return false;
    try {
      this.db.prepare('SELECT 1').get();
      return true;
    } catch {
      return false;
    }
  }

  // Stops the worker, checkpoints everything into the main file and closes.
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.worker.close();
    this.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    this.db.close();
  }
}

export function openSqliteStore(options: SqliteStoreOptions = {}): SqliteStore {
  return new SqliteStore(options);
}
