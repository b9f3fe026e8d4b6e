import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LossTracker } from './lossTracker.ts';

describe('LossTracker', () => {
  it('reports a jump in one CPU and type as the records in between, from the last one seen', () => {
    const tracker = new LossTracker();
    tracker.reset(100);
    expect(tracker.onRecord('exec', 0, 1, 110)).toBeUndefined();
    expect(tracker.onRecord('exec', 0, 5, 150)).toEqual({ record: 'exec', cpu: 0, count: 3, fromNs: 110, toNs: 150 });
    // another CPU and another type keep their own numbers
    expect(tracker.onRecord('exec', 1, 1, 160)).toBeUndefined();
    expect(tracker.onRecord('exit', 0, 1, 170)).toBeUndefined();
    expect(tracker.totals().lost.exec).toBe(3);
  });

  it('counts the records lost at the end of a stream from the next heartbeat of that CPU', () => {
    const tracker = new LossTracker();
    tracker.reset(0);
    tracker.onRecord('exec', 1, 1, 10);
    tracker.onRecord('exec', 1, 2, 20);
    // CPU 1 sent 6 execs, 0 argv, 2 exits, 0 oom, 1 tick; its heartbeat #1
    expect(tracker.onHeartbeat(1, 1, 90, [6, 0, 2, 0, 1])).toEqual([
      { record: 'exec', cpu: 1, count: 4, fromNs: 20, toNs: 90 },
      { record: 'exit', cpu: 1, count: 2, fromNs: 0, toNs: 90 },
      { record: 'tick', cpu: 1, count: 1, fromNs: 0, toNs: 90 },
    ]);
    // already counted: a later record with a number the heartbeat covered is not lost twice
    expect(tracker.onRecord('exec', 1, 7, 95)).toBeUndefined();
    expect(tracker.onHeartbeat(1, 3, 99, [7, 0, 2, 0, 1])).toEqual([{ record: 'hb', cpu: 1, count: 1, fromNs: 90, toNs: 99 }]);
    expect(tracker.totals()).toMatchObject({ lost: { exec: 4, exit: 2, tick: 1, hb: 1 }, sent: { exec: 7, exit: 2, hb: 3 }, received: { exec: 3, hb: 2 } });
  });

  it('starts the numbers afresh after a restart and keeps the totals', () => {
    const tracker = new LossTracker();
    tracker.reset(0);
    tracker.onHeartbeat(0, 1, 5, [0, 0, 0, 0, 0]);
    tracker.onRecord('exec', 0, 2, 10);
    tracker.reset(1000);
    expect(tracker.onRecord('exec', 0, 1, 1010)).toBeUndefined();
    expect(tracker.totals()).toMatchObject({ lost: { exec: 1 }, received: { exec: 2 }, sent: { hb: 1 } });
  });

  it('counts a repeated sequence number (counters not to be trusted) without reporting a loss', () => {
    const tracker = new LossTracker();
    tracker.reset(0);
    tracker.onRecord('argv', 0, 1, 10);
    expect(tracker.onRecord('argv', 0, 1, 11)).toBeUndefined();
    expect(tracker.onRecord('argv', 0, 2, 12)).toBeUndefined();
    expect(tracker.totals()).toMatchObject({ repeated: 1, received: { argv: 3 }, lost: { argv: 0 } });
  });

  it('names the CPUs that sent records but no heartbeat since the run began', () => {
    const tracker = new LossTracker();
    tracker.reset(0);
    tracker.onRecord('exec', 0, 1, 10);
    tracker.onRecord('exec', 3, 1, 10);
    tracker.onHeartbeat(0, 1, 20, [1, 0, 0, 0, 0]);
    expect(tracker.totals().cpusWithoutHeartbeat).toEqual([3]);
    tracker.onHeartbeat(3, 1, 30, [1, 0, 0, 0, 0]);
    expect(tracker.totals().cpusWithoutHeartbeat).toEqual([]);
    // a new bpftrace: its CPUs have to be heard from again
    tracker.reset(100);
    tracker.onRecord('exit', 3, 1, 110);
    expect(tracker.totals().cpusWithoutHeartbeat).toEqual([3]);
  });

  it('knows until when every record sent is accounted for: the oldest of the CPUs last heartbeats', () => {
    const tracker = new LossTracker();
    tracker.reset(100);
    expect(tracker.coveredUntilNs()).toBe(100);
    tracker.onHeartbeat(0, 1, 500, [0, 0, 0, 0, 0]);
    tracker.onHeartbeat(1, 1, 400, [0, 0, 0, 0, 0]);
    expect(tracker.coveredUntilNs()).toBe(400);
    tracker.onHeartbeat(1, 2, 900, [0, 0, 0, 0, 0]);
    expect(tracker.coveredUntilNs()).toBe(500);
    // a CPU that sent a record but no heartbeat yet is covered since the start only
    tracker.onRecord('exec', 2, 1, 950);
    expect(tracker.coveredUntilNs()).toBe(100);
  });

  it('reports exactly the numbers it did not see, whatever arrives (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 200 }), (kept) => {
        const tracker = new LossTracker();
        tracker.reset(0);
        kept.forEach((keep, i) => {
          if (keep) tracker.onRecord('exit', 0, i + 1, i + 1);
        });
        tracker.onHeartbeat(0, 1, kept.length + 1, [0, 0, kept.length, 0, 0]);
        expect(tracker.totals().lost.exit).toBe(kept.filter((keep) => !keep).length);
      }),
    );
  });
});
