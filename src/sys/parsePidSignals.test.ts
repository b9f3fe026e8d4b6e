import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PIDS, fixtureText, hostileText, mutated } from '../../test/fixtures/fixtures.ts';
import { isPending, parsePendingSignals } from './parsePidSignals.ts';

describe('parsePendingSignals', () => {
  it('reads the empty masks of a captured status file', () => {
    expect(parsePendingSignals(fixtureText(`proc/${PIDS.shell}/status`))).toEqual({ ok: true, value: { threadMask: 0n, processMask: 0n } });
  });

  it('sees a pending SIGSTOP (19) in either mask, and no other signal as one', () => {
    const status = (sig: string, shd: string): string => `Name:\tx\nSigPnd:\t${sig}\nShdPnd:\t${shd}\n`;
    const stopPending = (text: string): boolean => {
      const parsed = parsePendingSignals(text);
      return parsed.ok && isPending(parsed.value, 19);
    };
    expect(stopPending(status('0000000000000000', '0000000000040000'))).toBe(true);
    expect(stopPending(status('0000000000040000', '0000000000000000'))).toBe(true);
    expect(stopPending(status('0000000000020000', '0000000000080000'))).toBe(false);
    expect(parsePendingSignals('Name:\tx\nSigPnd:\tzz\n')).toMatchObject({ ok: false });
  });

  it('never throws on hostile or damaged text', () => {
    fc.assert(
      fc.property(fc.oneof(hostileText, mutated(fixtureText(`proc/${PIDS.shell}/status`))), (text) => {
        // expectTypedResult prints values with JSON, which has no bigint: the same contract by hand.
        const parsed = parsePendingSignals(text);
        if (parsed.ok) expect(parsed.value.threadMask >= 0n && parsed.value.processMask >= 0n).toBe(true);
        else expect(parsed.error.length).toBeGreaterThan(0);
      }),
    );
  });
});
