import { describe, expect, it } from 'vitest';
import { MiB, World, type WorkerSpec, fakeTarget } from '../../../test/helpers/memoryWorld.ts';
import type { GuardEvent } from '../events.ts';
import { sleepMs } from '../poll.ts';
import { GraduatedController, type GraduatedSettings } from './controller.ts';
import type { Target } from './target.ts';
import type { ProcessInfo } from './targets.ts';
import { DEFAULT_LEVEL_THRESHOLDS } from './levels.ts';
import { DEFAULT_POLICY } from './policy.ts';

const thresholds = { memTermPercent: 10, memKillPercent: 5, swapTermPercent: 10, swapKillPercent: 5 };

function settings(overrides: Partial<GraduatedSettings> = {}): GraduatedSettings {
  return {
    thresholds: DEFAULT_LEVEL_THRESHOLDS,
    policy: DEFAULT_POLICY,
    checkIntervalMs: 1000,
    maxPauseMs: 2000,
    select: { topGrowers: 3, minGrowthBytes: 8 * MiB },
    niceValue: 10,
    ...overrides,
  };
}

function controllerFor(world: World, events: GuardEvent[], overrides: Partial<GraduatedSettings> = {}, scan = world.scan, cgroupTargets: Target[] = []): GraduatedController {
  return new GraduatedController(
    {
      timers: world.clock,
      emit: (e) => events.push(e),
      scan,
      cmdline: () => '',
      processTarget: world.target,
      cgroupTargets,
      usedBytes: (s) => s.totalBytes - s.availableBytes,
      budgetBytes: (s) => s.totalBytes,
      costClockMs: () => 0,
    },
    settings(overrides),
  );
}

interface Run {
  // First time available memory reached the guard's SIGTERM limit (its kill path would run).
  termAtMs: number | undefined;
  endMs: number;
}

// Polls as the guard does: at the shorter of its own adaptive sleep and the controller's cap.
function simulate(world: World, controller: GraduatedController | undefined, untilMs: number, afterPoll?: (t: number) => void): Run {
  let nextPollMs = 0;
  let termAtMs: number | undefined;
  let t = 0;
  for (; t <= untilMs && !world.done(); t++) {
    world.clock.advanceTo(t);
    if (t >= nextPollMs) {
      const sample = world.sample();
      const cap = controller ? controller.onSample(sample) : 1000;
      nextPollMs = t + Math.max(1, Math.min(cap, sleepMs(sample, thresholds, 0)));
      if (sample.availablePercent <= thresholds.memTermPercent) termAtMs ??= t;
      afterPoll?.(t);
    }
    world.step();
  }
  return { termAtMs, endMs: t };
}

const wave = (startMs: number, bytesPerMs = MiB): WorkerSpec => ({ startMs, waveBytes: 320 * MiB, bytesPerMs, holdMs: 1000, waves: 5 });

