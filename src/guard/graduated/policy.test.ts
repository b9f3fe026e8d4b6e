import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, THROTTLE_PERIOD_MS, phasesOf, planFor, roleOf } from './policy.ts';

const plan = (level: Parameters<typeof planFor>[0], role: Parameters<typeof planFor>[1], ms = 0) => planFor(level, role, ms, DEFAULT_POLICY);

describe('planFor', () => {
  it("gives a lone target its level's action: nice, then 50 % and 25 % run time, then pause", () => {
    expect(plan('NORMAL', 'alone')).toEqual({ mode: 'run', dutyPercent: 100, lowerPriority: false });
    expect(plan('WARNING', 'alone')).toEqual({ mode: 'run', dutyPercent: 100, lowerPriority: true });
    expect(plan('CRITICAL', 'alone', 0)).toEqual({ mode: 'throttle', dutyPercent: 50, lowerPriority: true });
    expect(plan('CRITICAL', 'alone', 1000)).toEqual({ mode: 'throttle', dutyPercent: 25, lowerPriority: true });
    expect(plan('CRITICAL', 'alone', 60_000)).toEqual({ mode: 'throttle', dutyPercent: 25, lowerPriority: true });
    expect(plan('EMERGENCY', 'alone')).toEqual({ mode: 'pause', dutyPercent: 10, lowerPriority: true });
  });

  it('treats the leader one level milder, with its own priority until it is throttled, and never pauses it', () => {
    expect(plan('WARNING', 'leader')).toEqual({ mode: 'run', dutyPercent: 100, lowerPriority: false });
    expect(plan('CRITICAL', 'leader')).toEqual({ mode: 'run', dutyPercent: 100, lowerPriority: false });
    expect(plan('EMERGENCY', 'leader', 0)).toEqual({ mode: 'throttle', dutyPercent: 50, lowerPriority: true });
  });

  it('runs a holder (a leader that stopped growing) at full speed with its own priority at every level', () => {
    for (const level of ['WARNING', 'CRITICAL', 'EMERGENCY'] as const) expect(plan(level, 'holder')).toEqual({ mode: 'run', dutyPercent: 100, lowerPriority: false });
  });

  it('lets the next target (while the leader holds its peak) run at WARNING only, reniced', () => {
    expect(plan('WARNING', 'next')).toEqual({ mode: 'run', dutyPercent: 100, lowerPriority: true });
    expect(plan('CRITICAL', 'next')).toEqual({ mode: 'pause', dutyPercent: 10, lowerPriority: true });
    expect(plan('EMERGENCY', 'next')).toEqual({ mode: 'pause', dutyPercent: 10, lowerPriority: true });
  });

  it('pauses the other targets from WARNING on, so that only the leader grows', () => {
    for (const level of ['WARNING', 'CRITICAL', 'EMERGENCY'] as const) expect(plan(level, 'other')).toEqual({ mode: 'pause', dutyPercent: 10, lowerPriority: true });
    expect(plan('NORMAL', 'other')).toEqual({ mode: 'run', dutyPercent: 100, lowerPriority: false });
  });
});

describe('planFor with the table and tiered policies', () => {
  const withPolicy = (name: 'table' | 'tiered') => (level: Parameters<typeof planFor>[0], role: Parameters<typeof planFor>[1], ms = 0) => planFor(level, role, ms, { ...DEFAULT_POLICY, name });

  it("table: every target gets its level's action, whatever its role", () => {
    const table = withPolicy('table');
    for (const role of ['alone', 'leader', 'other'] as const) {
      expect(table('NORMAL', role)).toEqual({ mode: 'run', dutyPercent: 100, lowerPriority: false });
      expect(table('WARNING', role)).toEqual({ mode: 'run', dutyPercent: 100, lowerPriority: true });
      expect(table('CRITICAL', role, 0)).toEqual({ mode: 'throttle', dutyPercent: 50, lowerPriority: true });
      expect(table('CRITICAL', role, 1000)).toEqual({ mode: 'throttle', dutyPercent: 25, lowerPriority: true });
      expect(table('EMERGENCY', role)).toEqual({ mode: 'pause', dutyPercent: 10, lowerPriority: true });
    }
  });

  it('tiered: every target reniced at WARNING; the others get their level, the leader the level below', () => {
    const tiered = withPolicy('tiered');
    expect(tiered('WARNING', 'leader')).toEqual({ mode: 'run', dutyPercent: 100, lowerPriority: true });
    expect(tiered('WARNING', 'other')).toEqual({ mode: 'run', dutyPercent: 100, lowerPriority: true });
    expect(tiered('CRITICAL', 'leader')).toEqual({ mode: 'run', dutyPercent: 100, lowerPriority: true });
    expect(tiered('CRITICAL', 'other', 1000)).toEqual({ mode: 'throttle', dutyPercent: 25, lowerPriority: true });
    expect(tiered('EMERGENCY', 'leader', 0)).toEqual({ mode: 'throttle', dutyPercent: 50, lowerPriority: true });
    expect(tiered('EMERGENCY', 'other')).toEqual({ mode: 'pause', dutyPercent: 10, lowerPriority: true });
    expect(tiered('CRITICAL', 'next', 0)).toEqual(tiered('CRITICAL', 'other', 0));
    expect(tiered('CRITICAL', 'alone', 0)).toEqual({ mode: 'throttle', dutyPercent: 50, lowerPriority: true });
    expect(tiered('NORMAL', 'leader')).toEqual({ mode: 'run', dutyPercent: 100, lowerPriority: false });
  });
});

describe('roleOf and phasesOf', () => {
  it('a single target is alone; of several, one leads', () => {
    expect(roleOf('a', { leaderKey: 'a' }, 1)).toBe('alone');
    expect(roleOf('a', { leaderKey: 'a', nextKey: 'b' }, 3)).toBe('leader');
    expect(roleOf('b', { leaderKey: 'a', nextKey: 'b' }, 3)).toBe('next');
    expect(roleOf('c', { leaderKey: 'a', nextKey: 'b' }, 3)).toBe('other');
  });

  it('throttles in short periods and pauses for max_pause first, then runs at the minimum duty', () => {
    expect(phasesOf({ mode: 'run', dutyPercent: 100, lowerPriority: false }, 2000)).toBeUndefined();
    expect(phasesOf({ mode: 'throttle', dutyPercent: 25, lowerPriority: true }, 2000)).toEqual({ runMs: 25, stopMs: 75 });
    const pause = phasesOf({ mode: 'pause', dutyPercent: 10, lowerPriority: true }, 2000);
    expect(pause).toEqual({ runMs: 10, stopMs: 90, firstStopMs: 2000 });
    expect((pause?.runMs ?? 0) + (pause?.stopMs ?? 0)).toBe(THROTTLE_PERIOD_MS);
  });
});
