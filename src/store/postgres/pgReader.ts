// One host's history in PostgreSQL as a HistorySource, read through one client inside a
// read-only REPEATABLE READ transaction so the whole query sees one state.
import type pg from 'pg';
import type { BucketRow, HistorySource, RawRow, SeriesRow } from '../history.ts';
import type { Tier } from '../store.ts';
import type { PgCatalog } from './pgCatalog.ts';

export class PgHistorySource implements HistorySource {
  private readonly client: pg.ClientBase;
  private readonly catalog: PgCatalog;
  private readonly hostId: string;

  constructor(client: pg.ClientBase, catalog: PgCatalog) {
    this.client = client;
    this.catalog = catalog;
    this.hostId = catalog.hostId;
  }

  async series(): Promise<SeriesRow[]> {
    await this.catalog.reload(this.client);
    return this.catalog.series();
  }

  async oldestMs(tier: Tier, seriesIds: number[]): Promise<number | undefined> {
    const result =
      tier === 'raw'
        ? await this.client.query<{ t: number | null }>('SELECT min(time_ms) AS t FROM raw WHERE host_id = $1', [this.hostId])
        : await this.client.query<{ t: number | null }>(`SELECT min(time_ms) AS t FROM rollup_${tier} WHERE host_id = $1 AND series_id = ANY($2::int[])`, [this.hostId, seriesIds]);
    return result.rows[0]?.t ?? undefined;
  }

  async builtUntilMs(tier: 'minute' | 'hour'): Promise<number | undefined> {
    const result = await this.client.query<{ t: number | null }>(`SELECT ${tier}_built_ms AS t FROM rollup_state WHERE host_id = $1`, [this.hostId]);
    return result.rows[0]?.t ?? undefined;
  }

  async rollupBuckets(tier: 'minute' | 'hour', seriesIds: number[], fromMs: number, toMs: number, bucketMs: number): Promise<Map<number, BucketRow[]>> {
    const result = await this.client.query<{ series_id: number; bucket: number; n: number; total: number; lo: number; hi: number }>(
      `SELECT series_id, (time_ms / $5::bigint) * $5::bigint AS bucket, sum(n) AS n, sum(total) AS total, min(lo) AS lo, max(hi) AS hi
       FROM rollup_${tier} WHERE host_id = $1 AND series_id = ANY($2::int[]) AND time_ms >= $3 AND time_ms < $4
       GROUP BY series_id, bucket ORDER BY series_id, bucket`,
      [this.hostId, seriesIds, fromMs, toMs, bucketMs],
    );
    const buckets = new Map<number, BucketRow[]>();
    for (const row of result.rows) {
      let list = buckets.get(row.series_id);
      if (list === undefined) buckets.set(row.series_id, (list = []));
      list.push({ timeMs: row.bucket, n: row.n, sum: row.total, min: row.lo, max: row.hi });
    }
    return buckets;
  }

  async rawRows(fromMs: number, toMs: number): Promise<RawRow[]> {
    const result = await this.client.query<{ time_ms: number; layout_id: number; vals: Buffer }>(
      'SELECT time_ms, layout_id, vals FROM raw WHERE host_id = $1 AND time_ms >= $2 AND time_ms < $3 ORDER BY time_ms',
      [this.hostId, fromMs, toMs],
    );
    const rows: RawRow[] = [];
    for (const row of result.rows) rows.push({ timeMs: row.time_ms, layout: await this.catalog.layout(this.client, row.layout_id), values: row.vals });
    return rows;
  }
}
