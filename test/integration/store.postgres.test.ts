// The PostgreSQL store against a real server (a throwaway cluster on 127.0.0.1): two hosts write
// into one database, each row carries its host id, each query filters by host; rollups, retention,
// episodes and the schema-version check as for SQLite. Skipped, saying why, without the binaries.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricsSnapshot } from '../../src/collect/types.ts';
import type { Episode } from '../../src/detect/rules.ts';
import { HistoryQueryError } from '../../src/store/history.ts';
import { PG_SCHEMA_VERSION } from '../../src/store/postgres/migrations.ts';
import { PostgresStore } from '../../src/store/postgres/pgStore.ts';
import type { RetentionSettings } from '../../src/store/store.ts';
import { type PostgresCluster, postgresBinDir, startPostgres } from '../helpers/postgres.ts';
import { SnapshotSimulator, expectedBuckets } from '../helpers/simulatedSnapshots.ts';

const binDir = postgresBinDir();
if (binDir === undefined) process.stdout.write('store.postgres.test.ts: skipped: no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install -y postgresql)\n');

const START_MS = Date.UTC(2026, 0, 5);
const DEFAULTS: RetentionSettings = { rawSeconds: 7 * 86_400, minuteSeconds: 30 * 86_400, hourSeconds: 365 * 86_400, eventSeconds: 30 * 86_400, alertSeconds: 365 * 86_400 };
let cluster: PostgresCluster | undefined;
let nowMs = START_MS;
const stores: PostgresStore[] = [];
let databases = 0;

async function openStore(url: string, hostId: string): Promise<PostgresStore> {
  const store = await PostgresStore.open({ url, hostId, clock: { now: () => nowMs } });
  stores.push(store);
  return store;
}

async function insertRange(store: PostgresStore, simulator: SnapshotSimulator, from: number, to: number): Promise<MetricsSnapshot[]> {
  const inserted: MetricsSnapshot[] = [];
  for (let i = from; i < to; i++) {
    const snapshot = simulator.snapshot(i);
    nowMs = Math.max(nowMs, snapshot.timestampMs);
    await store.insertSnapshot(snapshot);
    inserted.push(snapshot);
  }
  return inserted;
}

function episode(id: string, startMs: number, endMs: number | null, severity: Episode['severity'] = 'warning'): Episode {
  return { id, rule: 'cpu_high', metric: 'cpu_busy_percent', category: 'cpu', severity, startMs, endMs, peakValue: 97, peakMs: startMs, lastValue: 91, reference: 90, message: 'CPU busy', triggerValues: [{ timeMs: startMs, value: 95 }] };
}

