// Reconnect delays: bounded, growing, jittered; the silence limit follows the sampling interval.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, reconnectDelayMs, silenceLimitMs } from './backoff.ts';

describe('reconnectDelayMs', () => {
  it('doubles from 250-500 ms and stops growing at 7.5-15 s', () => {
    expect(reconnectDelayMs(0, () => 0)).toBe(250);
    expect(reconnectDelayMs(0, () => 0.999999)).toBe(500);
    expect(reconnectDelayMs(3, () => 0)).toBe(2000);
    expect(reconnectDelayMs(10, () => 0)).toBe(7500);
    expect(reconnectDelayMs(10, () => 0.999999)).toBe(15_000);
  });

  it('stays within [base/2, max] for any attempt and any random value', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 10_000 }), fc.double({ noNaN: true }), (attempt, r) => {
        const delay = reconnectDelayMs(attempt, () => r);
        expect(delay).toBeGreaterThanOrEqual(DEFAULT_BACKOFF.baseMs / 2);
        expect(delay).toBeLessThanOrEqual(DEFAULT_BACKOFF.maxMs);
      }),
    );
  });
});

describe('silenceLimitMs', () => {
  it('is three sampling intervals, at least a minute', () => {
    expect(silenceLimitMs(5)).toBe(60_000);
    expect(silenceLimitMs(30)).toBe(90_000);
    expect(silenceLimitMs(null)).toBe(60_000);
    expect(silenceLimitMs(Number.NaN)).toBe(60_000);
  });
});
