// The SQLite store on real files: snapshots in and out, history from each tier against values
// computed here from what was inserted, rollups and retention, migrations, episodes.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MetricsSnapshot } from '../../src/collect/types.ts';
import { HistoryQueryError } from '../../src/store/history.ts';
import { SCHEMA_VERSION } from '../../src/store/sqlite/migrations.ts';
import { SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import type { RetentionSettings } from '../../src/store/store.ts';
import { SnapshotSimulator, expectedBuckets } from '../helpers/simulatedSnapshots.ts';

const START_MS = Date.UTC(2026, 0, 5);
const DAY_S = 86_400;
const DEFAULTS: RetentionSettings = { rawSeconds: 7 * DAY_S, minuteSeconds: 30 * DAY_S, hourSeconds: 365 * DAY_S, eventSeconds: 30 * DAY_S, alertSeconds: 365 * DAY_S };

let dir: string;
let nowMs: number;
const stores: SqliteStore[] = [];

function open(name = 'h.db', options: { recentWindowMs?: number } = {}): SqliteStore {
  const store = new SqliteStore({ path: join(dir, name), hostId: 'host-a', clock: { now: () => nowMs }, ...options });
  stores.push(store);
  return store;
}

// Inserts snapshots from..to-1 one by one (the daemon's path) when few, in batches when many.
async function insertRange(store: SqliteStore, simulator: SnapshotSimulator, from: number, to: number): Promise<MetricsSnapshot[]> {
  const inserted: MetricsSnapshot[] = [];
  for (let i = from; i < to; i++) inserted.push(simulator.snapshot(i));
  nowMs = inserted.at(-1)?.timestampMs ?? nowMs;
  if (to - from <= 300) for (const snapshot of inserted) await store.insertSnapshot(snapshot);
  else for (let i = 0; i < inserted.length; i += 600) await store.insertSnapshots(inserted.slice(i, i + 600));
  return inserted;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hostguard-store-'));
  nowMs = START_MS;
});

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the SQLite file', () => {
  it('is created with its folder, in WAL mode, at the latest schema version', async () => {
    const store = open('nested/deeper/h.db');
    await store.insertSnapshot(new SnapshotSimulator({ startMs: START_MS, intervalMs: 2000 }).snapshot(0));
    await store.close();
    const db = new DatabaseSync(join(dir, 'nested/deeper/h.db'));
    expect(db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    expect(db.prepare('PRAGMA user_version').get()).toEqual({ user_version: SCHEMA_VERSION });
    db.close();
  });

  it('refuses a database with a newer schema, naming the file and both versions', async () => {
    const path = join(dir, 'h.db');
    await open().close();
    const db = new DatabaseSync(path);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 7}`);
    db.close();
    expect(() => open()).toThrow(`${path}: the database has schema version ${SCHEMA_VERSION + 7}, newer than the ${SCHEMA_VERSION} this hostguard knows`);
  });

  it('names the file when it is not a database', async () => {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'junk.db'), 'this is not sqlite '.repeat(300));
    expect(() => open('junk.db')).toThrow(`${join(dir, 'junk.db')}: cannot be opened as the hostguard database`);
  });
});

describe('snapshots', () => {
  it('returns the latest, and whole snapshots of the recent window only', async () => {
    const simulator = new SnapshotSimulator({ startMs: START_MS, intervalMs: 2000 });
    const store = open('h.db', { recentWindowMs: 60_000 });
    const inserted = await insertRange(store, simulator, 0, 100);
    const last = inserted[99];
    expect(await store.latestSnapshot()).toEqual(last);
    expect(await store.latestSnapshot('another-host')).toBeUndefined();
    const recent = await store.snapshotsSince(0);
    // the window is 60 s of 2 s snapshots, both ends included
    expect(recent.map((s) => s.timestampMs)).toEqual(inserted.slice(69).map((s) => s.timestampMs));
    expect(recent.at(-1)).toEqual(last);
    expect(await store.snapshotsSince((last?.timestampMs ?? 0) - 10_000)).toHaveLength(6);
  });

  it('keeps them across a restart', async () => {
    const simulator = new SnapshotSimulator({ startMs: START_MS, intervalMs: 2000 });
    const inserted = await insertRange(open(), simulator, 0, 10);
    await stores.pop()?.close();
    const reopened = open();
    expect(await reopened.latestSnapshot()).toEqual(inserted[9]);
    expect(await reopened.hosts()).toEqual([{ hostId: 'host-a', hostname: 'simulated', firstSeenMs: START_MS, lastSeenMs: inserted[9]?.timestampMs }]);
  });
});

// Thousands of snapshots per test: generous timeouts for a busy machine (no timing is asserted).
describe('history', { timeout: 120_000 }, () => {
  it('returns raw values exactly for a short range, per entity, with an empty series for an unknown entity', async () => {
    const store = open();
    const inserted = await insertRange(store, new SnapshotSimulator({ startMs: START_MS, intervalMs: 2000 }), 0, 300);
    const result = await store.history({ startMs: START_MS, endMs: nowMs, fields: ['cpu_busy_percent', 'disk_used_percent', 'memory_available_bytes', 'temperature_celsius:nope'], maxPoints: 1000 });
    expect(result.tier).toBe('raw');
    expect(Object.keys(result.series).sort()).toEqual(['cpu_busy_percent', 'disk_used_percent:/', 'disk_used_percent:/boot', 'disk_used_percent:/var/lib/data', 'memory_available_bytes', 'temperature_celsius:nope']);
    expect(result.series['temperature_celsius:nope']).toEqual([]);
    expect((await store.history({ startMs: START_MS, endMs: nowMs, fields: ['cpu_busy_percent'], maxPoints: 10, hostId: 'other' })).series).toEqual({ cpu_busy_percent: [] });
    expect(result.series.cpu_busy_percent?.map((p) => p.avg)).toEqual(inserted.map((s) => s.cpu?.busyPercent));
    expect(result.series.memory_available_bytes?.map((p) => p.max)).toEqual(inserted.map((s) => s.memory?.availableBytes));
    expect(result.series['disk_used_percent:/boot']?.map((p) => p.min)).toEqual(inserted.map((s) => s.disks?.filesystems[1]?.usedPercent));
  });

  it('rejects unknown fields and backwards ranges with a message naming them', async () => {
    const store = open();
    await expect(store.history({ startMs: 0, endMs: 10, fields: ['cpu_busy'], maxPoints: 10 })).rejects.toThrow(HistoryQueryError);
    await expect(store.history({ startMs: 0, endMs: 10, fields: ['cpu_busy'], maxPoints: 10 })).rejects.toThrow("'cpu_busy' is not a history series");
    await expect(store.history({ startMs: 10, endMs: 0, fields: [], maxPoints: 10 })).rejects.toThrow('is before start');
  });

  it('builds minute and hour rollups that match the inputs, and never returns more than maxPoints', async () => {
    const store = open();
    const simulator = new SnapshotSimulator({ startMs: START_MS, intervalMs: 2000 });
    const inserted = await insertRange(store, simulator, 0, 3 * 1800 + 450);
    const report = await store.runRetention(DEFAULTS, 10_000);
    expect(report).toEqual({ deletedRows: 0, complete: true });
    // 3.25 hours at 100 points: 2-minute buckets from the minute tier
    const minute = await store.history({ startMs: START_MS, endMs: nowMs, fields: ['cpu_busy_percent'], maxPoints: 100 });
    expect(minute.tier).toBe('minute');
    expect(minute.stepMs).toBe(120_000);
    const points = minute.series.cpu_busy_percent ?? [];
    expect(points.length).toBeLessThanOrEqual(100);
    const expected = expectedBuckets(inserted, 'cpu_busy_percent', 120_000);
    expect(points.map((p) => p.timeMs)).toEqual([...expected.keys()]);
    for (const point of points) {
      const want = expected.get(point.timeMs);
      expect(point.avg).toBeCloseTo(want?.avg ?? NaN, 9);
      expect(point.min).toBe(want?.min);
      expect(point.max).toBe(want?.max);
    }
    // With few points the hour tier answers, merged with minutes and raw rows after the last full hour.
    const hour = await store.history({ startMs: START_MS, endMs: nowMs, fields: ['disk_used_percent:/'], maxPoints: 4 });
    expect(hour.tier).toBe('hour');
    expect(hour.stepMs).toBe(7_200_000);
    const hourly = expectedBuckets(inserted, 'disk_used_percent:/', hour.stepMs);
    expect(hour.series['disk_used_percent:/']?.map((p) => [p.timeMs, p.min, p.max])).toEqual([...hourly].map(([t, v]) => [t, v.min, v.max]));
  });

  it('answers from raw rows before the rollups are built, from mixed tiers while they are, and from rollups after', async () => {
    const store = open();
    const inserted = await insertRange(store, new SnapshotSimulator({ startMs: START_MS, intervalMs: 2000 }), 0, 2 * 1800);
    const query = { startMs: START_MS, endMs: nowMs, fields: ['memory_used_percent', 'pressure_io_some_percent'], maxPoints: 40 };
    const before = await store.history(query);
    // a tiny budget builds one slice of minute rollups: the answer mixes the minute tier and raw rows
    await store.runRetention(DEFAULTS, 0.01);
    const partly = await store.history(query);
    while (!(await store.runRetention(DEFAULTS, 5)).complete);
    const after = await store.history(query);
    expect([before.tier, partly.tier, after.tier]).toEqual(['raw', 'minute', 'minute']);
    for (const result of [before, partly, after]) {
      for (const key of ['memory_used_percent', 'pressure_io_some_percent']) {
        const points = result.series[key] ?? [];
        const expected = expectedBuckets(inserted, key, result.stepMs);
        expect(points.length).toBeLessThanOrEqual(40);
        expect(points.map((p) => [p.timeMs, p.min, p.max])).toEqual([...expected].map(([t, v]) => [t, v.min, v.max]));
        points.forEach((p) => expect(p.avg).toBeCloseTo(expected.get(p.timeMs)?.avg ?? NaN, 9));
      }
    }
  });
});

describe('retention', { timeout: 120_000 }, () => {
  it('deletes raw rows after raw retention but keeps them until rolled up, within the budget', async () => {
    const store = open();
    // 2 days at one snapshot a minute keeps the test fast
    const simulator = new SnapshotSimulator({ startMs: START_MS, intervalMs: 60_000 });
    await insertRange(store, simulator, 0, 2 * 1440);
    const settings = { ...DEFAULTS, rawSeconds: DAY_S };
    const first = await store.runRetention(settings, 0.01);
    expect(first.complete).toBe(false);
    let deletedRows = first.deletedRows;
    for (let round = 0; round < 1000; round++) {
      const report = await store.runRetention(settings, 20);
      deletedRows += report.deletedRows;
      if (report.complete) break;
    }
    // raw rows older than a day are gone; the minute tier still answers for the first day
    expect(deletedRows).toBeGreaterThanOrEqual(1439);
    const old = await store.history({ startMs: START_MS, endMs: START_MS + 3_600_000 - 1, fields: ['cpu_busy_percent'], maxPoints: 1000 });
    expect(old.tier).toBe('minute');
    expect(old.series.cpu_busy_percent).toHaveLength(60);
    const db = new DatabaseSync(join(dir, 'h.db'), { readOnly: true });
    const oldest = db.prepare('SELECT min(time_ms) AS t FROM raw').get() as { t: number };
    db.close();
    expect(oldest.t).toBeGreaterThanOrEqual(nowMs - DAY_S * 1000);
  });

  it('deletes rollups and closed episodes past their retention', async () => {
    const store = open();
    const simulator = new SnapshotSimulator({ startMs: START_MS, intervalMs: 600_000 });
    await insertRange(store, simulator, 0, 6 * 24 * 3);
    await store.saveEpisode(episode('old', START_MS, START_MS + 60_000));
    await store.saveEpisode(episode('open', START_MS, null));
    while (!(await store.runRetention(DEFAULTS, 50)).complete);
    const short = { ...DEFAULTS, rawSeconds: 3600, minuteSeconds: DAY_S, hourSeconds: 2 * DAY_S };
    while (!(await store.runRetention(short, 50)).complete);
    const db = new DatabaseSync(join(dir, 'h.db'), { readOnly: true });
    const minuteOldest = (db.prepare('SELECT min(time_ms) AS t FROM rollup_minute').get() as { t: number }).t;
    const hourOldest = (db.prepare('SELECT min(time_ms) AS t FROM rollup_hour').get() as { t: number }).t;
    db.close();
    expect(minuteOldest).toBeGreaterThanOrEqual(nowMs - DAY_S * 1000);
    expect(hourOldest).toBeGreaterThanOrEqual(nowMs - 2 * DAY_S * 1000 - 3_600_000);
    expect(await store.anomaly('old')).toBeUndefined();
    expect((await store.anomaly('open'))?.endMs).toBeNull();
  });
});

function episode(id: string, startMs: number, endMs: number | null, severity: 'info' | 'warning' | 'critical' = 'warning', category: 'cpu' | 'disk' = 'cpu') {
  return {
    id, rule: `${category}_rule`, metric: category === 'cpu' ? ('cpu_busy_percent' as const) : ('disk_used_percent' as const), entity: category === 'disk' ? '/' : undefined,
    category, severity, startMs, endMs, peakValue: 97, peakMs: startMs, lastValue: 91, reference: 90, message: `${category} high`,
    triggerValues: [{ timeMs: startMs, value: 95 }], endReason: endMs === null ? undefined : ('recovered' as const),
  };
}

describe('episodes', () => {
  it('upserts by id: an episode opens, then closes, and is one row', async () => {
    const store = open();
    await store.saveEpisode(episode('e1', START_MS, null));
    await store.saveEpisode({ ...episode('e1', START_MS, START_MS + 120_000), peakValue: 99 });
    expect(await store.anomaly('e1')).toEqual({ ...episode('e1', START_MS, START_MS + 120_000), peakValue: 99, hostId: 'host-a' });
    expect(await store.anomalies({ limit: 10 })).toHaveLength(1);
    expect(await store.anomaly('unknown')).toBeUndefined();
  });

  it('filters by overlap with the time range, severity and category, newest first, up to the limit', async () => {
    const store = open();
    const h = 3_600_000;
    await store.saveEpisode(episode('a', START_MS, START_MS + h, 'warning', 'cpu'));
    await store.saveEpisode(episode('b', START_MS + 2 * h, START_MS + 3 * h, 'critical', 'disk'));
    await store.saveEpisode(episode('c', START_MS + 4 * h, null, 'critical', 'cpu'));
    const ids = async (query: Parameters<SqliteStore['anomalies']>[0]) => (await store.anomalies(query)).map((e) => e.id);
    expect(await ids({ limit: 10 })).toEqual(['c', 'b', 'a']);
    expect(await ids({ limit: 2 })).toEqual(['c', 'b']);
    expect(await ids({ startMs: START_MS + 2.5 * h, endMs: START_MS + 10 * h, limit: 10 })).toEqual(['c', 'b']);
    expect(await ids({ startMs: START_MS + 30 * h, limit: 10 })).toEqual(['c']);
    expect(await ids({ endMs: START_MS + 0.5 * h, limit: 10 })).toEqual(['a']);
    expect(await ids({ severity: 'critical', limit: 10 })).toEqual(['c', 'b']);
    expect(await ids({ category: 'cpu', limit: 10 })).toEqual(['c', 'a']);
    expect(await ids({ category: 'cpu', hostId: 'other', limit: 10 })).toEqual([]);
  });

  it('has indexes on time, severity and category that the filters use', async () => {
    await open().close();
    const db = new DatabaseSync(join(dir, 'h.db'), { readOnly: true });
    const plan = (where: string) => (db.prepare(`EXPLAIN QUERY PLAN SELECT body FROM episode WHERE ${where} ORDER BY start_ms DESC LIMIT 5`).all() as Array<{ detail: string }>).map((r) => r.detail).join(' ');
    expect(plan("severity = 'critical' AND start_ms <= 5")).toContain('episode_severity');
    expect(plan("category = 'cpu' AND start_ms <= 5")).toContain('episode_category');
    expect(plan('start_ms <= 5')).toContain('episode_start');
    db.close();
  });
});

describe('closing', () => {
  it('checkpoints the WAL into the file and removes it', async () => {
    const store = open();
    await insertRange(store, new SnapshotSimulator({ startMs: START_MS, intervalMs: 2000 }), 0, 20);
    await stores.pop()?.close();
    expect(existsSync(join(dir, 'h.db-wal'))).toBe(false);
    expect(await store.healthy()).toBe(false);
    await expect(store.insertSnapshot(new SnapshotSimulator({ startMs: START_MS, intervalMs: 2000 }).snapshot(99))).rejects.toThrow('the store is closed');
  });
});
