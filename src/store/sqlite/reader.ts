// Read queries over one SQLite connection: history (as a HistorySource), recent snapshots,
// episodes, hosts. The query worker runs them so a long one never holds up sampling.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { MetricsSnapshot } from '../../collect/types.ts';
import { storedEpisode } from '../episodes.ts';
import { type BucketRow, type HistorySource, type RawRow, type SeriesRow, queryHistory } from '../history.ts';
import { unpackSnapshot } from '../snapshotBody.ts';
import type { AnomalyQuery, HistoryQuery, HistoryResult, HostInfo, StoredEpisode, Tier } from '../store.ts';
import { SqliteCatalog } from './catalog.ts';
import { Meta } from './meta.ts';

export class SqliteReader implements HistorySource {
  private readonly db: DatabaseSync;
  private readonly catalog: SqliteCatalog;
  private readonly meta: Meta;
  private readonly statements: Record<string, StatementSync>;

  constructor(db: DatabaseSync) {
    this.db = db;
    this.catalog = new SqliteCatalog(db);
    this.meta = new Meta(db);
    this.statements = {
      oldestRaw: db.prepare('SELECT time_ms FROM raw ORDER BY time_ms LIMIT 1'),
      latestRaw: db.prepare('SELECT time_ms FROM raw ORDER BY time_ms DESC LIMIT 1'),
      oldestMinute: db.prepare('SELECT min(time_ms) AS time_ms FROM rollup_minute WHERE series_id = ?'),
      oldestHour: db.prepare('SELECT min(time_ms) AS time_ms FROM rollup_hour WHERE series_id = ?'),
      raw: db.prepare('SELECT time_ms, layout_id, vals FROM raw WHERE time_ms >= ? AND time_ms < ? ORDER BY time_ms'),
      recentSince: db.prepare('SELECT body FROM recent WHERE time_ms >= ? ORDER BY time_ms'),
      latestRecent: db.prepare('SELECT body FROM recent ORDER BY time_ms DESC LIMIT 1'),
      episode: db.prepare('SELECT host_id, body FROM episode WHERE id = ?'),
      hosts: db.prepare('SELECT host_id, hostname, first_seen_ms, last_seen_ms FROM host ORDER BY host_id'),
    };
    this.statements.raw?.setReturnArrays(true);
  }

  private statement(name: string): StatementSync {
    const statement = this.statements[name];
    if (statement === undefined) throw new Error(`no statement ${name}`);
    return statement;
  }

  // Each query sees one consistent state of the file, whatever the writer commits meanwhile.
  private read<T>(work: () => T): T {
    this.db.exec('BEGIN');
    try {
      return work();
    } finally {
      this.db.exec('COMMIT');
    }
  }

  // HistorySource: every call answers synchronously; queryHistory awaits resolved promises.
  async series(): Promise<SeriesRow[]> {
    this.catalog.reloadSeries();
    return this.catalog.series();
  }

  async oldestMs(tier: Tier, seriesIds: number[]): Promise<number | undefined> {
    if (tier === 'raw') return (this.statement('oldestRaw').get() as { time_ms: number } | undefined)?.time_ms;
    const statement = this.statement(tier === 'minute' ? 'oldestMinute' : 'oldestHour');
    let oldest: number | undefined;
    for (const id of seriesIds) {
      const time = (statement.get(id) as { time_ms: number | null } | undefined)?.time_ms ?? undefined;
      if (time !== undefined && (oldest === undefined || time < oldest)) oldest = time;
    }
    return oldest;
  }

  async builtUntilMs(tier: 'minute' | 'hour'): Promise<number | undefined> {
    return this.meta.number(tier === 'minute' ? 'minute_built_ms' : 'hour_built_ms');
  }

