import { describe, expect, it } from 'vitest';
import type { GuardEvent } from './events.ts';
import { Guard, type GuardSettings } from './guard.ts';
import type { MemorySample } from './memory.ts';
import type { Candidate } from './victim.ts';

const MiB = 1024 * 1024;

function candidate(pid: number, oomScore: number): Candidate {
  return { pid, startTimeTicks: 1, comm: `p${pid}`, uid: 1000, pgid: pid, state: 'R', kernelThread: false, oomScore, oomScoreAdj: 0, rssBytes: MiB };
}

// A guard driven by a simulated clock: memory follows `availablePercentAt(timeMs)`.
function harness(availablePercentAt: (timeMs: number) => number, settings: Partial<GuardSettings> = {}) {
  let now = 0;
  const events: GuardEvent[] = [];
  const signals: Array<{ pid: number; signal: string; atMs: number }> = [];
  const alive = new Set([10, 20]);
  const pool = [candidate(10, 900), candidate(20, 300)];
  let selections = 0;
  const sample = (timeMs: number): MemorySample => {
    const percent = availablePercentAt(timeMs);
    return { timeMs, totalBytes: 1000 * MiB, availableBytes: percent * 10 * MiB, availablePercent: percent, swapTotalBytes: 0, swapFreeBytes: 0, swapFreePercent: 0 };
  };
  const guard = new Guard(
    {
      nowMs: () => now,
      readMemory: (t) => ({ ok: true, value: sample(t) }),
      candidates: {
        sync: () => undefined,
        select: () => {
          selections++;
          return pool.find((c) => alive.has(c.pid));
        },
        close: () => undefined,
      },
      isAlive: (c) => alive.has(c.pid),
      signal: (c, signal) => {
        signals.push({ pid: c.pid, signal, atMs: now });
        return alive.has(c.pid) ? { result: 'sent', targets: [c.pid] } : { result: 'gone' };
      },
      describe: (c) => ({ pid: c.pid, uid: c.uid, name: c.comm, cmdline: c.comm, oomScore: c.oomScore, oomScoreAdj: 0, rssBytes: c.rssBytes }),
      emit: (e) => events.push(e),
    },
    {
      thresholds: { memTermPercent: 10, memKillPercent: 5, swapTermPercent: 10, swapKillPercent: 5 },
      termTimeoutMs: 5000,
      reportIntervalMs: 1000,
      dryRun: false,
      processGroup: false,
      debug: false,
      ...settings,
    },
  );
  // Runs ticks until `untilMs` of simulated time, advancing the clock by each returned sleep.
  const runUntil = async (untilMs: number, afterTick?: (timeMs: number) => void): Promise<void> => {
    while (now < untilMs) {
      const ms = await guard.tick();
      afterTick?.(now);
      now += ms;
    }
  };
  return { guard, events, signals, alive, runUntil, selections: () => selections, setNow: (t: number) => (now = t) };
}

describe('Guard', () => {
  it('does nothing while memory is plentiful, and reports once per interval', async () => {
    const h = harness(() => 50);
    await h.runUntil(10_000);
    expect(h.signals).toEqual([]);
    const reports = h.events.filter((e) => e.type === 'report');
    expect(reports.length).toBeGreaterThanOrEqual(9);
    expect(reports.length).toBeLessThanOrEqual(11);
  });

  it('sends SIGTERM at the term limit and picks no second victim while the first is alive', async () => {
    const h = harness((t) => (t < 1000 ? 50 : 8));
    await h.runUntil(3000);
    expect(h.signals).toEqual([{ pid: 10, signal: 'SIGTERM', atMs: expect.any(Number) }]);
    expect(h.events.some((e) => e.type === 'term' && e.victim.pid === 10)).toBe(true);
  });

  it('escalates to SIGKILL after the term timeout', async () => {
    const h = harness((t) => (t < 1000 ? 50 : 8), { termTimeoutMs: 2000 });
    await h.runUntil(6000);
    expect(h.signals.map((s) => s.signal)).toEqual(['SIGTERM', 'SIGKILL']);
    const [term, kill] = h.signals;
    expect(kill!.atMs - term!.atMs).toBeGreaterThanOrEqual(2000);
    expect(kill!.atMs - term!.atMs).toBeLessThan(2100);
    const escalation = h.events.find((e) => e.type === 'kill');
    expect(escalation && 'reason' in escalation && escalation.reason).toBe('escalated: no exit 2000 ms after SIGTERM');
  });

  it('escalates to SIGKILL at once when memory reaches the kill limit', async () => {
    const h = harness((t) => (t < 1000 ? 50 : t < 1500 ? 8 : 3));
    await h.runUntil(2000);
    expect(h.signals.map((s) => [s.pid, s.signal])).toEqual([[10, 'SIGTERM'], [10, 'SIGKILL']]);
    expect(h.signals[1]!.atMs - 1500).toBeLessThanOrEqual(10);
  });

  it('reports the exit and then chooses the next victim only if memory is still low', async () => {
    const h = harness((t) => (t < 1000 ? 50 : 8));
    await h.runUntil(1500, (t) => {
      if (t > 1200) h.alive.delete(10);
    });
    const exit = h.events.find((e) => e.type === 'exit');
    expect(exit && exit.type === 'exit' && exit.victim.pid).toBe(10);
    await h.runUntil(1600);
    expect(h.signals.map((s) => s.pid)).toEqual([10, 20]);
  });

  it('kills nothing in dry-run mode and says what it would do', async () => {
    const h = harness(() => 3, { dryRun: true });
    await h.runUntil(5000);
    expect(h.signals).toEqual([]);
    const wouldKill = h.events.filter((e) => e.type === 'kill');
    expect(wouldKill.length).toBeGreaterThanOrEqual(4);
    expect(wouldKill.every((e) => e.type === 'kill' && e.dryRun)).toBe(true);
  });

  it('signals nothing when memory recovers while the victim is selected', async () => {
    let calls = 0;
    const h = harness(() => (calls++ === 0 ? 8 : 50));
    await h.runUntil(1);
    expect(h.signals).toEqual([]);
    expect(h.events.some((e) => e.type === 'warn' && e.message === 'memory situation has recovered while selecting victim')).toBe(true);
  });

  it('stops its run loop on stop()', async () => {
    const h = harness(() => 50);
    const running = h.guard.run();
    h.guard.stop();
    await expect(running).resolves.toBeUndefined();
  });
});
