import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LEVEL_THRESHOLDS, LEVELS, type Level, LevelTracker, checkThresholds, levelValue, nextLevel } from './levels.ts';

const t = DEFAULT_LEVEL_THRESHOLDS;

describe('nextLevel', () => {
  it('escalates at once to the highest level reached', () => {
    expect(nextLevel('NORMAL', 59.9, t)).toBe('NORMAL');
    expect(nextLevel('NORMAL', 60, t)).toBe('WARNING');
    expect(nextLevel('NORMAL', 80, t)).toBe('CRITICAL');
    expect(nextLevel('WARNING', 99, t)).toBe('EMERGENCY');
  });

  it('leaves a level only below its threshold minus the hysteresis band, possibly several at once', () => {
    expect(nextLevel('WARNING', 56, t)).toBe('WARNING');
    expect(nextLevel('WARNING', 54.9, t)).toBe('NORMAL');
    expect(nextLevel('EMERGENCY', 81, t)).toBe('EMERGENCY');
    expect(nextLevel('EMERGENCY', 79, t)).toBe('CRITICAL');
    expect(nextLevel('EMERGENCY', 40, t)).toBe('NORMAL');
  });

  it('stays within the band around every threshold: above the lower bound, below the next threshold', () => {
    const order: Level[] = [...LEVELS];
    const threshold = (l: Level): number => [0, t.warningPercent, t.criticalPercent, t.emergencyPercent][levelValue(l)] ?? 0;
    fc.assert(
      fc.property(fc.constantFrom(...order), fc.double({ min: 0, max: 100, noNaN: true }), (current, used) => {
        const next = nextLevel(current, used, t);
        const above = order[levelValue(next) + 1];
        if (next !== 'NORMAL') expect(used).toBeGreaterThanOrEqual(threshold(next) - t.hysteresisPercent);
        if (above) expect(used).toBeLessThan(threshold(above));
      }),
    );
  });
});

describe('LevelTracker', () => {
  it('reports each change once, and how long the level has lasted', () => {
    const tracker = new LevelTracker(t, 0);
    expect(tracker.update(50, 100)).toBeUndefined();
    expect(tracker.update(76, 200)).toEqual({ from: 'NORMAL', to: 'CRITICAL' });
    expect(tracker.update(74, 300)).toBeUndefined();
    expect(tracker.msInLevel(1200)).toBe(1000);
    // Hovering at the WARNING threshold does not flap.
    const changes = [61, 59, 61, 58, 60].map((used, i) => tracker.update(used, 400 + i));
    expect(changes.filter(Boolean)).toEqual([{ from: 'CRITICAL', to: 'WARNING' }]);
  });
});

describe('checkThresholds', () => {
  it('accepts the defaults and names what is wrong otherwise', () => {
    expect(checkThresholds(t)).toBeUndefined();
    expect(checkThresholds({ ...t, criticalPercent: 50 })).toMatch(/60,50,85: need 0 < WARNING < CRITICAL < EMERGENCY < 100/);
    expect(checkThresholds({ ...t, emergencyPercent: 100 })).toMatch(/< 100/);
    expect(checkThresholds({ ...t, hysteresisPercent: 70 })).toMatch(/hysteresis 70/);
  });
});
