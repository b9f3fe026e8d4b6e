import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeValues, encodeValues } from './codec.ts';

describe('value blobs', () => {
  it('round-trip any integers within +-2^51', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 }).map((n) => n * 2 ** 20 + (n % 1000))), (values) => {
        expect(decodeValues(encodeValues(values))).toEqual(values);
      }),
    );
  });

  it('take one byte for -64..63 and two up to 8191', () => {
    expect(encodeValues([0, 63, -64])).toHaveLength(3);
    expect(encodeValues([64, 8191, -8192])).toHaveLength(6);
    expect(encodeValues([24_151_732_224])).toHaveLength(6);
  });

  it('decode only the values asked for', () => {
    expect(decodeValues(encodeValues([5, -6, 7000, 8]), 2)).toEqual([5, -6]);
  });

  it('never throw on arbitrary bytes, and drop a truncated last value', () => {
    fc.assert(fc.property(fc.uint8Array(), (bytes) => Array.isArray(decodeValues(bytes))));
    expect(decodeValues(new Uint8Array([2, 0x80]))).toEqual([1]);
  });
});
