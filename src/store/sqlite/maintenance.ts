// Rollups and retention in small transactions within a time budget, on the writer connection:
// minute rollups from raw rows, hour rollups from minute rows, then expired rows deleted. Raw
// rows are never deleted before their minute is rolled up, minute rows never before their hour.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { RetentionReport, RetentionSettings } from '../store.ts';
import { HOUR_MS, MINUTE_MS, floorTo, rollUpMinutes } from '../tiers.ts';
import type { SqliteCatalog } from './catalog.ts';
import type { Meta } from './meta.ts';

// A minute is complete once a later snapshot exists, or this long after it ended.
const MINUTE_GRACE_MS = 10_000;
const MINUTE_SLICE_MS = 30 * MINUTE_MS;
const HOUR_SLICE_MS = 12 * HOUR_MS;
const RAW_DELETE_SLICE_MS = 30 * MINUTE_MS;
const ROLLUP_DELETE_SLICE_MS = 24 * HOUR_MS;
// Events and alerts are deleted oldest first, this many rows per statement.
const RECORD_DELETE_ROWS = 1000;

type Step = () => { done: boolean; deleted: number };

export class SqliteMaintenance {
  private readonly db: DatabaseSync;
  private readonly catalog: SqliteCatalog;
  private readonly meta: Meta;
  private readonly statements: Record<string, StatementSync>;

  constructor(db: DatabaseSync, catalog: SqliteCatalog, meta: Meta) {
    this.db = db;
    this.catalog = catalog;
    this.meta = meta;
    const rollupInsert = (table: string): string => `INSERT OR REPLACE INTO ${table} (series_id, time_ms, n, total, lo, hi) VALUES (?, ?, ?, ?, ?, ?)`;
    this.statements = {
      oldestRaw: db.prepare('SELECT time_ms FROM raw ORDER BY time_ms LIMIT 1'),
      latestRaw: db.prepare('SELECT time_ms FROM raw ORDER BY time_ms DESC LIMIT 1'),
      firstRawFrom: db.prepare('SELECT time_ms FROM raw WHERE time_ms >= ? ORDER BY time_ms LIMIT 1'),
      rawSlice: db.prepare('SELECT time_ms, layout_id, vals FROM raw WHERE time_ms >= ? AND time_ms < ? ORDER BY time_ms'),
      insertMinute: db.prepare(rollupInsert('rollup_minute')),
      firstMinuteFrom: db.prepare('SELECT time_ms FROM rollup_minute WHERE series_id = ? AND time_ms >= ? ORDER BY time_ms LIMIT 1'),
      buildHour: db.prepare(
        'INSERT OR REPLACE INTO rollup_hour (series_id, time_ms, n, total, lo, hi) ' +
          'SELECT series_id, (time_ms / 3600000) * 3600000 AS hour, sum(n), sum(total), min(lo), max(hi) ' +
          'FROM rollup_minute WHERE series_id = ? AND time_ms >= ? AND time_ms < ? GROUP BY hour',
      ),
      deleteRaw: db.prepare('DELETE FROM raw WHERE time_ms < ?'),
      oldestMinute: db.prepare('SELECT time_ms FROM rollup_minute WHERE series_id = ? ORDER BY time_ms LIMIT 1'),
      oldestHour: db.prepare('SELECT time_ms FROM rollup_hour WHERE series_id = ? ORDER BY time_ms LIMIT 1'),
      deleteMinute: db.prepare('DELETE FROM rollup_minute WHERE series_id = ? AND time_ms < ?'),
      deleteHour: db.prepare('DELETE FROM rollup_hour WHERE series_id = ? AND time_ms < ?'),
      deleteEpisodes: db.prepare('DELETE FROM episode WHERE end_ms IS NOT NULL AND end_ms < ?'),
      deleteEvents: db.prepare(`DELETE FROM event WHERE rowid IN (SELECT rowid FROM event WHERE time_ms < ? ORDER BY time_ms LIMIT ${RECORD_DELETE_ROWS})`),
      // an alert still firing is kept however old, as open episodes are
      deleteAlerts: db.prepare(`DELETE FROM alert WHERE rowid IN (SELECT rowid FROM alert WHERE time_ms < ? AND state <> 'firing' ORDER BY time_ms LIMIT ${RECORD_DELETE_ROWS})`),
    };
  }

  private time(statement: string, ...params: number[]): number | undefined {
    const row = this.statements[statement]?.get(...params) as { time_ms: number } | undefined;
    return row?.time_ms;
  }

  run(settings: RetentionSettings, budgetMs: number, nowMs: number): RetentionReport {
    const deadline = performance.now() + budgetMs;
    const steps: Step[] = [
      () => this.buildMinuteSlice(nowMs),
      () => this.buildHourSlice(),
      () => this.deleteRawSlice(nowMs - settings.rawSeconds * 1000),
      () => this.deleteRollupSlice('minute', Math.min(nowMs - settings.minuteSeconds * 1000, this.meta.number('hour_built_ms') ?? -Infinity)),
      () => this.deleteRollupSlice('hour', nowMs - settings.hourSeconds * 1000),
      () => ({ done: true, deleted: Number(this.statements.deleteEpisodes?.run(nowMs - settings.hourSeconds * 1000).changes ?? 0) }),
      () => this.deleteOldest('deleteEvents', nowMs - settings.eventSeconds * 1000),
      () => this.deleteOldest('deleteAlerts', nowMs - settings.alertSeconds * 1000),
    ];
    let deletedRows = 0;
    let complete = true;
    // One slice always runs, so even a budget shorter than a slice makes progress.
    let first = true;
    for (const step of steps) {
      let done = false;
      while (!done && (first || performance.now() < deadline)) {
        first = false;
        const result = step();
        done = result.done;
        deletedRows += result.deleted;
      }
      if (!done) complete = false;
    }
    return { deletedRows, complete };
  }

