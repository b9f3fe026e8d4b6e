// A fork storm through the daemon's path for host events (tracer -> traceOutcome -> EventIntake ->
// SQLite) with a small per-minute cap: every event the tracer delivered is a row in the store or
// counted in an events_dropped row, exactly, and no minute stores more than the cap.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { traceOutcome } from '../../src/events/fromTrace.ts';
import { EventIntake } from '../../src/events/intake.ts';
import { SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import type { LossEvent, TraceEvent } from '../../src/trace/events.ts';
import { Tracer } from '../../src/trace/tracer.ts';
import { bpftraceSupport, eventsOf, stillRunning, until } from '../helpers/bpftrace.ts';

const support = bpftraceSupport();
if (!support.ok) console.warn(`skipping the fork storm through the intake: ${support.reason}`);
const V2_ROOT = '/sys/fs/cgroup/unified';
const hasV2 = spawnSync('stat', ['-f', '-c', '%T', V2_ROOT], { encoding: 'utf8' }).stdout.trim() === 'cgroup2fs';
const PROCESSES = 1500;
const CAP = 200;

describe.skipIf(!support.ok || !hasV2)('a fork storm through the event intake', () => {
  const group = join(V2_ROOT, `hostguard-trace-storm-${process.pid}`);
  const dir = mkdtempSync(join(tmpdir(), 'hostguard-trace-storm-'));
  let tracer: Tracer | undefined;
  let bpftracePid: number | undefined;

  beforeAll(() => mkdirSync(group));

  afterAll(async () => {
    await tracer?.stop();
    expect(stillRunning(bpftracePid === undefined ? [] : [bpftracePid]), 'bpftrace still running after stop').toEqual([]);
    rmdirSync(group);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it(`stores ${CAP} events a minute and counts every other one in events_dropped, exactly`, async () => {
    const path = join(dir, 'events.db');
    const store = new SqliteStore({ path, hostId: 'test' });
    const writes: Array<Promise<void>> = [];
    const acceptedAtMs: number[] = [];
    const intake = new EventIntake({ host: 'test', maxPerMinute: CAP, batchSize: 50, flushEveryMs: 200, write: (events) => writes.push(store.saveEvents(events)), publish: () => undefined, nowMs: Date.now });
    const events: TraceEvent[] = [];
    let delivered = 0;
    tracer = new Tracer({ probes: { opens: false, io: false, ioFiles: false }, mode: 'ebpf', cgroupV2Path: group });
    const unsubscribe = tracer.subscribe((event) => {
      events.push(event);
      const outcome = traceOutcome(event);
      if (!outcome.event) return;
      delivered++;
      acceptedAtMs.push(Date.now());
      intake.accept(outcome);
    });
    await tracer.start();
    bpftracePid = tracer.stats().bpftracePid;
    const storm = spawnSync('/bin/sh', ['-c', `echo $$ > ${group}/cgroup.procs && i=0 && while [ $i -lt ${PROCESSES} ]; do /bin/true; i=$((i+1)); done`]);
    expect(storm.status).toBe(0);
    // exec and exit records lost on a busy machine are reported (their loss events go through the intake too)
    const lost = (): number => (eventsOf(events, 'loss') as LossEvent[]).filter((l) => l.record === 'exec' || l.record === 'exit').reduce((sum, l) => sum + l.count, 0);
    const accounted = (): number => eventsOf(events, 'exec').length + eventsOf(events, 'exit').length + lost();
    // every exec and exit (the shell's too) delivered, or reported lost
    await until(() => accounted() >= 2 * PROCESSES + 1, 60_000, 'the storm from the tracer');
    unsubscribe();
    intake.flush();
    await Promise.all(writes);
    await store.close();

    const db = new DatabaseSync(path, { readOnly: true });
    const byType = new Map((db.prepare('SELECT type, count(*) AS n FROM event GROUP BY type').all() as Array<{ type: string; n: number }>).map((r) => [r.type, r.n]));
    const droppedCounted = (db.prepare("SELECT coalesce(sum(json_extract(body, '$.data.count')), 0) AS n FROM event WHERE type = 'events_dropped'").get() as { n: number }).n;
    db.close();
    const storedEvents = [...byType].filter(([type]) => type !== 'events_dropped').reduce((sum, [, n]) => sum + n, 0);
    const minutes = new Set(acceptedAtMs.map((ms) => Math.floor(ms / 60_000))).size;

    expect(accounted()).toBe(2 * PROCESSES + 1);
    expect(delivered).toBeGreaterThan(CAP);
    expect(droppedCounted).toBeGreaterThan(0);
    expect(storedEvents + droppedCounted).toBe(delivered);
    expect(intake.counts).toMatchObject({ received: delivered, dropped: droppedCounted, stored: storedEvents + (byType.get('events_dropped') ?? 0) });
    // the cap holds in every minute the storm touched, and each of them stored up to it
    expect(storedEvents).toBeLessThanOrEqual(CAP * minutes);
    expect(storedEvents).toBeGreaterThanOrEqual(CAP);
  }, 180_000);
});
