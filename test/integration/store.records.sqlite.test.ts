// Alerts and host events in the SQLite store on real files: an alert upserted through its life is
// one row with its last state and deliveries; event batches are all or nothing and a replayed one
// is ignored; every filter answers what the inserted data says, newest first; retention deletes
// old events and alerts; the filters use their indexes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HostEvent } from '../../src/events/model.ts';
import { SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import { alertQuerySql } from '../../src/store/alertRecords.ts';
import { eventQuerySql } from '../../src/store/eventRecords.ts';
import { SQLITE_PLACEHOLDER } from '../../src/store/queryParams.ts';
import type { AlertQuery, EventQuery, RetentionSettings } from '../../src/store/store.ts';
import { delivery, expectedEvents, simulatedAlert, simulatedEvents } from '../helpers/simulatedEvents.ts';

const START_MS = Date.UTC(2026, 0, 5);
const DAY_S = 86_400;
const stream = { startMs: START_MS, host: 'host-a' };
const DEFAULTS: RetentionSettings = { rawSeconds: 7 * DAY_S, minuteSeconds: 30 * DAY_S, hourSeconds: 365 * DAY_S, eventSeconds: 30 * DAY_S, alertSeconds: 365 * DAY_S };

let dir: string;
let nowMs: number;
const stores: SqliteStore[] = [];

function open(): SqliteStore {
  const store = new SqliteStore({ path: join(dir, 'h.db'), hostId: 'host-a', clock: { now: () => nowMs } });
  stores.push(store);
  return store;
}

// A read-only look at the file, beside the store's own connections.
function inspect<T>(work: (db: DatabaseSync) => T): T {
  const db = new DatabaseSync(join(dir, 'h.db'), { readOnly: true });
  try {
    return work(db);
  } finally {
    db.close();
  }
}

const count = (table: string): number => inspect((db) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hostguard-records-'));
  nowMs = START_MS;
});

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('alerts', () => {
  it('upserts by id through its life: one row, the last state, every delivery so far', async () => {
    const store = open();
    const fired = simulatedAlert('a1', START_MS);
    const sent = delivery('a1', 'webhook', START_MS + 10);
    const failed = delivery('a1', 'syslog', START_MS + 20, 'failed');
    await store.saveAlert(fired, []);
    await store.saveAlert({ ...fired, repeatCount: 3 }, [sent]);
    await store.saveAlert({ ...fired, repeatCount: 3, state: 'acknowledged', acknowledgedMs: START_MS + 60_000 }, [sent, failed]);
    const resolved = { ...fired, repeatCount: 4, state: 'resolved' as const, acknowledgedMs: START_MS + 60_000, resolvedMs: START_MS + 120_000 };
    const resolvedSent = delivery('a1', 'webhook', START_MS + 120_010, 'sent', 'resolved');
    await store.saveAlert(resolved, [sent, failed, resolvedSent]);
    expect(await store.alert('a1')).toEqual({ ...resolved, hostId: 'host-a', deliveries: [sent, failed, resolvedSent] });
    expect(await store.alerts({ limit: 10 })).toHaveLength(1);
    expect(count('alert')).toBe(1);
    expect(inspect((db) => db.prepare('SELECT state, resolved_ms, json_array_length(deliveries) AS n FROM alert').get())).toEqual({ state: 'resolved', resolved_ms: START_MS + 120_000, n: 3 });
    expect(await store.alert('unknown')).toBeUndefined();
    expect(await store.alert('a1', 'host-b')).toBeUndefined();
  });

  it('filters by severity, type, state and the time it fired, newest first, up to the limit', async () => {
    const store = open();
    const h = 3_600_000;
    await store.saveAlert(simulatedAlert('w', START_MS, { severity: 'warning', type: 'DISK_FULL', state: 'resolved', resolvedMs: START_MS + h }), []);
    await store.saveAlert(simulatedAlert('c1', START_MS + h), []);
    await store.saveAlert(simulatedAlert('k', START_MS + 2 * h, { type: 'PROCESS_KILLED', state: 'acknowledged' }), []);
    await store.saveAlert(simulatedAlert('i', START_MS + 3 * h, { severity: 'info', type: 'TEST', state: 'resolved' }), []);
    const ids = async (query: Parameters<SqliteStore['alerts']>[0]): Promise<string[]> => (await store.alerts(query)).map((a) => a.id);
    expect(await ids({ limit: 10 })).toEqual(['i', 'k', 'c1', 'w']);
    expect(await ids({ limit: 2 })).toEqual(['i', 'k']);
    expect(await ids({ severity: 'critical', limit: 10 })).toEqual(['k', 'c1']);
    expect(await ids({ type: 'DISK_FULL', limit: 10 })).toEqual(['w']);
    expect(await ids({ state: 'resolved', limit: 10 })).toEqual(['i', 'w']);
    expect(await ids({ state: 'firing', severity: 'critical', limit: 10 })).toEqual(['c1']);
    // both ends included
    expect(await ids({ startMs: START_MS + h, endMs: START_MS + 2 * h, limit: 10 })).toEqual(['k', 'c1']);
    expect(await ids({ hostId: 'host-b', limit: 10 })).toEqual([]);
  });
});

