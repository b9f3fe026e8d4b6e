// Tests of the /proc/meminfo parser on the captured file, hand-made hostile variants and properties.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectTypedResult, fixtureText, hostileText, isByteCount, mutated } from '../../test/fixtures/fixtures.ts';
import { type Meminfo, parseMeminfo } from './parseMeminfo.ts';

const real = fixtureText('proc/meminfo');
const isMeminfo = (m: Meminfo): boolean => Object.values(m).every(isByteCount);

describe('parseMeminfo', () => {
  it('converts every kB field of the captured file to bytes', () => {
    expect(parseMeminfo(real)).toEqual({
      ok: true,
      value: {
        totalBytes: 24683656 * 1024,
        freeBytes: 23494112 * 1024,
        availableBytes: 24178456 * 1024,
        buffersBytes: 15672 * 1024,
        cachedBytes: 831200 * 1024,
        swapTotalBytes: 0,
        swapFreeBytes: 0,
        anonBytes: 9308 * 1024,
        shmemBytes: 8952 * 1024,
        sReclaimableBytes: 119564 * 1024,
      },
    });
  });

  it('reads zero for optional fields that are absent', () => {
    const minimal = 'MemTotal: 1000 kB\nMemAvailable: 500 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\nAnonPages: 300 kB\n';
    expect(parseMeminfo(minimal)).toMatchObject({ ok: true, value: { totalBytes: 1024000, freeBytes: 0, cachedBytes: 0, shmemBytes: 0 } });
  });

  it.each(['MemTotal', 'MemAvailable', 'SwapTotal', 'SwapFree', 'AnonPages'])('names the missing required field %s', (key) => {
    const without = real.replace(new RegExp(`^${key}:.*\\n`, 'm'), '');
    expect(parseMeminfo(without)).toEqual({ ok: false, error: `meminfo: field ${key} is missing or not a number of kB` });
  });

  it.each([
    ['an empty file', '', 'MemTotal'],
    ['a file cut inside MemAvailable', real.slice(0, real.indexOf('MemAvailable:') + 16), 'MemAvailable'],
    ['a negative MemAvailable', real.replace(/^MemAvailable:.*$/m, 'MemAvailable:   -5 kB'), 'MemAvailable'],
    ['a MemTotal whose bytes exceed 2^53', real.replace(/^MemTotal:.*$/m, 'MemTotal: 9007199254740991 kB'), 'MemTotal'],
    ['a MemTotal in another unit', real.replace(/^MemTotal:.*$/m, 'MemTotal: 24 GB'), 'MemTotal'],
  ])('fails on %s', (_name, text, key) => {
    expect(parseMeminfo(text)).toEqual({ ok: false, error: expect.stringContaining(`field ${key} `) });
  });

  it('never throws on arbitrary text or a damaged real file, and returns a typed result', () => {
    fc.assert(fc.property(fc.oneof(hostileText, mutated(real)), (text) => expectTypedResult(parseMeminfo(text), isMeminfo)), { numRuns: 1000 });
  });

  it('round-trips any kB figures whose bytes stay below 2^53, in any line order', () => {
    const kib = fc.nat({ max: 2 ** 43 - 1 });
    const keys = ['MemTotal', 'MemFree', 'MemAvailable', 'Buffers', 'Cached', 'SwapTotal', 'SwapFree', 'AnonPages', 'Shmem', 'SReclaimable'];
    fc.assert(
      fc.property(fc.array(kib, { minLength: keys.length, maxLength: keys.length }), fc.nat(), (values, rotate) => {
        const lines = keys.map((key, i) => `${`${key}:`.padEnd(16)}${String(values[i]).padStart(8)} kB`);
        const cut = rotate % lines.length;
        const text = [...lines.slice(cut), 'HugePages_Total:       0', ...lines.slice(0, cut)].join('\n') + '\n';
        const bytes = values.map((v) => v * 1024);
        expect(parseMeminfo(text)).toEqual({
          ok: true,
          value: {
            totalBytes: bytes[0], freeBytes: bytes[1], availableBytes: bytes[2], buffersBytes: bytes[3], cachedBytes: bytes[4],
            swapTotalBytes: bytes[5], swapFreeBytes: bytes[6], anonBytes: bytes[7], shmemBytes: bytes[8], sReclaimableBytes: bytes[9],
          },
        });
      }),
    );
  });
});
