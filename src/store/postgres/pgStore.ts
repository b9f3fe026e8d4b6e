// The fleet store: one PostgreSQL database for many hosts. Every row carries the host id of the
// store that wrote it, and every query filters by host (its own unless the caller names another).
// Writes are queued so they commit in order; reads go through the pool in parallel.
import { hostname } from 'node:os';
import pg from 'pg';
import type { Clock } from '../../collect/clock.ts';
import type { DeliveryStatus } from '../../alert/channel.ts';
import type { Alert } from '../../alert/model.ts';
import type { MetricsSnapshot } from '../../collect/types.ts';
import type { Episode } from '../../detect/rules.ts';
import type { HostEvent } from '../../events/model.ts';
import { encodeValues } from '../codec.ts';
import { episodeColumns, storedEpisode } from '../episodes.ts';
import { queryHistory } from '../history.ts';
import { extractSeries, toStored } from '../series.ts';
import { packSnapshot, unpackSnapshot } from '../snapshotBody.ts';
import type { AlertQuery, AnomalyQuery, EventQuery, HistoryQuery, HistoryResult, HostInfo, RetentionReport, RetentionSettings, Store, StoredAlert, StoredEpisode } from '../store.ts';
import { HOUR_MS, MINUTE_MS, floorTo } from '../tiers.ts';
import { migratePg } from './migrations.ts';
import { PgCatalog } from './pgCatalog.ts';
import { PgMaintenance } from './pgMaintenance.ts';
import { PgHistorySource } from './pgReader.ts';
import { queryAlert, queryAlerts, queryEvents, saveAlert, saveEvents } from './pgRecords.ts';

export interface PostgresStoreOptions {
  url: string;
  hostId?: string;
  recentWindowMs?: number;
  clock?: Pick<Clock, 'now'>;
  poolSize?: number;
}

// bigint and numeric (sums) as numbers: every value the store keeps is below 2^53.
const types = {
  getTypeParser: ((oid: number, format?: string) => (oid === 20 || oid === 1700 ? (text: string) => Number(text) : pg.types.getTypeParser(oid, format as 'text'))) as typeof pg.types.getTypeParser,
};

// The URL without its password, for messages.
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

export class PostgresStore implements Store {
  readonly kind = 'postgres';
  readonly hostId: string;
  private readonly pool: pg.Pool;
  private readonly where: string;
  private readonly recentWindowMs: number;
  private readonly clock: Pick<Clock, 'now'>;
  private readonly catalog: PgCatalog;
  private readonly catalogs = new Map<string, PgCatalog>();
  private writes: Promise<unknown> = Promise.resolve();
  private knownHostname: string | undefined;
  private latest: MetricsSnapshot | undefined;
  private closed = false;

