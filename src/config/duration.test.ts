import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.ts';

describe('parseDuration', () => {
  it('reads ms, s, m and h, fractions included', () => {
    expect(['500ms', '30s', '1.5s', '5m', '1h'].map((t) => parseDuration(t))).toEqual([500, 30_000, 1500, 300_000, 3_600_000].map((value) => ({ ok: true, value })));
  });

  it('rejects other text with what it accepts', () => {
    expect(parseDuration('5 minutes')).toEqual({ ok: false, error: '\'5 minutes\' is not a duration such as "500ms", "30s", "5m" or "1h"' });
    expect(parseDuration('-5s')).toMatchObject({ ok: false });
  });

  it('never throws, and formatDuration reads back to the same value', () => {
    fc.assert(fc.property(fc.string(), (text) => typeof parseDuration(text).ok === 'boolean'));
    fc.assert(fc.property(fc.nat(100_000_000), (ms) => {
      expect(parseDuration(formatDuration(ms))).toEqual({ ok: true, value: ms });
    }));
  });
});
