import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.ts';
import { AdaptiveSampler, type LevelName } from './sampler.ts';
import type { MetricsSnapshot } from './types.ts';

// A sampler over simulated time: the host "calls for" whatever the script says at each moment.
function simulate(script: (nowMs: number) => LevelName, initialLevel: LevelName = 'normal') {
  const clock = new ManualClock(0);
  const samples: Array<{ atMs: number; level: LevelName }> = [];
  const reports: Array<{ atMs: number; level: LevelName }> = [];
  const changes: Array<{ atMs: number; from: LevelName; to: LevelName }> = [];
  const sampler = new AdaptiveSampler({
    clock,
    initialLevel,
    collect: () => ({ timestamp: new Date(clock.now()).toISOString(), timestampMs: clock.now(), intervalSeconds: null }) satisfies MetricsSnapshot,
    advise: (_snapshot, nowMs) => script(nowMs),
    onSnapshot: (_snapshot, level) => samples.push({ atMs: clock.now(), level }),
    onReport: (_snapshot, level) => reports.push({ atMs: clock.now(), level }),
    onLevelChange: (from, to) => changes.push({ atMs: clock.now(), from, to }),
  });
  return { clock, sampler, samples, reports, changes };
}

const MIN = 60_000;
const gaps = (samples: Array<{ atMs: number }>): number[] => samples.slice(1).map((s, i) => s.atMs - (samples[i]?.atMs ?? 0));

describe('AdaptiveSampler over simulated time', () => {
  it('samples at 5 s in NORMAL, steps down to IDLE (30 s) after 5 quiet minutes, and reports once a minute / 5 minutes', () => {
    const { clock, sampler, samples, reports, changes } = simulate(() => 'idle');
    sampler.start();
    clock.advance(60 * MIN);
    expect(changes).toEqual([{ atMs: 5 * MIN, from: 'normal', to: 'idle' }]);
    const normal = samples.filter((s) => s.atMs <= 5 * MIN);
    expect(new Set(gaps(normal))).toEqual(new Set([5000]));
    const idle = samples.filter((s) => s.atMs >= 5 * MIN);
    expect(new Set(gaps(idle))).toEqual(new Set([30_000]));
    // NORMAL: reports at 0..4 min (one a minute, then the level change at 5 min); IDLE: every 5 min after.
    expect(reports.map((r) => [r.atMs / MIN, r.level])).toEqual([
      [0, 'normal'], [1, 'normal'], [2, 'normal'], [3, 'normal'], [4, 'normal'],
      [5, 'idle'], [10, 'idle'], [15, 'idle'], [20, 'idle'], [25, 'idle'], [30, 'idle'], [35, 'idle'], [40, 'idle'], [45, 'idle'], [50, 'idle'], [55, 'idle'], [60, 'idle'],
    ]);
    sampler.stop();
  });

  it('raises to CRITICAL at once, samples every 500 ms, then steps down one level per quiet period', () => {
    // Critical from minute 10 to minute 12, quiet otherwise.
    const { clock, sampler, samples, changes, reports } = simulate((now) => (now >= 10 * MIN && now < 12 * MIN ? 'critical' : 'idle'), 'idle');
    sampler.start();
    clock.advance(30 * MIN);
    expect(changes.map((c) => [c.atMs / 1000, c.from, c.to])).toEqual([
      [600, 'idle', 'critical'],
      // last critical sample at 719.5 s; quiet from 720 s: 60 s in CRITICAL, 120 s in INTENSIVE, 300 s in NORMAL
      [780, 'critical', 'intensive'],
      [900, 'intensive', 'normal'],
      [1200, 'normal', 'idle'],
    ]);
    const critical = samples.filter((s) => s.atMs >= 600_000 && s.atMs < 780_000);
    expect(new Set(gaps(critical))).toEqual(new Set([500]));
    expect(critical).toHaveLength(360);
    // CRITICAL reports at most every 2 s: 90 over its 180 s, not 360.
    expect(reports.filter((r) => r.level === 'critical')).toHaveLength(90);
    const intensive = samples.filter((s) => s.atMs >= 780_000 && s.atMs < 900_000);
    expect(new Set(gaps(intensive))).toEqual(new Set([1000]));
  });

  it('does not step down while the host keeps calling for the level now and then (hysteresis)', () => {
    // INTENSIVE called for during 1 s out of every 90 s: never 120 s of quiet in a row.
    const { clock, sampler, changes } = simulate((now) => (now % 90_000 < 1000 ? 'intensive' : 'idle'), 'idle');
    sampler.start();
    clock.advance(60 * MIN);
    expect(changes).toEqual([{ atMs: 0, from: 'idle', to: 'intensive' }]);
  });

  it('honours a pin as a floor for its duration, then steps down with the usual hysteresis', () => {
    const { clock, sampler, samples, changes } = simulate(() => 'idle', 'idle');
    sampler.start();
    clock.advance(2 * MIN);
    const pinnedAt = clock.now();
    sampler.pinLevel('intensive', 10 * MIN);
    // The pending 30 s tick is brought forward to the new 1 s interval.
    clock.advance(1000);
    expect(samples.at(-1)?.atMs).toBe(pinnedAt + 1000);
    clock.advance(20 * MIN);
    expect(changes.map((c) => [(c.atMs - pinnedAt) / 1000, c.to])).toEqual([
      [0, 'intensive'],
      // pin ends at 600 s; 120 s quiet in INTENSIVE, then 300 s in NORMAL
      [720, 'normal'],
      [1020, 'idle'],
    ]);
    sampler.stop();
    expect(clock.pendingTimers).toBe(0);
  });

  it('never overlaps collections: one that takes longer than the interval is followed at once', () => {
    const clock = new ManualClock(0);
    const starts: number[] = [];
    const sampler = new AdaptiveSampler({
      clock,
      initialLevel: 'critical',
      collect: () => {
        starts.push(clock.now());
        // A collection that "takes" 800 ms, longer than the 500 ms interval.
        clock.advance(800);
        return { timestamp: '', timestampMs: clock.now(), intervalSeconds: null };
      },
      advise: () => 'critical',
    });
    sampler.start();
    clock.advance(4000);
    sampler.stop();
    expect(new Set(gaps(starts.map((atMs) => ({ atMs }))))).toEqual(new Set([800]));
  });
});
