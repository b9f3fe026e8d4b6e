import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { counterDelta, counterRate, percentOf } from './rates.ts';

describe('counterDelta', () => {
  it('is the plain difference when the counter grew', () => {
    expect(counterDelta(100, 250)).toBe(150);
    expect(counterDelta(5, 5)).toBe(0);
  });

  it('recovers a 32-bit wrap', () => {
    expect(counterDelta(2 ** 32 - 10, 5)).toBe(15);
  });

  it('treats a large step back as a reset: no delta', () => {
    expect(counterDelta(2 ** 32 - 10, 2 ** 31 + 5)).toBeUndefined();
    expect(counterDelta(1e12, 10)).toBeUndefined();
  });

  it('is never negative and never NaN', () => {
    fc.assert(
      fc.property(fc.double(), fc.double(), (a, b) => {
        const delta = counterDelta(a, b);
        return delta === undefined || (delta >= 0 && !Number.isNaN(delta));
      }),
    );
  });
});

describe('counterRate', () => {
  it('divides by the interval and needs a previous read', () => {
    expect(counterRate(1000, 3000, 2)).toBe(1000);
    expect(counterRate(undefined, 3000, 2)).toBeUndefined();
    expect(counterRate(1000, 3000, 0)).toBeUndefined();
  });

  it('is never negative', () => {
    fc.assert(fc.property(fc.option(fc.nat()), fc.nat(), fc.double({ min: 0, max: 100 }), (a, b, s) => (counterRate(a ?? undefined, b, s) ?? 0) >= 0));
  });
});

describe('percentOf', () => {
  it('clamps to 0..100', () => {
    expect(percentOf(1, 4)).toBe(25);
    expect(percentOf(-1, 4)).toBe(0);
    expect(percentOf(5, 4)).toBe(100);
    expect(percentOf(1, 0)).toBeUndefined();
  });
});
