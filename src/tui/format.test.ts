import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ageText, fit, shortBytes, shortRate } from './format.ts';
import { sparkline } from './sparkline.ts';

describe('shortBytes', () => {
  it('uses 1024-based units in at most five characters', () => {
    expect(shortBytes(0)).toBe('0B');
    expect(shortBytes(999)).toBe('999B');
    expect(shortBytes(1000)).toBe('1.0K');
    expect(shortBytes(25_276_063_744)).toBe('24G');
    expect(shortBytes(1_073_741_824)).toBe('1.0G');
    expect(shortBytes(undefined)).toBe('-');
    expect(shortRate(1536)).toBe('1.5K/s');
    fc.assert(fc.property(fc.double({ min: 0, max: 2 ** 60, noNaN: true }), (bytes) => shortBytes(bytes).length <= 5));
  });

  it('never goes down when the number goes up (so a sorted RSS column reads sorted)', () => {
    const value = (text: string): number => Number.parseFloat(text) * 1024 ** ['B', 'K', 'M', 'G', 'T', 'P'].indexOf(text.slice(-1));
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 50 }), fc.integer({ min: 0, max: 2 ** 50 }), (a, b) => {
      const [low, high] = a <= b ? [a, b] : [b, a];
      expect(value(shortBytes(low))).toBeLessThanOrEqual(value(shortBytes(high)));
    }));
  });
});

describe('ageText and fit', () => {
  it('says ages in the two largest units', () => {
    expect(ageText(4_900)).toBe('4s');
    expect(ageText(200_000)).toBe('3m 20s');
    expect(ageText(7_500_000)).toBe('2h 5m');
    expect(ageText(-5)).toBe('0s');
  });

  it('pads or cuts to exactly the width, marking a cut', () => {
    expect(fit('abc', 5)).toBe('abc  ');
    expect(fit('abc', 5, 'right')).toBe('  abc');
    expect(fit('abcdef', 4)).toBe('abc~');
    fc.assert(fc.property(fc.string(), fc.integer({ min: 1, max: 200 }), (text, width) => fit(text, width).length === width));
  });
});

describe('sparkline', () => {
  it('draws the newest values at the right end, scaled to max, blank where there is no value yet', () => {
    expect(sparkline([0, 50, 100], 5)).toBe('  \u2581\u2585\u2588');
    expect(sparkline([100, 0, undefined], 3)).toBe('\u2588\u2581 ');
    expect(sparkline([10, 20, 30, 40], 2)).toBe('\u2583\u2584');
    expect(sparkline([500, -5], 2)).toBe('\u2588\u2581');
  });

  it('is always exactly width cells', () => {
    fc.assert(fc.property(fc.array(fc.option(fc.double(), { nil: undefined })), fc.integer({ min: 0, max: 100 }), (values, width) => [...sparkline(values, width)].length === width));
  });
});
