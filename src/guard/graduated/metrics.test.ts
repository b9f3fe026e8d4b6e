import { describe, expect, it } from 'vitest';
import { type GuardEvent, textOf } from '../events.ts';
import { METRIC_NAMES, countEvent, newCounters, samplesOf } from './metrics.ts';
import { crashHandler } from './setup.ts';

const target = { key: '7@1', kind: 'process' as const, name: 'w[7]', pid: 7 };
const events: GuardEvent[] = [
  { type: 'level', from: 'NORMAL', to: 'CRITICAL', usedPercent: 76.4, usedBytes: 600 << 20, budgetBytes: 786 << 20 },
  { type: 'throttle', target, dutyPercent: 50, method: 'sigstop', role: 'alone', source: 'graduated', level: 'CRITICAL', from: 'normal' },
  { type: 'throttle', target, dutyPercent: 25, method: 'sigstop', role: 'alone', source: 'graduated', level: 'CRITICAL', from: 'throttled' },
  { type: 'pause', target, method: 'sigstop', maxPauseMs: 2000, minDutyPercent: 10, role: 'alone', level: 'EMERGENCY' },
  { type: 'renice', target, pid: 7, fromNice: 0, toNice: 19, source: 'protect', reason: 'CPU' },
  { type: 'throttle', target, dutyPercent: 50, method: 'sigstop', role: 'cpu', source: 'protect', from: 'normal' },
  { type: 'cleanup', action: 'directory /c', dryRun: true, filesystem: '/c', usedPercent: 91, files: [], fileCount: 0, bytes: 0 },
  { type: 'protect', action: 'memory-target', target, reason: 'holds 85 %' },
];

describe('counters from the event stream', () => {
  it('count entries into throttled and paused per target, and protector actions by kind', () => {
    const counters = newCounters();
    for (const e of events) countEvent(counters, e);
    expect(samplesOf(counters)).toEqual([
      { name: METRIC_NAMES.memoryLevel, labels: {}, value: 2 },
      { name: 'hostguard_target_throttled_total', labels: { target: 'w[7]' }, value: 1 },
      { name: 'hostguard_target_paused_total', labels: { target: 'w[7]' }, value: 1 },
      { name: 'hostguard_protect_actions_total', labels: { action: 'renice' }, value: 1 },
      { name: 'hostguard_protect_actions_total', labels: { action: 'throttle' }, value: 1 },
      { name: 'hostguard_protect_actions_total', labels: { action: 'cleanup' }, value: 1 },
      { name: 'hostguard_protect_actions_total', labels: { action: 'memory-target' }, value: 1 },
    ]);
  });

  it('every graduated event has a text line; a level change names old level, new level and usage', () => {
    for (const e of events) expect(textOf(e)?.line.length).toBeGreaterThan(10);
    expect(textOf(events[0] as GuardEvent)).toEqual({ line: 'memory level NORMAL -> CRITICAL: 76.4% used (600 of 786 MiB)', warning: true });
  });
});

describe('crashHandler', () => {
  it('restores every target, says why, and exits with status 1', () => {
    const log: string[] = [];
    const handler = crashHandler({ restoreAll: (reason) => log.push(`restore: ${reason}`) }, (e) => log.push(`${e.type}: ${'message' in e ? e.message.split('\n')[0] : ''}`), (code) => log.push(`exit ${code}`));
    handler(new Error('boom'));
    expect(log).toEqual(['error: uncaught error, restoring every target before exiting: Error: boom', 'restore: guard crashed', 'exit 1']);
  });
});
