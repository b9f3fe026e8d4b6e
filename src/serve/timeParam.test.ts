import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseInstant, parseSpan } from './timeParam.ts';

const NOW = Date.parse('2025-06-01T12:00:00Z');

describe('parseInstant', () => {
  it('reads ISO 8601 with a zone, a bare date as UTC midnight, now, and times relative to now', () => {
    expect(parseInstant('2025-01-31T03:12:00Z', NOW)).toEqual({ ok: true, value: Date.parse('2025-01-31T03:12:00Z') });
    expect(parseInstant('2025-01-31T03:12:00.250+02:00', NOW)).toEqual({ ok: true, value: Date.parse('2025-01-31T01:12:00.250Z') });
    expect(parseInstant('2025-01-31', NOW)).toEqual({ ok: true, value: Date.parse('2025-01-31T00:00:00Z') });
    expect(parseInstant('now', NOW)).toEqual({ ok: true, value: NOW });
    expect(parseInstant('-1h', NOW)).toEqual({ ok: true, value: NOW - 3_600_000 });
    expect(parseInstant('-90s', NOW)).toEqual({ ok: true, value: NOW - 90_000 });
    expect(parseInstant('-7d', NOW)).toEqual({ ok: true, value: NOW - 7 * 86_400_000 });
  });

  it('refuses a time without a zone, a relative time without a unit, an impossible date, and says what it accepts', () => {
    for (const text of ['2025-01-31T03:12:00', '-5', '+1h', 'yesterday', '2025-13-45', '2025-02-30T00:00:00Z', '']) {
      const result = parseInstant(text, NOW);
      expect(result.ok, text).toBe(false);
      if (!result.ok) expect(result.error).toContain('"-1h"');
    }
  });

  it('never throws, and reads back every instant written by toISOString', () => {
    fc.assert(fc.property(fc.string(), (text) => typeof parseInstant(text, NOW).ok === 'boolean'));
    fc.assert(
      fc.property(fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }), (date) => {
        expect(parseInstant(date.toISOString(), NOW)).toEqual({ ok: true, value: date.getTime() });
      }),
    );
  });
});

describe('parseSpan', () => {
  it('reads units from ms to weeks, and a bare number as seconds', () => {
    expect(['250ms', '30s', '5m', '1.5h', '2d', '1w', '60'].map((t) => parseSpan(t))).toEqual([250, 30_000, 300_000, 5_400_000, 172_800_000, 604_800_000, 60_000].map((value) => ({ ok: true, value })));
  });

  it('never throws', () => {
    fc.assert(fc.property(fc.string(), (text) => typeof parseSpan(text).ok === 'boolean'));
  });
});
