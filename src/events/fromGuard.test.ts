import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type GuardEvent, jsonOf } from '../guard/events.ts';
import { guardOutcome, parseGuardLine } from './fromGuard.ts';

const T = Date.UTC(2026, 10, 23, 12);
const victim = { pid: 4242, uid: 1000, name: 'hog', cmdline: 'node hog.js', oomScore: 900, oomScoreAdj: 0, rssBytes: 400 * 1048576 };
const sample = { timeMs: T, totalBytes: 8e9, availableBytes: 4e8, availablePercent: 5, swapTotalBytes: 0, swapFreeBytes: 0, swapFreePercent: 0 };
const target = { key: 'pid:4242:1', kind: 'process' as const, name: 'hog', pid: 4242 };

// The guard's own serialization of an event, read back the way the daemon reads the file.
function outcomeOf(event: GuardEvent) {
  const parsed = parseGuardLine(jsonOf(event, T));
  if (!parsed.ok) throw new Error(parsed.error);
  expect(parsed.value.timeMs).toBe(T);
  return guardOutcome(parsed.value);
}

describe('parseGuardLine', () => {
  it('never throws, whatever the line', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
      const result = parseGuardLine(text);
      expect(typeof result.ok).toBe('boolean');
      if (result.ok) guardOutcome(result.value);
    }));
  });

  it('names what is wrong with a line it cannot use', () => {
    expect(parseGuardLine('{"type":"term"')).toMatchObject({ ok: false, error: expect.stringMatching(/^not JSON/) });
    expect(parseGuardLine('[1]')).toEqual({ ok: false, error: 'not a JSON object' });
    expect(parseGuardLine('{"time":"2026-11-23T12:00:00Z"}')).toEqual({ ok: false, error: 'no "type"' });
    expect(parseGuardLine('{"time":"yesterday","type":"stop"}')).toMatchObject({ ok: false, error: expect.stringMatching(/bad "time"/) });
  });
});

describe('guardOutcome', () => {
  it('turns a real SIGTERM into a guard_signal event and a critical PROCESS_KILLED alert keyed by pid', () => {
    const out = outcomeOf({ type: 'term', victim, sample, reason: 'at or below SIGTERM limits', dryRun: false, processGroup: false });
    expect(out.event).toMatchObject({ type: 'guard_signal', source: 'guard', pid: 4242, comm: 'hog', timeMs: T, message: 'sent SIGTERM to hog (pid 4242, 400 MiB): at or below SIGTERM limits' });
    expect(out.raise).toMatchObject({ type: 'PROCESS_KILLED', severity: 'critical', dedupKey: 'guard-kill:4242', context: { pid: 4242, signal: 'SIGTERM', availablePercent: 5 } });
    // the escalation to SIGKILL is the same alert (a counted repeat)
    expect(outcomeOf({ type: 'kill', victim, sample, reason: 'escalated', dryRun: false, processGroup: false }).raise?.dedupKey).toBe('guard-kill:4242');
  });

  it('raises nothing for a dry run, and resolves the kill alert when the victim has exited', () => {
    const dry = outcomeOf({ type: 'term', victim, sample, reason: 'x', dryRun: true, processGroup: false });
    expect(dry.raise).toBeUndefined();
    expect(dry.event?.message).toMatch(/^would send SIGTERM/);
    expect(outcomeOf({ type: 'exit', victim, afterMs: 97, lastSignal: 'SIGTERM' })).toMatchObject({ resolveKey: 'guard-kill:4242', event: { message: 'hog (pid 4242) exited 97 ms after SIGTERM' } });
  });

  it('maps graduated levels: EMERGENCY is critical, CRITICAL a warning, WARNING only an event, NORMAL resolves', () => {
    const level = (from: string, to: string) => outcomeOf({ type: 'level', from, to, usedPercent: 87.5, usedBytes: 1, budgetBytes: 2 } as GuardEvent);
    expect(level('CRITICAL', 'EMERGENCY').raise).toMatchObject({ type: 'RESOURCE_CRITICAL', severity: 'critical', dedupKey: 'guard-level' });
    expect(level('WARNING', 'CRITICAL').raise).toMatchObject({ severity: 'warning' });
    expect(level('NORMAL', 'WARNING').raise).toBeUndefined();
    expect(level('WARNING', 'NORMAL')).toMatchObject({ resolveKey: 'guard-level', event: { type: 'guard_level', message: 'memory level WARNING -> NORMAL: 87.5 % of the budget used' } });
  });

  it('raises PROCESS_THROTTLED for a throttled or paused target and resolves it on resume', () => {
    const throttle = outcomeOf({ type: 'throttle', target, dutyPercent: 50, method: 'SIGSTOP/SIGCONT', role: 'leader', source: 'graduated', level: 'CRITICAL', from: 'normal' } as GuardEvent);
    expect(throttle.event).toMatchObject({ type: 'guard_throttle', pid: 4242, message: 'throttling hog to 50 % run time (SIGSTOP/SIGCONT)' });
    expect(throttle.raise).toMatchObject({ type: 'PROCESS_THROTTLED', severity: 'warning', dedupKey: 'guard-throttle:pid:4242:1' });
    expect(outcomeOf({ type: 'pause', target, method: 'SIGSTOP', maxPauseMs: 2000, minDutyPercent: 10, role: 'other', level: 'EMERGENCY' } as GuardEvent).raise?.dedupKey).toBe('guard-throttle:pid:4242:1');
    expect(outcomeOf({ type: 'resume', target, reason: 'NORMAL', throttledMs: 10, pausedMs: 0, source: 'graduated' })).toMatchObject({ resolveKey: 'guard-throttle:pid:4242:1', event: { type: 'guard_restore' } });
  });

  it('keeps other lines as guard_action events and skips reports', () => {
    expect(outcomeOf({ type: 'stop', reason: 'SIGTERM' }).event).toMatchObject({ type: 'guard_action', message: 'guard stopped: SIGTERM' });
    expect(outcomeOf({ type: 'warn', message: 'process 7 exited before it could be signalled' }).event?.message).toBe('warn: process 7 exited before it could be signalled');
    expect(outcomeOf({ type: 'report', sample })).toEqual({});
  });
});