describe('host events', () => {
  it('stores a batch whole; a replayed batch, or one overlapping it, adds only the new ids', async () => {
    const store = open();
    const batch = simulatedEvents(0, 500, stream);
    await store.saveEvents(batch);
    await store.saveEvents(batch);
    // the second half of the first batch again, then 250 new ones
    await store.saveEvents(simulatedEvents(250, 750, stream));
    expect(count('event')).toBe(750);
    const stored = await store.events({ limit: 1000 });
    expect(stored).toEqual(expectedEvents(simulatedEvents(0, 750, stream), { limit: 1000 }));
    expect(stored[0]?.id).toBe('ev-749');
  });

  it('gives every event back as it was given, including a foreign host name and missing pid and comm', async () => {
    const store = open();
    const foreign: HostEvent = { id: 'g1', timeMs: START_MS, host: 'guard-on-host-a', type: 'guard_level', source: 'guard', message: 'memory level 2', data: { level: 2, nested: { a: [1, 'x'] } } };
    const bare: HostEvent = { id: 'l1', timeMs: START_MS + 1, host: 'host-a', type: 'events_dropped', source: 'daemon', message: '12 events dropped', data: {} };
    const exec = simulatedEvents(0, 1, stream)[0] as HostEvent;
    await store.saveEvents([foreign, bare, exec]);
    expect(await store.events({ limit: 10 })).toEqual([bare, exec, foreign]);
    expect(Object.keys((await store.events({ types: ['events_dropped'], limit: 1 }))[0] ?? {})).not.toContain('pid');
  });

  it('rejects a batch with an event it cannot store, naming it, and writes none of the batch', async () => {
    const store = open();
    const batch = simulatedEvents(0, 10, stream);
    const bad = { ...(batch[5] as HostEvent), timeMs: 1.5 };
    await expect(store.saveEvents([...batch.slice(0, 5), bad, ...batch.slice(6)])).rejects.toThrow('event ev-5: timeMs must be a whole number of milliseconds, not 1.5');
    expect(count('event')).toBe(0);
  });

  it('filters by types, pid, comm and time, newest first, events of one millisecond the later stored first', async () => {
    const store = open();
    // 10 ms apart with a same-millisecond pair at every 10th: ties must come out in reverse insertion order
    const events = simulatedEvents(0, 3000, { ...stream, spacingMs: 10 }).map((e, i) => (i % 10 === 1 ? { ...e, timeMs: e.timeMs - 10 } : e));
    for (let i = 0; i < events.length; i += 500) await store.saveEvents(events.slice(i, i + 500));
    const queries: EventQuery[] = [
      { limit: 25 },
      { types: ['exec'], limit: 40 },
      { types: ['guard_signal', 'oom_victim', 'trace_loss'], limit: 100 },
      { types: ['exit', 'exec'], limit: 7 },
      { types: [], limit: 3 },
      { pid: 10_042, limit: 10 },
      { pid: 10_042, types: ['exit'], limit: 10 },
      { comm: 'make', limit: 30 },
      { comm: 'make', types: ['exec'], startMs: START_MS + 5000, endMs: START_MS + 9000, limit: 1000 },
      { startMs: START_MS + 100, endMs: START_MS + 200, limit: 1000 },
      { types: ['oom_victim'], startMs: START_MS + 20_000, limit: 1000 },
      { comm: 'nobody', limit: 10 },
    ];
    for (const query of queries) {
      const expected = expectedEvents(events, query);
      // every query but the last has something to find, so an empty answer cannot pass
      if (query.comm !== 'nobody') expect(expected.length, JSON.stringify(query)).toBeGreaterThan(0);
      expect(await store.events(query), JSON.stringify(query)).toEqual(expected);
    }
    expect(await store.events({ limit: 10, hostId: 'host-b' })).toEqual([]);
  });
});