  private constructor(options: PostgresStoreOptions) {
    this.hostId = options.hostId ?? hostname();
    this.where = redactUrl(options.url);
    this.pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 4, types });
    // an idle client losing its server must not crash the process; the next query reports it
    this.pool.on('error', () => undefined);
    this.recentWindowMs = options.recentWindowMs ?? 15 * 60_000;
    this.clock = options.clock ?? { now: () => Date.now() };
    this.catalog = new PgCatalog(this.hostId);
    this.catalogs.set(this.hostId, this.catalog);
  }

  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const store = new PostgresStore(options);
    try {
      await store.withClient(async (client) => {
        await migratePg(client, store.where);
        await store.catalog.reload(client);
        const host = await client.query<{ hostname: string }>('SELECT hostname FROM host WHERE host_id = $1', [store.hostId]);
        store.knownHostname = host.rows[0]?.hostname;
      });
    } catch (error) {
      await store.pool.end();
      throw error instanceof Error && error.message.startsWith(store.where) ? error : new Error(`${store.where}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    return store;
  }

  private async withClient<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error(`${this.where}: the store is closed`);
    const client = await this.pool.connect();
    try {
      return await work(client);
    } finally {
      client.release();
    }
  }

  // Writes one after another, each in its own transaction.
  private write<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const next = this.writes.then(() => this.withClient(work));
    this.writes = next.catch(() => undefined);
    return next;
  }

  private async transaction(client: pg.PoolClient, work: () => Promise<void>): Promise<void> {
    await client.query('BEGIN');
    try {
      await work();
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      await this.catalog.reload(client);
      throw error;
    }
  }

  async insertSnapshot(snapshot: MetricsSnapshot): Promise<void> {
    const timeMs = snapshot.timestampMs;
    if (!Number.isSafeInteger(timeMs)) throw new RangeError(`snapshot timestampMs must be a whole number of milliseconds, not ${timeMs}`);
    const body = packSnapshot(snapshot);
    await this.write((client) =>
      this.transaction(client, async () => {
        const values = [];
        for (const value of extractSeries(snapshot)) values.push({ row: await this.catalog.seriesFor(client, value), value: value.value });
        values.sort((a, b) => a.row.id - b.row.id);
        const layoutId = await this.catalog.layoutFor(client, values.map(({ row }) => row.id));
        const vals = Buffer.from(encodeValues(values.map(({ row, value }) => toStored(value, row.scale))));
        const host = this.hostId;
        await client.query('INSERT INTO raw (host_id, time_ms, layout_id, vals) VALUES ($1, $2, $3, $4) ON CONFLICT (host_id, time_ms) DO UPDATE SET layout_id = excluded.layout_id, vals = excluded.vals', [host, timeMs, layoutId, vals]);
        await client.query('INSERT INTO recent (host_id, time_ms, body) VALUES ($1, $2, $3) ON CONFLICT (host_id, time_ms) DO UPDATE SET body = excluded.body', [host, timeMs, Buffer.from(body)]);
        await client.query('DELETE FROM recent WHERE host_id = $1 AND time_ms < $2', [host, timeMs - this.recentWindowMs]);
        const name = snapshot.system?.hostname ?? this.knownHostname ?? host;
        if (name !== this.knownHostname) {
          await client.query('INSERT INTO host (host_id, hostname, first_seen_ms, last_seen_ms) VALUES ($1, $2, $3, $3) ON CONFLICT (host_id) DO UPDATE SET hostname = excluded.hostname, last_seen_ms = greatest(host.last_seen_ms, excluded.last_seen_ms)', [host, name, timeMs]);
          this.knownHostname = name;
        }
        // a snapshot older than the rollups sends the builder back to its minute and hour
        await client.query('UPDATE rollup_state SET minute_built_ms = least(minute_built_ms, $2), hour_built_ms = least(hour_built_ms, $3) WHERE host_id = $1', [host, floorTo(timeMs, MINUTE_MS), floorTo(timeMs, HOUR_MS)]);
      }),
    );
    if (this.latest === undefined || timeMs >= this.latest.timestampMs) this.latest = snapshot;
  }

  async saveEpisode(episode: Episode): Promise<void> {
    const row = episodeColumns(episode);
    await this.write((client) =>
      client.query(
        `INSERT INTO episode (id, host_id, start_ms, end_ms, severity, category, metric, body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (id) DO UPDATE SET start_ms = excluded.start_ms, end_ms = excluded.end_ms, severity = excluded.severity,
         category = excluded.category, metric = excluded.metric, body = excluded.body WHERE episode.host_id = excluded.host_id`,
        [row.id, this.hostId, row.startMs, row.endMs, row.severity, row.category, row.metric, row.body],
      ),
    );
  }

  async latestSnapshot(hostId = this.hostId): Promise<MetricsSnapshot | undefined> {
    if (hostId === this.hostId && this.latest !== undefined) return this.latest;
    const result = await this.withClient((client) => client.query<{ body: Buffer }>('SELECT body FROM recent WHERE host_id = $1 ORDER BY time_ms DESC LIMIT 1', [hostId]));
    const row = result.rows[0];
    return row === undefined ? undefined : unpackSnapshot(row.body);
  }

  async snapshotsSince(sinceMs: number, hostId = this.hostId): Promise<MetricsSnapshot[]> {
    const result = await this.withClient((client) => client.query<{ body: Buffer }>('SELECT body FROM recent WHERE host_id = $1 AND time_ms >= $2 ORDER BY time_ms', [hostId, sinceMs]));
    return result.rows.map((row) => unpackSnapshot(row.body));
  }

  async history(query: HistoryQuery): Promise<HistoryResult> {
    const hostId = query.hostId ?? this.hostId;
    let catalog = this.catalogs.get(hostId);
    if (catalog === undefined) this.catalogs.set(hostId, (catalog = new PgCatalog(hostId)));
    const source = catalog;
    return this.withClient(async (client) => {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        return await queryHistory(new PgHistorySource(client, source), query);
      } finally {
        await client.query('COMMIT');
      }
    });
  }

  async anomalies(query: AnomalyQuery): Promise<StoredEpisode[]> {
    const params: unknown[] = [query.hostId ?? this.hostId, query.endMs ?? Number.MAX_SAFE_INTEGER, query.startMs ?? 0];
    const clauses = ['host_id = $1', 'start_ms <= $2', '(end_ms IS NULL OR end_ms >= $3)'];
    if (query.severity !== undefined) clauses.push(`severity = $${params.push(query.severity)}`);
    if (query.category !== undefined) clauses.push(`category = $${params.push(query.category)}`);
    const sql = `SELECT host_id, body::text AS body FROM episode WHERE ${clauses.join(' AND ')} ORDER BY start_ms DESC LIMIT $${params.push(query.limit)}`;
    const result = await this.withClient((client) => client.query<{ host_id: string; body: string }>(sql, params));
    return result.rows.map((row) => storedEpisode(row.host_id, row.body));
  }

  async anomaly(id: string): Promise<StoredEpisode | undefined> {
    const result = await this.withClient((client) => client.query<{ host_id: string; body: string }>('SELECT host_id, body::text AS body FROM episode WHERE id = $1', [id]));
    const row = result.rows[0];
    return row === undefined ? undefined : storedEpisode(row.host_id, row.body);
  }

  async saveAlert(alert: Alert, deliveries: readonly DeliveryStatus[]): Promise<void> {
    await this.write((client) => saveAlert(client, this.hostId, alert, deliveries));
  }

  async alerts(query: AlertQuery): Promise<StoredAlert[]> {
    return this.withClient((client) => queryAlerts(client, query, query.hostId ?? this.hostId));
  }

  async alert(id: string, hostId = this.hostId): Promise<StoredAlert | undefined> {
    return this.withClient((client) => queryAlert(client, id, hostId));
  }

  async saveEvents(events: readonly HostEvent[]): Promise<void> {
    await this.write((client) => saveEvents(client, this.hostId, events));
  }

  async events(query: EventQuery): Promise<HostEvent[]> {
    return this.withClient((client) => queryEvents(client, query, query.hostId ?? this.hostId));
  }

  async hosts(): Promise<HostInfo[]> {
    const result = await this.withClient((client) =>
      client.query<{ host_id: string; hostname: string; first_seen_ms: number; last_seen_ms: number }>(
        'SELECT host_id, hostname, first_seen_ms, greatest(last_seen_ms, (SELECT max(time_ms) FROM raw WHERE raw.host_id = host.host_id)) AS last_seen_ms FROM host ORDER BY host_id',
      ),
    );
    return result.rows.map((row) => ({ hostId: row.host_id, hostname: row.hostname, firstSeenMs: row.first_seen_ms, lastSeenMs: row.last_seen_ms }));
  }

  async runRetention(settings: RetentionSettings, budgetMs: number): Promise<RetentionReport> {
    return this.write((client) => new PgMaintenance(client, this.catalog).run(settings, budgetMs, this.clock.now()));
  }

  // The whole database: every host's rows.
  async sizeBytes(): Promise<number> {
    const result = await this.withClient((client) => client.query<{ bytes: number }>('SELECT pg_database_size(current_database()) AS bytes'));
    return result.rows[0]?.bytes ?? 0;
  }

  async healthy(): Promise<boolean> {
    try {
      await this.withClient((client) => client.query('SELECT 1'));
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.writes;
    this.closed = true;
    await this.pool.end();
  }
}

export function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  return PostgresStore.open(options);
}
