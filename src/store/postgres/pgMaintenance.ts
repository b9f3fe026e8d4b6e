// Rollups and retention for one host in PostgreSQL, in slices within a time budget: minute rollups
// from raw rows (decoded here, as for SQLite), hour rollups in SQL, then expired rows deleted.
// Raw rows are never deleted before their minute is rolled up, minute rows never before their hour.
import type pg from 'pg';
import type { RetentionReport, RetentionSettings } from '../store.ts';
import { HOUR_MS, MINUTE_MS, floorTo, rollUpMinutes } from '../tiers.ts';
import type { PgCatalog } from './pgCatalog.ts';

const MINUTE_GRACE_MS = 10_000;
const MINUTE_SLICE_MS = 30 * MINUTE_MS;
const HOUR_SLICE_MS = 12 * HOUR_MS;
const RAW_DELETE_SLICE_MS = 30 * MINUTE_MS;
const ROLLUP_DELETE_SLICE_MS = 24 * HOUR_MS;
// Events and alerts are deleted oldest first, this many rows per statement.
const RECORD_DELETE_ROWS = 1000;

type Step = () => Promise<{ done: boolean; deleted: number }>;

async function time(client: pg.ClientBase, sql: string, params: unknown[]): Promise<number | undefined> {
  return (await client.query<{ t: number | null }>(sql, params)).rows[0]?.t ?? undefined;
}

export class PgMaintenance {
  private readonly client: pg.ClientBase;
  private readonly catalog: PgCatalog;
  private readonly host: string;

  constructor(client: pg.ClientBase, catalog: PgCatalog) {
    this.client = client;
    this.catalog = catalog;
    this.host = catalog.hostId;
  }

  async run(settings: RetentionSettings, budgetMs: number, nowMs: number): Promise<RetentionReport> {
    const deadline = performance.now() + budgetMs;
    const steps: Step[] = [
      () => this.buildMinutes(nowMs),
      () => this.buildHours(),
      () => this.deleteBefore('raw', async () => Math.min(nowMs - settings.rawSeconds * 1000, (await this.state()).minute ?? -Infinity), RAW_DELETE_SLICE_MS),
      () => this.deleteBefore('rollup_minute', async () => Math.min(nowMs - settings.minuteSeconds * 1000, (await this.state()).hour ?? -Infinity), ROLLUP_DELETE_SLICE_MS),
      () => this.deleteBefore('rollup_hour', async () => nowMs - settings.hourSeconds * 1000, ROLLUP_DELETE_SLICE_MS),
      async () => ({ done: true, deleted: (await this.client.query('DELETE FROM episode WHERE host_id = $1 AND end_ms < $2', [this.host, nowMs - settings.hourSeconds * 1000])).rowCount ?? 0 }),
      () => this.deleteOldest('event', 'TRUE', nowMs - settings.eventSeconds * 1000),
      // an alert still firing is kept however old, as open episodes are
      () => this.deleteOldest('alert', "state <> 'firing'", nowMs - settings.alertSeconds * 1000),
    ];
    let deletedRows = 0;
    let complete = true;
    // One slice always runs, so even a budget shorter than a slice makes progress.
    let first = true;
    for (const step of steps) {
      let done = false;
      while (!done && (first || performance.now() < deadline)) {
        first = false;
        const result = await step();
        done = result.done;
        deletedRows += result.deleted;
      }
      if (!done) complete = false;
    }
    return { deletedRows, complete };
  }

  private async state(): Promise<{ minute?: number; hour?: number }> {
    const row = (await this.client.query<{ minute_built_ms: number | null; hour_built_ms: number | null }>('SELECT minute_built_ms, hour_built_ms FROM rollup_state WHERE host_id = $1', [this.host])).rows[0];
    return { minute: row?.minute_built_ms ?? undefined, hour: row?.hour_built_ms ?? undefined };
  }

  private async setState(column: 'minute_built_ms' | 'hour_built_ms', value: number): Promise<void> {
    await this.client.query(`INSERT INTO rollup_state (host_id, ${column}) VALUES ($1, $2) ON CONFLICT (host_id) DO UPDATE SET ${column} = excluded.${column}`, [this.host, value]);
  }

  private async inTransaction(work: () => Promise<void>): Promise<void> {
    await this.client.query('BEGIN');
    try {
      await work();
      await this.client.query('COMMIT');
    } catch (error) {
      await this.client.query('ROLLBACK');
      throw error;
    }
  }

