// A SQLite file at schema version 1 (migration 1 only, written by the v1 snapshot writer and the
// v1 episode statement) opened by this store: migrated to the latest version in place, its
// snapshots, history and episodes intact, alerts and events then usable; a migration that fails
// leaves the file at version 1.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MetricsSnapshot } from '../../src/collect/types.ts';
import type { Episode } from '../../src/detect/rules.ts';
import { SqliteCatalog } from '../../src/store/sqlite/catalog.ts';
import { Meta } from '../../src/store/sqlite/meta.ts';
import { MIGRATIONS, SCHEMA_VERSION, migrate } from '../../src/store/sqlite/migrations.ts';
import { SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import { SnapshotWriter } from '../../src/store/sqlite/writer.ts';
import { simulatedAlert, simulatedEvents } from '../helpers/simulatedEvents.ts';
import { SnapshotSimulator } from '../helpers/simulatedSnapshots.ts';

const START_MS = Date.UTC(2026, 0, 5);
let dir: string;
let path: string;
const stores: SqliteStore[] = [];

const episode: Episode = {
  id: 'e1', rule: 'cpu_high', metric: 'cpu_busy_percent', category: 'cpu', severity: 'warning', startMs: START_MS, endMs: START_MS + 60_000,
  peakValue: 97, peakMs: START_MS, lastValue: 91, reference: 90, message: 'CPU busy', triggerValues: [{ timeMs: START_MS, value: 95 }], endReason: 'recovered',
};

// A version-1 file as the version-1 store leaves it: snapshots through the writer, an episode row.
function writeVersion1(snapshots: readonly MetricsSnapshot[], extraSql = ''): void {
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL');
  expect(migrate(db, path, MIGRATIONS.filter((m) => m.version === 1))).toBe(1);
  new SnapshotWriter(db, new SqliteCatalog(db), new Meta(db), 'host-a', 15 * 60_000).insertMany(snapshots);
  db.prepare('INSERT INTO episode (id, host_id, start_ms, end_ms, severity, category, metric, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
    episode.id, 'host-a', episode.startMs, episode.endMs, episode.severity, episode.category, episode.metric, JSON.stringify(episode),
  );
  if (extraSql !== '') db.exec(extraSql);
  db.close();
}

function schema(): { version: number; tables: string[] } {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const version = (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
    return { version, tables };
  } finally {
    db.close();
  }
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hostguard-migrate-'));
  path = join(dir, 'v1.db');
});

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a version-1 SQLite file', () => {
  it('is migrated to the latest version without losing its snapshots, history or episodes', async () => {
    const simulator = new SnapshotSimulator({ startMs: START_MS, intervalMs: 2000 });
    const snapshots = Array.from({ length: 600 }, (_, i) => simulator.snapshot(i));
    writeVersion1(snapshots);
    expect(schema().version).toBe(1);
    expect(schema().tables).not.toContain('event');

    const nowMs = snapshots.at(-1)?.timestampMs ?? 0;
    const store = new SqliteStore({ path, hostId: 'host-a', clock: { now: () => nowMs } });
    stores.push(store);
    expect(schema()).toMatchObject({ version: SCHEMA_VERSION });
    expect(SCHEMA_VERSION).toBe(2);
    expect(schema().tables).toEqual(expect.arrayContaining(['alert', 'event', 'raw', 'recent', 'episode', 'rollup_minute']));

    expect(await store.latestSnapshot()).toEqual(snapshots.at(-1));
    expect((await store.snapshotsSince(0)).map((s) => s.timestampMs)).toEqual(snapshots.slice(-451).map((s) => s.timestampMs));
    const raw = await store.history({ startMs: START_MS, endMs: nowMs, fields: ['cpu_busy_percent'], maxPoints: 1000 });
    expect(raw.series.cpu_busy_percent?.map((p) => p.avg)).toEqual(snapshots.map((s) => s.cpu?.busyPercent));
    expect(await store.anomaly('e1')).toEqual({ ...episode, hostId: 'host-a' });

    // the new tables work, and so does maintenance over the old ones
    await store.saveAlert(simulatedAlert('a1', nowMs), []);
    await store.saveEvents(simulatedEvents(0, 10, { startMs: nowMs, host: 'host-a' }));
    expect((await store.alerts({ limit: 5 })).map((a) => a.id)).toEqual(['a1']);
    expect(await store.events({ limit: 100 })).toHaveLength(10);
    while (!(await store.runRetention({ rawSeconds: 7 * 86_400, minuteSeconds: 30 * 86_400, hourSeconds: 365 * 86_400, eventSeconds: 30 * 86_400, alertSeconds: 365 * 86_400 }, 50)).complete);
    const minute = await store.history({ startMs: START_MS, endMs: nowMs, fields: ['cpu_busy_percent'], maxPoints: 20 });
    expect(minute.tier).toBe('minute');
  });

  it('stays at version 1, whole, when migration 2 fails, and the error names the file and the migration', () => {
    const simulator = new SnapshotSimulator({ startMs: START_MS, intervalMs: 2000 });
    // a table in the way of migration 2's indexes: its CREATE TABLE fails after the alert table was made
    writeVersion1([simulator.snapshot(0)], 'CREATE TABLE event (x INTEGER);');
    expect(() => new SqliteStore({ path, hostId: 'host-a' })).toThrow(`${path}: migration 2 (alerts (upserted by id, with their deliveries) and host events (unique per host and id)) failed`);
    expect(schema().version).toBe(1);
    expect(schema().tables).not.toContain('alert');
    const db = new DatabaseSync(path, { readOnly: true });
    expect((db.prepare('SELECT count(*) AS n FROM raw').get() as { n: number }).n).toBe(1);
    db.close();
  });
});
