// Configuration, detector, level advisor and sampler together, over an hour of simulated time.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../collect/clock.ts';
import { AdaptiveSampler, type LevelName } from '../collect/sampler.ts';
import type { MetricsSnapshot } from '../collect/types.ts';
import { parseConfigText } from '../config/load.ts';
import { AnomalyDetector } from './detector.ts';
import { adviseLevel } from './levelAdvisor.ts';
import type { Episode } from './rules.ts';

const MIN = 60_000;

// CPU at 20 %, at 95 % from minute 10 to minute 14, then 20 % again.
function cpuAt(ms: number): number {
  return ms >= 10 * MIN && ms < 14 * MIN ? 95 : 20;
}

describe('sampler driven by the detector with the default configuration', () => {
  it('samples faster while CPU is critical, records one episode, and calms down afterwards', () => {
    const config = parseConfigText('', 'defaults');
    if (!config.ok) throw new Error(config.error);
    const { sampler: settings, anomaly: rules } = config.value;
    const clock = new ManualClock(0);
    let ids = 0;
    const detector = new AnomalyDetector(rules, { newId: () => `episode-${++ids}` });
    const episodes: Episode[] = [];
    const levels: Array<[number, LevelName]> = [];
    const sampler = new AdaptiveSampler({
      clock,
      levels: { idle: settings.idle, normal: settings.normal, intensive: settings.intensive, critical: settings.critical },
      initialLevel: settings.initial_level,
      collect: (): MetricsSnapshot => ({
        timestamp: new Date(clock.now()).toISOString(),
        timestampMs: clock.now(),
        intervalSeconds: 1,
        cpu: { logicalCpus: 2, busyPercent: cpuAt(clock.now()), perCore: [], load1: 0, load5: 0, load15: 0, contextSwitchesTotal: 0, runningTasks: 0, blockedTasks: 0 },
      }),
      advise: (snapshot, nowMs) => {
        const result = detector.evaluate(snapshot, nowMs);
        episodes.push(...result.opened);
        return adviseLevel(result.open, snapshot, rules, { intensive: settings.intensive_margin, normal: settings.normal_margin });
      },
      onLevelChange: (_from, to) => levels.push([clock.now() / 1000, to]),
    });
    sampler.start();
    clock.advance(60 * MIN);
    sampler.stop();

    // The spike rule fires at the jump, the warning (70 %, 1 min) and critical (90 %, 30 s) rules once each.
    expect(episodes.map((e) => [e.rule, e.startMs / 1000])).toEqual([
      ['cpu-spike', 600],
      ['cpu-critical', 600],
      ['cpu-warning', 600],
    ]);
    expect(episodes.every((e) => e.endMs !== null)).toBe(true);
    const critical = episodes.find((e) => e.rule === 'cpu-critical');
    // Opened 30 s after it started, closed at the first sample under 85 % (minute 14).
    expect(critical?.triggerValues.at(-1)?.timeMs).toBe(630_000);
    expect(critical?.endMs).toBe(14 * MIN);
    expect(levels).toEqual([
      // Quiet at 20 % (45 points under the 70 % warning): NORMAL falls to IDLE after 5 min.
      [300, 'idle'],
      // The jump opens the spike episode (warning): INTENSIVE; 30 s later the critical one.
      [600, 'intensive'],
      [630, 'critical'],
      // Recovered at 840 s: one step down per quiet period (60 s, 120 s, 300 s).
      [900, 'intensive'],
      [1020, 'normal'],
      [1320, 'idle'],
    ]);
  });
});
