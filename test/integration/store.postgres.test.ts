// The PostgreSQL store against a real server (a throwaway cluster on 127.0.0.1): two hosts write
// into one database, each row carries its host id, each query filters by host; rollups, retention,
// episodes, alerts, host events, migration from version 1 and the schema-version check as for
// SQLite. Skipped, saying why, without the binaries.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricsSnapshot } from '../../src/collect/types.ts';
import type { Episode } from '../../src/detect/rules.ts';
import { HistoryQueryError } from '../../src/store/history.ts';
import { PG_MIGRATIONS, PG_SCHEMA_VERSION, migratePg } from '../../src/store/postgres/migrations.ts';
import { PostgresStore } from '../../src/store/postgres/pgStore.ts';
import type { EventQuery, RetentionSettings } from '../../src/store/store.ts';
import { type PostgresCluster, postgresBinDir, startPostgres } from '../helpers/postgres.ts';
import { delivery, expectedEvents, simulatedAlert, simulatedEvents } from '../helpers/simulatedEvents.ts';
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

  it('upserts alerts by host and id: one row each, the last state and deliveries, filtered by host', async () => {
    const url = await newDatabase();
    const [a, b] = await Promise.all([openStore(url, 'host-a'), openStore(url, 'host-b')]);
    const fired = simulatedAlert('same-id', START_MS);
    const sent = delivery('same-id', 'webhook', START_MS + 5);
    await a.saveAlert(fired, []);
    await a.saveAlert({ ...fired, state: 'acknowledged', acknowledgedMs: START_MS + 1000 }, [sent]);
    const resolved = { ...fired, state: 'resolved' as const, acknowledgedMs: START_MS + 1000, resolvedMs: START_MS + 2000 };
    await a.saveAlert(resolved, [sent, delivery('same-id', 'webhook', START_MS + 2005, 'failed', 'resolved')]);
    // the same id from another host is another alert
    await b.saveAlert(simulatedAlert('same-id', START_MS, { host: 'host-b', severity: 'warning' }), []);
    await a.saveAlert(simulatedAlert('disk', START_MS + 60_000, { type: 'DISK_FULL', severity: 'warning' }), []);
    const stored = await a.alert('same-id');
    expect(stored).toEqual({ ...resolved, hostId: 'host-a', deliveries: [sent, delivery('same-id', 'webhook', START_MS + 2005, 'failed', 'resolved')] });
    expect((await a.alert('same-id', 'host-b'))?.severity).toBe('warning');
    expect(await a.alert('missing')).toBeUndefined();
    const ids = async (query: Parameters<PostgresStore['alerts']>[0]): Promise<string[]> => (await a.alerts(query)).map((x) => `${x.hostId}/${x.id}`);
    expect(await ids({ limit: 10 })).toEqual(['host-a/disk', 'host-a/same-id']);
    expect(await ids({ limit: 1 })).toEqual(['host-a/disk']);
    expect(await ids({ state: 'resolved', limit: 10 })).toEqual(['host-a/same-id']);
    expect(await ids({ type: 'DISK_FULL', severity: 'warning', limit: 10 })).toEqual(['host-a/disk']);
    expect(await ids({ severity: 'critical', endMs: START_MS, limit: 10 })).toEqual(['host-a/same-id']);
    expect(await ids({ startMs: START_MS + 1, limit: 10 })).toEqual(['host-a/disk']);
    expect(await ids({ hostId: 'host-b', limit: 10 })).toEqual(['host-b/same-id']);
    const client = new pg.Client(url);
    await client.connect();
    try {
      expect((await client.query('SELECT host_id, id, state FROM alert ORDER BY host_id, id')).rows).toEqual([
        { host_id: 'host-a', id: 'disk', state: 'firing' },
        { host_id: 'host-a', id: 'same-id', state: 'resolved' },
        { host_id: 'host-b', id: 'same-id', state: 'firing' },
      ]);
    } finally {
      await client.end();
    }
  });

  it('stores event batches per host, ignores a replayed batch, and answers every filter newest first', async () => {
    const url = await newDatabase();
    const [a, b] = await Promise.all([openStore(url, 'host-a'), openStore(url, 'host-b')]);
    // same-millisecond pairs at every 10th event: the later stored comes first
    const events = simulatedEvents(0, 3000, { startMs: START_MS, host: 'host-a', spacingMs: 10 }).map((e, i) => (i % 10 === 1 ? { ...e, timeMs: e.timeMs - 10 } : e));
    for (let i = 0; i < events.length; i += 500) await a.saveEvents(events.slice(i, i + 500));
    await a.saveEvents(events.slice(0, 500));
    // host-b's events have the same ids: they are its own
    const fromB = simulatedEvents(0, 100, { startMs: START_MS, host: 'host-b' });
    await b.saveEvents(fromB);
    const queries: EventQuery[] = [
      { limit: 25 },
      { types: ['exec'], limit: 40 },
      { types: ['guard_signal', 'oom_victim', 'trace_loss'], limit: 100 },
      { pid: 10_042, types: ['exit'], limit: 10 },
      { comm: 'make', types: ['exec'], startMs: START_MS + 5000, endMs: START_MS + 9000, limit: 1000 },
      { startMs: START_MS + 100, endMs: START_MS + 200, limit: 1000 },
    ];
    for (const query of queries) {
      const expected = expectedEvents(events, query);
      expect(expected.length, JSON.stringify(query)).toBeGreaterThan(0);
      expect(await a.events(query), JSON.stringify(query)).toEqual(expected);
    }
    expect(await a.events({ hostId: 'host-b', limit: 1000 })).toEqual(expectedEvents(fromB, { limit: 1000 }));
    const bad = { ...(events[0] as (typeof events)[number]), id: 'bad', pid: 1.5 };
    await expect(a.saveEvents([...simulatedEvents(5000, 5010, { startMs: START_MS, host: 'host-a' }), bad])).rejects.toThrow('event bad: pid must be a whole number, not 1.5');
    const client = new pg.Client(url);
    await client.connect();
    try {
      expect((await client.query('SELECT host_id, count(*)::int AS n FROM event GROUP BY host_id ORDER BY host_id')).rows).toEqual([
        { host_id: 'host-a', n: 3000 },
        { host_id: 'host-b', n: 100 },
      ]);
    } finally {
      await client.end();
    }
  });

  it('deletes its own old events and alerts (not those still firing), keeping other hosts\' and newer ones', async () => {
    const url = await newDatabase();
    const [a, b] = await Promise.all([openStore(url, 'host-a'), openStore(url, 'host-b')]);
    const day = 86_400_000;
    for (let i = 0; i < 5000; i += 500) await a.saveEvents(simulatedEvents(i, i + 500, { startMs: START_MS, host: 'host-a' }));
    const recent = simulatedEvents(0, 100, { startMs: START_MS + 40 * day, host: 'host-a', prefix: 'new' });
    await a.saveEvents(recent);
    await b.saveEvents(simulatedEvents(0, 100, { startMs: START_MS, host: 'host-b' }));
    await a.saveAlert(simulatedAlert('old', START_MS, { state: 'resolved' }), []);
    await a.saveAlert(simulatedAlert('old-firing', START_MS), []);
    await b.saveAlert(simulatedAlert('old', START_MS, { state: 'resolved' }), []);
    nowMs = START_MS + 41 * day;
    const settings = { ...DEFAULTS, eventSeconds: 30 * 86_400, alertSeconds: 30 * 86_400 };
    let deleted = 0;
    for (let complete = false; !complete; ) {
      const report = await a.runRetention(settings, 50);
      deleted += report.deletedRows;
      complete = report.complete;
    }
    expect(deleted).toBe(5000 + 1);
    expect(await a.events({ limit: 1000 })).toEqual(expectedEvents(recent, { limit: 1000 }));
    expect((await a.alerts({ limit: 10 })).map((x) => x.id)).toEqual(['old-firing']);
    expect(await b.events({ limit: 1000 })).toHaveLength(100);
    expect((await b.alerts({ limit: 10 })).map((x) => x.id)).toEqual(['old']);
  });

  it('migrates a version-1 database to the latest version, keeping its episodes', async () => {
    const url = await newDatabase();
    const client = new pg.Client(url);
    await client.connect();
    try {
      expect(await migratePg(client, url, PG_MIGRATIONS.filter((m) => m.version === 1))).toBe(1);
      const old = episode('v1', START_MS, START_MS + 60_000);
      await client.query('INSERT INTO episode (id, host_id, start_ms, end_ms, severity, category, metric, body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [old.id, 'host-a', old.startMs, old.endMs, old.severity, old.category, old.metric, JSON.stringify(old)]);
      expect((await client.query("SELECT to_regclass('event') AS t")).rows).toEqual([{ t: null }]);
      const store = await openStore(url, 'host-a');
      expect((await client.query<{ v: number }>('SELECT max(version) AS v FROM hostguard_schema')).rows[0]?.v).toBe(PG_SCHEMA_VERSION);
      expect(PG_SCHEMA_VERSION).toBe(2);
      expect(await store.anomaly('v1')).toEqual({ ...old, hostId: 'host-a' });
      await store.saveEvents(simulatedEvents(0, 3, { startMs: START_MS, host: 'host-a' }));
      expect(await store.events({ limit: 10 })).toHaveLength(3);
    } finally {
      await client.end();
    }
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
