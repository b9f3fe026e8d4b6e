// The protector's CPU steps on a simulated clock with made-up CPU counters: renice after the
// sustained window, throttle after another, let run (still reniced) when it calms down.
import { describe, expect, it } from 'vitest';
import { MiB, SimClock, SimWorker, fakeTarget } from '../../../test/helpers/memoryWorld.ts';
import type { GuardEvent } from '../events.ts';
import type { MemorySample } from '../memory.ts';
import type { ProtectConfig } from './config.ts';
import { ResourceProtector } from './protector.ts';
import type { ProcessInfo } from './targets.ts';

const config: ProtectConfig = { mode: 'dev', cpuPercent: 75, memoryPercent: 80, sustainMs: 3000, diskPercent: 80, cleanupIntervalMs: 600_000, maxActionsPerMinute: 10, cleanup: [] };
const sample: MemorySample = { timeMs: 0, totalBytes: 1000 * MiB, availableBytes: 500 * MiB, availablePercent: 50, swapTotalBytes: 0, swapFreeBytes: 0, swapFreePercent: 0 };

// A process using `share` of a 2-CPU machine: ticks of 10 ms accumulate accordingly.
function harness(shareAt: (ms: number) => number, rssBytes = 10 * MiB) {
  const clock = new SimClock();
  const worker = new SimWorker(300, { startMs: 0, waveBytes: 0, bytesPerMs: 0, holdMs: 0, waves: 1 });
  const events: GuardEvent[] = [];
  let ticks = 0;
  let lastMs = 0;
  const protector = new ResourceProtector(
    {
      timers: clock,
      emit: (e) => events.push(e),
      scan: (now): ProcessInfo[] => {
        // A stopped process uses nothing: the duty cycle shows in its ticks.
        if (!worker.stopped) ticks += ((now - lastMs) / 10) * 2 * shareAt(now);
        lastMs = now;
        return [{ key: '300@1', pid: 300, startTimeTicks: 1, comm: 'spin', state: worker.stopped ? 'T' : 'R', rssBytes, cpuTicks: Math.round(ticks), growthBytes: 0 }];
      },
      processTarget: () => fakeTarget(worker),
      cpuCount: 2,
      checkIntervalMs: 500,
      dryRun: false,
      isGraduatedTarget: () => false,
      journal: () => undefined,
    },
    config,
  );
  const run = (untilMs: number): void => {
    for (let t = clock.now; t <= untilMs; t += 50) {
      clock.advanceTo(t);
      protector.onSample(sample);
    }
  };
  return { clock, worker, events, protector, run };
}

describe('ResourceProtector CPU steps', () => {
  it('renices to 19 after the sustained window, throttles to 50 % after another, and lets a calmed process run', () => {
    const h = harness((ms) => (ms < 12_000 ? 0.95 : 0.1));
    h.run(2500);
    expect(h.events).toEqual([]);
    h.run(4000);
    expect(h.events).toMatchObject([{ type: 'renice', pid: 300, toNice: 19, source: 'protect' }]);
    expect(h.worker.niceValue).toBe(19);
    h.run(8000);
    expect(h.events.filter((e) => e.type === 'throttle')).toMatchObject([{ dutyPercent: 50, role: 'cpu', source: 'protect' }]);
    h.run(20_000);
    expect(h.events.at(-1)).toMatchObject({ type: 'resume', reason: 'CPU back under 75 %' });
    expect([h.worker.stopped, h.worker.niceValue]).toEqual([false, 19]);
    h.protector.restoreAll('guard stopping');
    expect(h.worker.niceValue).toBe(0);
  });

  it('leaves alone a process that stays under the share', () => {
    const h = harness(() => 0.5);
    h.run(20_000);
    expect(h.events).toEqual([]);
  });

  it('makes a process holding more than the memory share a target, once', () => {
    const h = harness(() => 0, 850 * MiB);
    h.run(3000);
    expect(h.events).toEqual([{ type: 'protect', action: 'memory-target', target: { key: '300@1', kind: 'process', name: 'spin[300]', pid: 300 }, reason: 'holds 85 % of memory (> 80 %)' }]);
    const infos = [{ key: '300@1' } as ProcessInfo, { key: '301@1' } as ProcessInfo];
    expect(h.protector.forcedTargets(infos).map((i) => i.key)).toEqual(['300@1']);
  });
});