  // One statement for every series; each series' buckets come back as one JSON text, because
  // node:sqlite turning thousands of small rows into objects costs more than the query itself.
  // The CAST: node:sqlite binds numbers as REAL, and the division must be an integer one.
  async rollupBuckets(tier: 'minute' | 'hour', seriesIds: number[], fromMs: number, toMs: number, bucketMs: number): Promise<Map<number, BucketRow[]>> {
    const table = tier === 'minute' ? 'rollup_minute' : 'rollup_hour';
    const sql =
      'SELECT series_id, json_group_array(json_array(bucket, n, total, lo, hi)) AS buckets FROM (' +
      `SELECT series_id, (time_ms / CAST(? AS INTEGER)) * ? AS bucket, sum(n) AS n, sum(total) AS total, min(lo) AS lo, max(hi) AS hi FROM ${table} ` +
      `WHERE series_id IN (${seriesIds.map(() => '?').join(',')}) AND time_ms >= ? AND time_ms < ? GROUP BY series_id, bucket ORDER BY series_id, bucket` +
      ') GROUP BY series_id';
    const rows = this.db.prepare(sql).all(bucketMs, bucketMs, ...seriesIds, fromMs, toMs) as unknown as Array<{ series_id: number; buckets: string }>;
    const result = new Map<number, BucketRow[]>();
    for (const row of rows) {
      const buckets = JSON.parse(row.buckets) as number[][];
      result.set(row.series_id, buckets.map(([timeMs = 0, n = 0, sum = 0, min = 0, max = 0]) => ({ timeMs, n, sum, min, max })));
    }
    return result;
  }

  async rawRows(fromMs: number, toMs: number): Promise<RawRow[]> {
    const rows = this.statement('raw').all(fromMs, toMs) as unknown as Array<[number, number, Uint8Array]>;
    return rows.map(([timeMs, layoutId, values]) => ({ timeMs, layout: this.catalog.layout(layoutId), values }));
  }

  async history(query: HistoryQuery): Promise<HistoryResult> {
    this.db.exec('BEGIN');
    try {
      this.meta.reload();
      return await queryHistory(this, query);
    } finally {
      this.db.exec('COMMIT');
    }
  }

  snapshotsSince(sinceMs: number): MetricsSnapshot[] {
    const rows = this.statement('recentSince').all(sinceMs) as unknown as Array<{ body: Uint8Array }>;
    return rows.map((row) => unpackSnapshot(row.body));
  }

  latestSnapshot(): MetricsSnapshot | undefined {
    const row = this.statement('latestRecent').get() as { body: Uint8Array } | undefined;
    return row === undefined ? undefined : unpackSnapshot(row.body);
  }

  anomalies(query: AnomalyQuery, hostId: string): StoredEpisode[] {
    const clauses = ['host_id = ?', 'start_ms <= ?', '(end_ms IS NULL OR end_ms >= ?)'];
    const params: Array<string | number> = [hostId, query.endMs ?? Number.MAX_SAFE_INTEGER, query.startMs ?? 0];
    if (query.severity !== undefined) {
      clauses.push('severity = ?');
      params.push(query.severity);
    }
    if (query.category !== undefined) {
      clauses.push('category = ?');
      params.push(query.category);
    }
    params.push(query.limit);
    const rows = this.db.prepare(`SELECT host_id, body FROM episode WHERE ${clauses.join(' AND ')} ORDER BY start_ms DESC LIMIT ?`).all(...params) as unknown as Array<{ host_id: string; body: string }>;
    return rows.map((row) => storedEpisode(row.host_id, row.body));
  }

  anomaly(id: string): StoredEpisode | undefined {
    const row = this.statement('episode').get(id) as { host_id: string; body: string } | undefined;
    return row === undefined ? undefined : storedEpisode(row.host_id, row.body);
  }

  hosts(): HostInfo[] {
    return this.read(() => {
      const latest = (this.statement('latestRaw').get() as { time_ms: number } | undefined)?.time_ms;
      const rows = this.statement('hosts').all() as unknown as Array<{ host_id: string; hostname: string; first_seen_ms: number; last_seen_ms: number }>;
      return rows.map((row) => ({ hostId: row.host_id, hostname: row.hostname, firstSeenMs: row.first_seen_ms, lastSeenMs: Math.max(row.last_seen_ms, latest ?? 0) }));
    });
  }

  checkpoint(): void {
    if (this.db.isOpen) this.db.exec('PRAGMA wal_checkpoint(PASSIVE)');
  }

  close(): void {
    this.db.close();
  }
}