describe.skipIf(binDir === undefined)('the PostgreSQL store', { timeout: 120_000 }, () => {
  const newDatabase = (): Promise<string> => (cluster as PostgresCluster).createDatabase(`hostguard_${++databases}`);

  beforeAll(async () => {
    cluster = await startPostgres(binDir as string);
  }, 60_000);

  afterAll(async () => {
    for (const store of stores.splice(0)) await store.close();
    await cluster?.stop();
  });

  it('keeps two hosts apart in one database: every row has its host id, every query filters by host', async () => {
    const url = await newDatabase();
    const [a, b] = await Promise.all([openStore(url, 'host-a'), openStore(url, 'host-b')]);
    const simA = new SnapshotSimulator({ startMs: START_MS, intervalMs: 2000, seed: 1 });
    const simB = new SnapshotSimulator({ startMs: START_MS, intervalMs: 2000, seed: 2 });
    const [fromA, fromB] = await Promise.all([insertRange(a, simA, 0, 60), insertRange(b, simB, 0, 40)]);
    expect((await a.latestSnapshot())?.cpu?.busyPercent).toBe(fromA.at(-1)?.cpu?.busyPercent);
    expect(await a.latestSnapshot('host-b')).toEqual(fromB.at(-1));
    expect((await b.snapshotsSince(0)).length).toBe(40);
    const query = { startMs: START_MS, endMs: nowMs, fields: ['cpu_busy_percent'], maxPoints: 1000 };
    expect((await a.history(query)).series.cpu_busy_percent?.map((p) => p.avg)).toEqual(fromA.map((s) => s.cpu?.busyPercent));
    expect((await a.history({ ...query, hostId: 'host-b' })).series.cpu_busy_percent?.map((p) => p.avg)).toEqual(fromB.map((s) => s.cpu?.busyPercent));
    expect((await a.history({ ...query, hostId: 'nobody' })).series).toEqual({ cpu_busy_percent: [] });
    expect((await b.hosts()).map((h) => [h.hostId, h.lastSeenMs])).toEqual([['host-a', fromA.at(-1)?.timestampMs], ['host-b', fromB.at(-1)?.timestampMs]]);
    const client = new pg.Client(url);
    await client.connect();
    try {
      for (const table of ['raw', 'recent', 'series', 'layout', 'host']) {
        const rows = await client.query<{ host_id: string; n: string }>(`SELECT host_id, count(*) AS n FROM ${table} GROUP BY host_id ORDER BY host_id`);
        expect(rows.rows.map((r) => r.host_id)).toEqual(['host-a', 'host-b']);
      }
    } finally {
      await client.end();
    }
  });

  it('builds rollups per host that match the inputs, and deletes only its own expired rows', async () => {
    const url = await newDatabase();
    const [a, b] = await Promise.all([openStore(url, 'host-a'), openStore(url, 'host-b')]);
    nowMs = START_MS;
    const inserted = await insertRange(a, new SnapshotSimulator({ startMs: START_MS, intervalMs: 10_000 }), 0, 2 * 360 + 30);
    await insertRange(b, new SnapshotSimulator({ startMs: START_MS, intervalMs: 60_000 }), 0, 60);
    while (!(await a.runRetention(DEFAULTS, 50)).complete);
    const result = await a.history({ startMs: START_MS, endMs: nowMs, fields: ['memory_used_percent'], maxPoints: 60 });
    expect(result.tier).toBe('minute');
    const expected = expectedBuckets(inserted, 'memory_used_percent', result.stepMs);
    const points = result.series.memory_used_percent ?? [];
    expect(points.map((p) => [p.timeMs, p.min, p.max])).toEqual([...expected].map(([t, v]) => [t, v.min, v.max]));
    points.forEach((p) => expect(p.avg).toBeCloseTo(expected.get(p.timeMs)?.avg ?? NaN, 9));
    const hourly = await a.history({ startMs: START_MS, endMs: nowMs, fields: ['memory_used_percent'], maxPoints: 3 });
    expect(hourly.tier).toBe('hour');
    // raw retention of one hour: host-a loses its first hour of raw rows, host-b none of its own
    const report = await a.runRetention({ ...DEFAULTS, rawSeconds: 3600 }, 1000);
    expect(report.deletedRows).toBeGreaterThanOrEqual(360);
    const client = new pg.Client(url);
    await client.connect();
    try {
      const counts = await client.query<{ host_id: string; n: number; oldest: string }>('SELECT host_id, count(*)::int AS n, min(time_ms)::text AS oldest FROM raw GROUP BY host_id ORDER BY host_id');
      expect(counts.rows[1]).toEqual({ host_id: 'host-b', n: 60, oldest: String(START_MS) });
      expect(Number(counts.rows[0]?.oldest)).toBeGreaterThanOrEqual(nowMs - 3_600_000);
    } finally {
      await client.end();
    }
    await expect(a.history({ startMs: 0, endMs: 1, fields: ['nope'], maxPoints: 5 })).rejects.toThrow(HistoryQueryError);
  });

  it('upserts episodes by id and filters them by host, time, severity', async () => {
    const url = await newDatabase();
    const [a, b] = await Promise.all([openStore(url, 'host-a'), openStore(url, 'host-b')]);
    await a.saveEpisode(episode('e1', START_MS, null));
    await a.saveEpisode({ ...episode('e1', START_MS, START_MS + 60_000), peakValue: 99 });
    await a.saveEpisode(episode('e2', START_MS + 3_600_000, null, 'critical'));
    await b.saveEpisode(episode('e3', START_MS, null, 'critical'));
    expect(await a.anomaly('e1')).toEqual({ ...episode('e1', START_MS, START_MS + 60_000), peakValue: 99, hostId: 'host-a' });
    expect((await a.anomalies({ limit: 10 })).map((e) => e.id)).toEqual(['e2', 'e1']);
    expect((await a.anomalies({ severity: 'critical', limit: 10 })).map((e) => e.id)).toEqual(['e2']);
    expect((await a.anomalies({ startMs: START_MS + 120_000, limit: 10 })).map((e) => e.id)).toEqual(['e2']);
    expect((await a.anomalies({ hostId: 'host-b', limit: 10 })).map((e) => [e.id, e.hostId])).toEqual([['e3', 'host-b']]);
    expect(await a.anomaly('missing')).toBeUndefined();
  });

  it('refuses a database whose schema is newer than it knows, naming the database and both versions', async () => {
    const url = await newDatabase();
    await (await openStore(url, 'host-a')).close();
    const client = new pg.Client(url);
    await client.connect();
    await client.query('INSERT INTO hostguard_schema (version) VALUES (99)');
    await client.end();
    await expect(PostgresStore.open({ url, hostId: 'host-a' })).rejects.toThrow(`${url}: the database has schema version 99, newer than the ${PG_SCHEMA_VERSION} this hostguard knows`);
  });

  it('reports an unreachable server with the URL, without its password', async () => {
    const url = `postgres://postgres:secret@127.0.0.1:${(cluster as PostgresCluster).port}/no_such_database`;
    await expect(PostgresStore.open({ url, hostId: 'x' })).rejects.toThrow('postgres://postgres:***@127.0.0.1');
    await expect(PostgresStore.open({ url, hostId: 'x' })).rejects.not.toThrow('secret');
  });
});
