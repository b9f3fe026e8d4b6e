// The zoom arithmetic: around the pointer, never outside the data, never narrower than the data allows.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { zoomedRange } from './zoom.ts';

describe('zoomedRange', () => {
  it('zooms in around the pointer and keeps the point under it in place', () => {
    expect(zoomedRange({ min: 0, max: 100 }, [0, 100], 0.5, 0.5)).toEqual({ min: 25, max: 75 });
    expect(zoomedRange({ min: 0, max: 100 }, [0, 100], 0.5, 0)).toEqual({ min: 0, max: 50 });
  });

  it('zooming out stops at the data', () => {
    expect(zoomedRange({ min: 40, max: 60 }, [0, 100], 100, 0.5)).toEqual({ min: 0, max: 100 });
    expect(zoomedRange({ min: 80, max: 100 }, [0, 100], 2, 0.9)).toEqual({ min: 60, max: 100 });
  });

  // x values are seconds since the epoch (about 1.8e9) and spans from seconds to a year
  it('always answers a non-empty range inside the bounds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4e9 }), fc.double({ min: 1, max: 1e7, noNaN: true }), fc.double({ min: 0.01, max: 100, noNaN: true }), fc.double({ min: -1, max: 2, noNaN: true }), (low, width, factor, fraction) => {
        const bounds: [number, number] = [low, low + width];
        const range = zoomedRange({ min: low, max: low + width }, bounds, factor, fraction);
        expect(range.max).toBeGreaterThan(range.min);
        expect(range.min).toBeGreaterThanOrEqual(low);
        expect(range.max).toBeLessThanOrEqual(low + width + 1e-6 * width);
      }),
    );
  });
});