describe('indexes', () => {
  it('answer the newest rows of a filter by an ordered index scan, without sorting', async () => {
    await open().close();
    const plan = (sql: string, params: unknown[]): string =>
      inspect((db) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...(params as Array<string | number>)) as Array<{ detail: string }>).map((r) => r.detail).join(' | '));
    // the statements the store runs
    const events = (query: EventQuery): string => {
      const { sql, params } = eventQuerySql(query, 'host-a', { placeholder: SQLITE_PLACEHOLDER, seq: 'rowid', body: 'body' });
      return plan(sql, params);
    };
    expect(events({ limit: 100 })).toMatch(/^SCAN event USING INDEX event_time$/);
    expect(events({ types: ['exec'], limit: 100 })).toMatch(/^SEARCH event USING INDEX event_type \(type=\?\)$/);
    expect(events({ types: ['exec'], startMs: 5, endMs: 9, limit: 100 })).toMatch(/^SEARCH event USING INDEX event_type \(type=\? AND time_ms>\? AND time_ms<\?\)$/);
    expect(events({ pid: 7, limit: 100 })).toMatch(/^SEARCH event USING INDEX event_pid \(pid=\?\)$/);
    expect(events({ startMs: 5, limit: 100 })).toMatch(/^SEARCH event USING INDEX event_time \(time_ms>\?\)$/);
    // several types: one ordered scan per type, each limited, then the few rows they return merged
    expect(events({ types: ['exec', 'exit'], limit: 100 }).match(/SEARCH by_type_\d USING INDEX event_type|SEARCH event USING INDEX event_type/g)).toHaveLength(2);
    const alerts = (query: AlertQuery): string => {
      const { sql, params } = alertQuerySql(query, 'host-a', SQLITE_PLACEHOLDER, (column) => column);
      return plan(sql, params);
    };
    expect(alerts({ severity: 'critical', limit: 5 })).toMatch(/alert_severity/);
    expect(alerts({ type: 'DISK_FULL', limit: 5 })).toMatch(/alert_type/);
    expect(alerts({ state: 'firing', limit: 5 })).toMatch(/alert_state/);
    expect(alerts({ limit: 5 })).toMatch(/alert_time/);
  });
});

describe('retention of events and alerts', () => {
  it('deletes events older than events retention and alerts older than alerts retention (unless firing), keeping newer ones', async () => {
    const store = open();
    const day = 86_400_000;
    // 7,000 events on day 0 (several delete slices), 500 on day 40
    for (let i = 0; i < 7000; i += 500) await store.saveEvents(simulatedEvents(i, i + 500, { ...stream, spacingMs: 1000 }));
    const recent = simulatedEvents(0, 500, { ...stream, startMs: START_MS + 40 * day, prefix: 'new' });
    await store.saveEvents(recent);
    await store.saveAlert(simulatedAlert('old-resolved', START_MS, { state: 'resolved' }), []);
    await store.saveAlert(simulatedAlert('old-acknowledged', START_MS, { state: 'acknowledged' }), []);
    await store.saveAlert(simulatedAlert('old-firing', START_MS), []);
    await store.saveAlert(simulatedAlert('recent', START_MS + 30 * day, { state: 'resolved' }), []);
    nowMs = START_MS + 41 * day;
    const settings = { ...DEFAULTS, eventSeconds: 30 * DAY_S, alertSeconds: 20 * DAY_S };
    let deleted = 0;
    for (let complete = false; !complete; ) {
      const report = await store.runRetention(settings, 50);
      deleted += report.deletedRows;
      complete = report.complete;
    }
    expect(deleted).toBe(7000 + 2);
    expect(await store.events({ limit: 1000 })).toEqual(expectedEvents(recent, { limit: 1000 }));
    expect((await store.alerts({ limit: 10 })).map((a) => a.id)).toEqual(['recent', 'old-firing']);
    // nothing left to do: the next run deletes nothing
    expect(await store.runRetention(settings, 50)).toEqual({ deletedRows: 0, complete: true });
  });
});