describe('graduated controller in a simulated 768 MiB cgroup with three wave workers', () => {
  it('without it, the three workers overrun the limit (the scenario is real)', () => {
    const world = new World(768 * MiB, 10 * MiB, [wave(0), wave(400), wave(800)]);
    simulate(world, undefined, 5000);
    expect(world.peakBytes).toBeGreaterThan(768 * MiB);
  });

  for (const [label, starts, rate] of [
    ['staggered by 400 ms, 1 GiB/s', [0, 400, 800], MiB],
    ['staggered by 150 ms, 1 GiB/s', [0, 150, 300], MiB],
    ['staggered by 700 ms, 320 MiB/s', [0, 700, 1400], 0.32 * MiB],
  ] as const) {
    it(`keeps every wave of every worker below the kill limits: ${label}`, () => {
      const world = new World(768 * MiB, 10 * MiB, starts.map((s) => wave(s, rate)));
      const events: GuardEvent[] = [];
      const run = simulate(world, controllerFor(world, events), 120_000);
      expect(run.termAtMs).toBeUndefined();
      expect(world.workers.map((w) => w.wavesDone)).toEqual([5, 5, 5]);
      expect(world.peakBytes).toBeLessThan(0.9 * 768 * MiB);
      // Slower, not frozen: alone each worker needs 5 x (alloc + 1 s hold).
      const aloneMs = 5 * (320 / (rate / MiB) + 1000);
      expect(run.endMs / aloneMs).toBeLessThan(3);
      expect(events.some((e) => e.type === 'pause')).toBe(true);
    });
  }

  it('restores every target at NORMAL: running, nice back, one resume per paused or throttled target', () => {
    const world = new World(768 * MiB, 10 * MiB, [wave(0), wave(400), wave(800)]);
    const events: GuardEvent[] = [];
    const controller = controllerFor(world, events);
    const violations: string[] = [];
    simulate(world, controller, 120_000, (t) => {
      if (controller.level !== 'NORMAL') return;
      for (const w of world.workers) if (w.stopped || w.niceValue !== 0) violations.push(`${t}: worker ${w.pid} stopped=${w.stopped} nice=${w.niceValue}`);
    });
    expect(violations).toEqual([]);
    const levels = events.filter((e) => e.type === 'level');
    expect(levels.length).toBeGreaterThan(2);
    expect(levels.at(-1)).toMatchObject({ to: 'NORMAL' });
  });

  it('never pauses the leader while others compete, and never stops anyone for more than max_pause at a time', () => {
    const world = new World(768 * MiB, 10 * MiB, [wave(0), wave(400), wave(800)]);
    const events: GuardEvent[] = [];
    const controller = controllerFor(world, events);
    const stoppedSince = new Map<number, number>();
    let longestStopMs = 0;
    simulate(world, controller, 120_000, (t) => {
      for (const w of world.workers) {
        if (!w.stopped) stoppedSince.delete(w.pid);
        else longestStopMs = Math.max(longestStopMs, t - (stoppedSince.get(w.pid) ?? (stoppedSince.set(w.pid, t), t)));
      }
    });
    expect(longestStopMs).toBeLessThanOrEqual(2000 + 10);
    const leaderPauses = events.filter((e) => e.type === 'pause' && e.role === 'leader');
    expect(leaderPauses).toEqual([]);
  });
});

describe('the leader-first policy in the simulated cgroup', () => {
  it('lets the next target grow while the leader holds its peak, and never slows the holder', () => {
    const world = new World(768 * MiB, 20 * MiB, [wave(0), wave(400), wave(800)]);
    const events: GuardEvent[] = [];
    const run = simulate(world, controllerFor(world, events), 120_000);
    expect(run.termAtMs).toBeUndefined();
    expect(world.workers.map((w) => w.wavesDone)).toEqual([5, 5, 5]);
    // A pause as 'next' is only emitted for a target that was running: it grew during the hold.
    expect(events.filter((e) => e.type === 'pause' && e.role === 'next').length).toBeGreaterThan(0);
    expect(events.filter((e) => (e.type === 'pause' || e.type === 'throttle') && e.role === 'holder')).toEqual([]);
  });

  it('keeps three workers that start together below the kill limits, where the table and tiered policies do not', () => {
    const termAt = (name: 'leader-first' | 'tiered' | 'table'): number | undefined => {
      const world = new World(768 * MiB, 20 * MiB, [wave(0), wave(0), wave(0)]);
      return simulate(world, controllerFor(world, [], { policy: { ...DEFAULT_POLICY, name } }), 120_000).termAtMs;
    };
    expect(termAt('leader-first')).toBeUndefined();
    expect(termAt('tiered')).toBeGreaterThan(0);
    expect(termAt('table')).toBeGreaterThan(0);
  });
});

