import { describe, expect, it } from 'vitest';
import { type GuardEvent, jsonOf } from '../guard/events.ts';
import { parseGuardLine } from './fromGuard.ts';
import { countGuardLine, newGuardCounters } from './guardCounters.ts';

const target = { key: 'k', kind: 'process' as const, name: 'worker', pid: 9 };

function count(events: GuardEvent[]) {
  const counters = newGuardCounters();
  for (const event of events) {
    const line = parseGuardLine(jsonOf(event, 0));
    if (line.ok) countGuardLine(counters, line.value);
  }
  return counters;
}

describe('countGuardLine', () => {
  it('follows the level and counts entries into throttled and paused per target, and the protector by action', () => {
    const counters = count([
      { type: 'level', from: 'NORMAL', to: 'CRITICAL', usedPercent: 80, usedBytes: 1, budgetBytes: 2 },
      { type: 'throttle', target, dutyPercent: 50, method: 'sigstop', role: 'leader', source: 'graduated', level: 'CRITICAL', from: 'normal' },
      // a deeper throttle of a target already throttled is not a new entry
      { type: 'throttle', target, dutyPercent: 25, method: 'sigstop', role: 'leader', source: 'graduated', level: 'CRITICAL', from: 'throttled' },
      { type: 'pause', target, method: 'sigstop', maxPauseMs: 2000, minDutyPercent: 10, role: 'other', level: 'EMERGENCY' },
      { type: 'renice', target, pid: 9, fromNice: 0, toNice: 19, source: 'protect', reason: 'cpu' },
      { type: 'throttle', target, dutyPercent: 50, method: 'quota', role: 'cpu', source: 'protect', from: 'normal' },
      { type: 'level', from: 'CRITICAL', to: 'EMERGENCY', usedPercent: 90, usedBytes: 1, budgetBytes: 2 },
    ] as GuardEvent[]);
    expect(counters.memoryLevel).toBe(3);
    expect(Object.fromEntries(counters.targetThrottledTotal)).toEqual({ worker: 1 });
    expect(Object.fromEntries(counters.targetPausedTotal)).toEqual({ worker: 1 });
    expect(Object.fromEntries(counters.protectActionsTotal)).toEqual({ renice: 1, throttle: 1 });
  });
});
