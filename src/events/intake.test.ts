import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NewAlert } from '../alert/model.ts';
import { EventIntake, type EventIntakeOptions } from './intake.ts';
import type { HostEvent } from './model.ts';

function setup(overrides: Partial<EventIntakeOptions> = {}) {
  const written: HostEvent[][] = [];
  const published: HostEvent[] = [];
  const raised: NewAlert[] = [];
  const resolved: string[] = [];
  let now = Date.UTC(2026, 10, 23, 12, 0, 0);
  const intake = new EventIntake({
    host: 'alpha',
    maxPerMinute: 5,
    batchSize: 3,
    flushEveryMs: 60_000,
    write: (events) => written.push(events),
    publish: (event) => published.push(event),
    alerts: { raise: (a) => raised.push(a), resolve: (k) => resolved.push(k) },
    nowMs: () => now,
    ...overrides,
  });
  return { intake, written, published, raised, resolved, advance: (ms: number) => (now += ms), now: () => now };
}

const exec = (timeMs: number, pid: number) => ({ event: { timeMs, type: 'exec' as const, source: 'trace' as const, pid, comm: 'sh', message: 'sh ran', data: {} } });

describe('EventIntake', () => {
  it('publishes at once, stores in batches, and gives each event a unique id and the host', () => {
    const s = setup();
    for (let pid = 1; pid <= 4; pid++) s.intake.accept(exec(s.now(), pid));
    expect(s.published.map((e) => e.pid)).toEqual([1, 2, 3, 4]);
    expect(s.written.map((b) => b.length)).toEqual([3]);
    s.intake.flush();
    expect(s.written.map((b) => b.length)).toEqual([3, 1]);
    const ids = s.written.flat().map((e) => e.id);
    expect(new Set(ids).size).toBe(4);
    expect(s.written.flat().every((e) => e.host === 'alpha')).toBe(true);
  });

  it('keeps whole milliseconds: the tracer times events to the microsecond, the store does not', () => {
    const s = setup();
    s.intake.accept(exec(1_800_000_000_123.6, 7));
    s.intake.flush();
    expect(s.written.flat()[0]?.timeMs).toBe(1_800_000_000_124);
  });

  it('stores at most maxPerMinute a minute and records how many it held back', () => {
    const s = setup({ batchSize: 1000 });
    for (let pid = 1; pid <= 12; pid++) s.intake.accept(exec(s.now(), pid));
    s.advance(60_000);
    s.intake.accept(exec(s.now(), 99));
    s.intake.flush();
    const stored = s.written.flat();
    expect(stored.filter((e) => e.type === 'exec').map((e) => e.pid)).toEqual([1, 2, 3, 4, 5, 99]);
    const dropped = stored.find((e) => e.type === 'events_dropped');
    expect(dropped).toMatchObject({ source: 'daemon', data: { count: 7, maxPerMinute: 5, fromMs: Date.UTC(2026, 10, 23, 12, 0, 0) } });
    expect(s.intake.counts).toMatchObject({ received: 13, dropped: 7 });
    // every event was still published live
    expect(s.published).toHaveLength(13);
  });

  it('raises and resolves alerts, except for events older than alertsFromMs (a replay)', () => {
    const s = setup();
    const alert: NewAlert = { type: 'PROCESS_KILLED', severity: 'critical', title: 't', message: 'm', dedupKey: 'k' };
    s.intake.accept({ ...exec(s.now() - 120_000, 1), raise: alert }, 'old', s.now() - 60_000);
    s.intake.accept({ ...exec(s.now(), 2), raise: alert, resolveKey: 'other' }, 'new', s.now() - 60_000);
    expect(s.raised).toHaveLength(1);
    expect(s.resolved).toEqual(['other']);
    s.intake.flush();
    expect(s.written.flat().map((e) => e.id)).toEqual(['old', 'new']);
  });

  it('accounts for every event exactly: stored, or counted in an events_dropped record (property)', () => {
    // bursts of events, each after a pause of up to 3 minutes, with flushes (shutdown) in between
    const burst = fc.record({ pauseMs: fc.integer({ min: 0, max: 180_000 }), events: fc.integer({ min: 0, max: 40 }), flush: fc.boolean() });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 7 }), fc.array(burst, { maxLength: 30 }), (maxPerMinute, batchSize, bursts) => {
        const s = setup({ maxPerMinute, batchSize });
        let pid = 0;
        for (const b of bursts) {
          s.advance(b.pauseMs);
          for (let i = 0; i < b.events; i++) s.intake.accept(exec(s.now(), ++pid));
          if (b.flush) s.intake.flush();
        }
        s.intake.flush();
        const stored = s.written.flat();
        const execs = stored.filter((e) => e.type === 'exec');
        const summaries = stored.filter((e) => e.type === 'events_dropped');
        const droppedInSummaries = summaries.reduce((sum, e) => sum + Number(e.data.count), 0);
        expect(execs.length + droppedInSummaries).toBe(pid);
        expect(s.intake.counts).toMatchObject({ received: pid, dropped: droppedInSummaries, stored: stored.length });
        // no minute stores more than the cap (summaries are not capped: they are the count)
        const perMinute = new Map<number, number>();
        for (const e of execs) perMinute.set(Math.floor(e.timeMs / 60_000), (perMinute.get(Math.floor(e.timeMs / 60_000)) ?? 0) + 1);
        for (const count of perMinute.values()) expect(count).toBeLessThanOrEqual(maxPerMinute);
        // each event stored once, in order
        expect(execs.map((e) => e.pid)).toEqual([...execs.map((e) => e.pid)].sort((a, b) => (a ?? 0) - (b ?? 0)));
        expect(new Set(stored.map((e) => e.id)).size).toBe(stored.length);
      }),
    );
  });
});