  // Rolls up to MINUTE_SLICE_MS of raw rows; skips over gaps without rows.
  private async buildMinutes(nowMs: number): Promise<{ done: boolean; deleted: number }> {
    const { client, host } = this;
    const latest = await time(client, 'SELECT max(time_ms) AS t FROM raw WHERE host_id = $1', [host]);
    if (latest === undefined) return { done: true, deleted: 0 };
    const target = floorTo(Math.max(latest, nowMs - MINUTE_GRACE_MS), MINUTE_MS);
    let built = (await this.state()).minute ?? floorTo((await time(client, 'SELECT min(time_ms) AS t FROM raw WHERE host_id = $1', [host])) ?? latest, MINUTE_MS);
    if (built >= target) return { done: true, deleted: 0 };
    const next = await time(client, 'SELECT min(time_ms) AS t FROM raw WHERE host_id = $1 AND time_ms >= $2', [host, built]);
    built = next === undefined ? target : Math.min(target, Math.max(built, floorTo(next, MINUTE_MS)));
    const end = Math.min(target, built + MINUTE_SLICE_MS);
    const raw = await client.query<{ time_ms: number; layout_id: number; vals: Buffer }>('SELECT time_ms, layout_id, vals FROM raw WHERE host_id = $1 AND time_ms >= $2 AND time_ms < $3', [host, built, end]);
    const rows = [];
    for (const row of raw.rows) rows.push({ timeMs: row.time_ms, layout: await this.catalog.layout(client, row.layout_id), values: row.vals });
    const r = rollUpMinutes(rows);
    await this.inTransaction(async () => {
      if (r.length > 0) {
        await client.query(
          `INSERT INTO rollup_minute (host_id, series_id, time_ms, n, total, lo, hi)
           SELECT $1, * FROM unnest($2::int[], $3::bigint[], $4::int[], $5::bigint[], $6::bigint[], $7::bigint[])
           ON CONFLICT (host_id, series_id, time_ms) DO UPDATE SET n = excluded.n, total = excluded.total, lo = excluded.lo, hi = excluded.hi`,
          [host, r.map((x) => x.seriesId), r.map((x) => x.timeMs), r.map((x) => x.n), r.map((x) => x.sum), r.map((x) => x.min), r.map((x) => x.max)],
        );
      }
      await this.setState('minute_built_ms', end);
    });
    return { done: end >= target, deleted: 0 };
  }

  private async buildHours(): Promise<{ done: boolean; deleted: number }> {
    const { minute, hour } = await this.state();
    if (minute === undefined) return { done: true, deleted: 0 };
    const target = floorTo(minute, HOUR_MS);
    let built = hour ?? -Infinity;
    if (built >= target) return { done: true, deleted: 0 };
    const next = await time(this.client, 'SELECT min(time_ms) AS t FROM rollup_minute WHERE host_id = $1 AND time_ms >= $2', [this.host, Number.isFinite(built) ? built : 0]);
    built = next === undefined ? target : Math.min(target, Math.max(built, floorTo(next, HOUR_MS)));
    const end = Math.min(target, built + HOUR_SLICE_MS);
    await this.inTransaction(async () => {
      await this.client.query(
        `INSERT INTO rollup_hour (host_id, series_id, time_ms, n, total, lo, hi)
         SELECT host_id, series_id, (time_ms / 3600000) * 3600000 AS hour, sum(n), sum(total), min(lo), max(hi)
         FROM rollup_minute WHERE host_id = $1 AND time_ms >= $2 AND time_ms < $3 GROUP BY host_id, series_id, hour
         ON CONFLICT (host_id, series_id, time_ms) DO UPDATE SET n = excluded.n, total = excluded.total, lo = excluded.lo, hi = excluded.hi`,
        [this.host, built, end],
      );
      await this.setState('hour_built_ms', end);
    });
    return { done: end >= target, deleted: 0 };
  }

  // Up to RECORD_DELETE_ROWS of this host's oldest rows before the cutoff; done when fewer were left.
  private async deleteOldest(table: 'event' | 'alert', condition: string, cutoffMs: number): Promise<{ done: boolean; deleted: number }> {
    const result = await this.client.query(
      `DELETE FROM ${table} WHERE host_id = $1 AND id IN (SELECT id FROM ${table} WHERE host_id = $1 AND time_ms < $2 AND ${condition} ORDER BY time_ms LIMIT ${RECORD_DELETE_ROWS})`,
      [this.host, cutoffMs],
    );
    const deleted = result.rowCount ?? 0;
    return { done: deleted < RECORD_DELETE_ROWS, deleted };
  }

  // Deletes this host's rows of `table` older than the cutoff, one slice of time at a time.
  private async deleteBefore(table: string, cutoff: () => Promise<number>, sliceMs: number): Promise<{ done: boolean; deleted: number }> {
    const cutoffMs = await cutoff();
    const oldest = await time(this.client, `SELECT min(time_ms) AS t FROM ${table} WHERE host_id = $1`, [this.host]);
    if (oldest === undefined || oldest >= cutoffMs) return { done: true, deleted: 0 };
    const sliceEnd = Math.min(cutoffMs, oldest + sliceMs);
    const result = await this.client.query(`DELETE FROM ${table} WHERE host_id = $1 AND time_ms < $2`, [this.host, sliceEnd]);
    return { done: sliceEnd >= cutoffMs, deleted: result.rowCount ?? 0 };
  }
}
