import { it } from 'vitest';
import { MiB, World, type WorkerSpec } from '../../../test/helpers/memoryWorld.ts';
import type { GuardEvent } from '../events.ts';
import { sleepMs } from '../poll.ts';
import { GraduatedController } from './controller.ts';
import { DEFAULT_LEVEL_THRESHOLDS } from './levels.ts';
import { DEFAULT_POLICY } from './policy.ts';
const thresholds = { memTermPercent: 10, memKillPercent: 5, swapTermPercent: 10, swapKillPercent: 5 };
const wave = (startMs: number, bytesPerMs = MiB): WorkerSpec => ({ startMs, waveBytes: 320 * MiB, bytesPerMs, holdMs: 1000, waves: 5 });
it('sim', () => {
  for (const name of ['leader-first'] as const) {
    for (const base of [10, 45]) for (const rate of [1, 0.3]) for (const starts of [[0, 400, 800], [0, 150, 300], [0, 0, 0], [0, 50, 100]]) {
      const world = new World(768 * MiB, base * MiB, starts.map((s) => wave(s, rate * MiB)));
      const events: GuardEvent[] = [];
      const c = new GraduatedController({ timers: world.clock, emit: (e) => events.push(e), scan: world.scan, cmdline: () => '', processTarget: world.target, cgroupTargets: [], usedBytes: (s) => s.totalBytes - s.availableBytes, budgetBytes: (s) => s.totalBytes, costClockMs: () => 0 },
        { thresholds: DEFAULT_LEVEL_THRESHOLDS, policy: { ...DEFAULT_POLICY, name }, checkIntervalMs: 1000, maxPauseMs: 2000, select: { topGrowers: 3, minGrowthBytes: 8 * MiB }, niceValue: 10 });
      let next = 0; let term: number | undefined; let t = 0;
      for (; t <= 120000 && !world.done(); t++) {
        world.clock.advanceTo(t);
        if (t >= next) { const s = world.sample(); next = t + Math.max(1, Math.min(c.onSample(s), sleepMs(s, thresholds, 0))); if (s.availablePercent <= 10) term ??= t; }
        world.step();
      }
      console.log(`RES ${name} base ${base} rate ${rate} starts ${starts.join(',')} term ${term} waves ${world.workers.map((w) => w.wavesDone).join(',')} peak% ${(world.peakBytes / (768 * MiB) * 100).toFixed(1)} end ${t} nextRuns ${events.filter((e) => e.type === 'resume').length}`);
    }
  }
});