  private transaction(work: () => void): void {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      work();
      this.db.exec('COMMIT');
    } catch (error) {
      this.db.exec('ROLLBACK');
      this.meta.reload();
      throw error;
    }
  }

  // Rolls up to MINUTE_SLICE_MS of raw rows; skips over gaps without rows.
  private buildMinuteSlice(nowMs: number): { done: boolean; deleted: number } {
    const latest = this.time('latestRaw');
    if (latest === undefined) return { done: true, deleted: 0 };
    const target = floorTo(Math.max(latest, nowMs - MINUTE_GRACE_MS), MINUTE_MS);
    let built = this.meta.number('minute_built_ms') ?? floorTo(this.time('oldestRaw') ?? latest, MINUTE_MS);
    if (built >= target) return { done: true, deleted: 0 };
    const next = this.time('firstRawFrom', built);
    built = next === undefined ? target : Math.min(target, Math.max(built, floorTo(next, MINUTE_MS)));
    const end = Math.min(target, built + MINUTE_SLICE_MS);
    const rows = this.statements.rawSlice?.all(built, end) as unknown as Array<{ time_ms: number; layout_id: number; vals: Uint8Array }>;
    const rollups = rollUpMinutes(rows.map((row) => ({ timeMs: row.time_ms, layout: this.catalog.layout(row.layout_id), values: row.vals })));
    this.transaction(() => {
      for (const r of rollups) this.statements.insertMinute?.run(r.seriesId, r.timeMs, r.n, r.sum, r.min, r.max);
      this.meta.set('minute_built_ms', end);
    });
    return { done: end >= target, deleted: 0 };
  }

  private buildHourSlice(): { done: boolean; deleted: number } {
    const minuteBuilt = this.meta.number('minute_built_ms');
    if (minuteBuilt === undefined) return { done: true, deleted: 0 };
    const target = floorTo(minuteBuilt, HOUR_MS);
    const seriesIds = this.catalog.seriesIds();
    let built = this.meta.number('hour_built_ms') ?? -Infinity;
    if (built >= target) return { done: true, deleted: 0 };
    const firsts = seriesIds.map((id) => this.time('firstMinuteFrom', id, Number.isFinite(built) ? built : 0)).filter((t) => t !== undefined);
    const next = firsts.length === 0 ? undefined : Math.min(...firsts);
    built = next === undefined ? target : Math.min(target, Math.max(built, floorTo(next, HOUR_MS)));
    const end = Math.min(target, built + HOUR_SLICE_MS);
    this.transaction(() => {
      if (built < end) for (const id of seriesIds) this.statements.buildHour?.run(id, built, end);
      this.meta.set('hour_built_ms', end);
    });
    return { done: end >= target, deleted: 0 };
  }

  // Up to RECORD_DELETE_ROWS of the oldest rows before the cutoff; done when fewer were left.
  private deleteOldest(statement: 'deleteEvents' | 'deleteAlerts', cutoffMs: number): { done: boolean; deleted: number } {
    const deleted = Number(this.statements[statement]?.run(cutoffMs).changes ?? 0);
    return { done: deleted < RECORD_DELETE_ROWS, deleted };
  }

  private deleteRawSlice(cutoffMs: number): { done: boolean; deleted: number } {
    // Never past what the minute tier holds.
    const cutoff = Math.min(cutoffMs, this.meta.number('minute_built_ms') ?? -Infinity);
    const oldest = this.time('oldestRaw');
    if (oldest === undefined || oldest >= cutoff) return { done: true, deleted: 0 };
    const sliceEnd = Math.min(cutoff, oldest + RAW_DELETE_SLICE_MS);
    const deleted = Number(this.statements.deleteRaw?.run(sliceEnd).changes ?? 0);
    return { done: sliceEnd >= cutoff, deleted };
  }

  private deleteRollupSlice(tier: 'minute' | 'hour', cutoffMs: number): { done: boolean; deleted: number } {
    const oldestStatement = tier === 'minute' ? 'oldestMinute' : 'oldestHour';
    const remove = tier === 'minute' ? this.statements.deleteMinute : this.statements.deleteHour;
    let deleted = 0;
    let done = true;
    this.transaction(() => {
      for (const id of this.catalog.seriesIds()) {
        const oldest = this.time(oldestStatement, id);
        if (oldest === undefined || oldest >= cutoffMs) continue;
        const sliceEnd = Math.min(cutoffMs, oldest + ROLLUP_DELETE_SLICE_MS);
        deleted += Number(remove?.run(id, sliceEnd).changes ?? 0);
        if (sliceEnd < cutoffMs) done = false;
      }
    });
    return { done, deleted };
  }
}