describe('graduated controller with one leaking process', () => {
  it('throttles it at CRITICAL (50 % then 25 %), pauses it at EMERGENCY, and it still makes progress', () => {
    const leaker: WorkerSpec = { startMs: 0, waveBytes: 740 * MiB, bytesPerMs: 0.1 * MiB, holdMs: 0, waves: 1, leak: true };
    const world = new World(768 * MiB, 10 * MiB, [leaker]);
    const events: GuardEvent[] = [];
    let heldAtEmergency: number | undefined;
    const controller = controllerFor(world, events);
    simulate(world, controller, 20_000, () => {
      if (controller.level === 'EMERGENCY') heldAtEmergency ??= world.workers[0]?.heldBytes;
    });
    const throttles = events.filter((e) => e.type === 'throttle').map((e) => e.type === 'throttle' && [e.dutyPercent, e.role]);
    expect(throttles.slice(0, 2)).toEqual([
      [50, 'alone'],
      [25, 'alone'],
    ]);
    expect(events.some((e) => e.type === 'pause' && e.role === 'alone')).toBe(true);
    // Never 0: it kept growing at EMERGENCY, only slower.
    expect(world.workers[0]?.heldBytes).toBeGreaterThan((heldAtEmergency ?? Infinity) + MiB);
    expect(events.some((e) => e.type === 'renice' && e.toNice === 10)).toBe(true);
  });

  it('sends --release-signal once per episode, at WARNING, to targets that ask for it', () => {
    const leaker: WorkerSpec = { startMs: 0, waveBytes: 500 * MiB, bytesPerMs: 0.5 * MiB, holdMs: 0, waves: 1, leak: true };
    const world = new World(768 * MiB, 10 * MiB, [leaker]);
    const events: GuardEvent[] = [];
    simulate(world, controllerFor(world, events, { releaseSignal: 'SIGUSR1' }), 5000);
    expect(world.workers[0]?.signals).toEqual(['SIGUSR1']);
    expect(events.filter((e) => e.type === 'release')).toMatchObject([{ signal: 'SIGUSR1', target: { pid: 100 } }]);
  });
});

describe('a target that exits while slowed', () => {
  // The scan of all processes runs less often than the poll: here it keeps returning what it saw
  // before the kill, as a slow scan would, while the freed memory already lowers the level.
  it('is let go as exited, not resumed for the lower level, even before a scan sees it gone', () => {
    const world = new World(768 * MiB, 10 * MiB, [wave(0), wave(400), wave(800)]);
    const events: GuardEvent[] = [];
    let staleScan: ProcessInfo[] | undefined;
    const controller = controllerFor(world, events, {}, (now) => staleScan ?? world.scan(now));
    let victim: number | undefined;
    let eventsAtKill = 0;
    simulate(world, controller, 60_000, (t) => {
      if (victim !== undefined) return;
      const paused = events.find((e) => e.type === 'pause');
      if (!paused) return;
      victim = (paused.target as { pid: number }).pid;
      staleScan = world.scan(t);
      const worker = world.workers.find((w) => w.pid === victim);
      if (worker) worker.exited = true;
      eventsAtKill = events.length;
    });
    expect(victim).toBeDefined();
    const after = events.slice(eventsAtKill);
    expect(after.some((e) => e.type === 'level')).toBe(true);
    const reasons = after.flatMap((e) => (e.type === 'resume' && e.target.pid === victim ? [e.reason] : []));
    expect(reasons).toEqual(['exited']);
  });
});

describe('a named cgroup that is removed while slowed', () => {
  it('is let go as exited and not taken again while it is gone', () => {
    const world = new World(768 * MiB, 10 * MiB, [wave(0), wave(400), wave(800)]);
    const events: GuardEvent[] = [];
    // The cgroup holds the first worker; it is removed after that worker exits, as the kernel requires.
    const worker = world.workers[0];
    if (!worker) throw new Error('no worker');
    let removed = false;
    const cgroup: Target = { ...fakeTarget(worker), ref: { key: 'cgroup:/sim', kind: 'cgroup', name: '/sim', cgroup: '/sim' }, isGone: () => removed };
    const controller = controllerFor(world, events, {}, world.scan, [cgroup]);
    let eventsAtRemoval: number | undefined;
    const heldAfterRemoval: number[] = [];
    simulate(world, controller, 30_000, (t) => {
      if (eventsAtRemoval !== undefined) {
        if (controller.hasTarget('cgroup:/sim')) heldAfterRemoval.push(t);
        return;
      }
      if (!events.some((e) => (e.type === 'pause' || e.type === 'throttle') && e.target.key === 'cgroup:/sim')) return;
      worker.exited = true;
      removed = true;
      eventsAtRemoval = events.length;
    });
    expect(eventsAtRemoval).toBeDefined();
    const after = events.slice(eventsAtRemoval).filter((e) => 'target' in e && (e.target as { key?: string }).key === 'cgroup:/sim');
    expect(after.map((e) => [e.type, 'reason' in e ? e.reason : undefined])).toEqual([['resume', 'exited']]);
    expect(events.slice(eventsAtRemoval).filter((e) => e.type === 'warn')).toEqual([]);
    expect(heldAfterRemoval).toEqual([]);
  });
});
