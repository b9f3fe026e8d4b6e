// Tests of the PSI parser on captured /proc/pressure and cgroup files, hostile lines and properties.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectTypedResult, fixtureText, hostileText, mutated } from '../../test/fixtures/fixtures.ts';
import { type Pressure, type PressureLine, parsePressure } from './parsePressure.ts';

const files = ['proc/pressure/memory', 'proc/pressure/cpu', 'proc/pressure/io', 'cgroup-v2/limited-512m/memory.pressure'];

const isLine = (l: PressureLine): boolean =>
  [l.avg10, l.avg60, l.avg300].every((v) => Number.isFinite(v) && v >= 0 && v <= 100) && Number.isSafeInteger(l.totalMicroseconds) && l.totalMicroseconds >= 0;
const isPressure = (p: Pressure): boolean => isLine(p.some) && (p.full === undefined || isLine(p.full));

describe('parsePressure', () => {
  it('reads the captured memory file, some and full', () => {
    expect(parsePressure(fixtureText('proc/pressure/memory'))).toEqual({
      ok: true,
      value: {
        some: { avg10: 0.09, avg60: 0.02, avg300: 0, totalMicroseconds: 28009 },
        full: { avg10: 0.09, avg60: 0.02, avg300: 0, totalMicroseconds: 24821 },
      },
    });
  });

  it('reads the captured cpu and io files and the cgroup2 root memory.pressure', () => {
    expect(parsePressure(fixtureText('proc/pressure/cpu'))).toMatchObject({ ok: true, value: { some: { avg60: 4.2, totalMicroseconds: 29833297 } } });
    expect(parsePressure(fixtureText('proc/pressure/io'))).toMatchObject({ ok: true, value: { full: { avg300: 0.42, totalMicroseconds: 3220043 } } });
    expect(parsePressure(fixtureText('cgroup-v2/limited-512m/memory.pressure'))).toMatchObject({ ok: true, value: { full: { totalMicroseconds: 28326 } } });
  });

  it('accepts a file without a full line (cpu before kernel 5.13) and reads 100.00', () => {
    expect(parsePressure('some avg10=100.00 avg60=0.00 avg300=0.00 total=5\n')).toEqual({
      ok: true,
      value: { some: { avg10: 100, avg60: 0, avg300: 0, totalMicroseconds: 5 } },
    });
  });

  it('drops a malformed full line but keeps some', () => {
    const result = parsePressure('some avg10=1.00 avg60=0.00 avg300=0.00 total=5\nfull avg10=1.00 avg60=0.00\n');
    expect(result).toEqual({ ok: true, value: { some: { avg10: 1, avg60: 0, avg300: 0, totalMicroseconds: 5 } } });
  });

  it.each([
    ['an empty file', ''],
    ['only a full line', 'full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n'],
    ['a some line cut before total', 'some avg10=1.88 avg60=4.20 avg300=5.22 tot'],
    ['a negative average', 'some avg10=-1.00 avg60=0.00 avg300=0.00 total=0\n'],
    ['an average above 100', 'some avg10=100.01 avg60=0.00 avg300=0.00 total=0\n'],
    ['an average in exponent notation', 'some avg10=1e1 avg60=0.00 avg300=0.00 total=0\n'],
    ['a fractional total', 'some avg10=0.00 avg60=0.00 avg300=0.00 total=1.5\n'],
    ['a total beyond 2^53', 'some avg10=0.00 avg60=0.00 avg300=0.00 total=99999999999999999999\n'],
    ['a doubled equals sign', 'some avg10=1=2 avg60=0.00 avg300=0.00 total=0\n'],
  ])('fails on %s', (_name, text) => {
    expect(parsePressure(text)).toEqual({ ok: false, error: expect.stringMatching(/^pressure: no well-formed 'some/) });
  });

  it('never throws on arbitrary text or damaged real files, and returns a typed result', () => {
    const real = fc.constantFrom(...files.map(fixtureText));
    fc.assert(fc.property(fc.oneof(hostileText, real.chain(mutated)), (text) => expectTypedResult(parsePressure(text), isPressure)), { numRuns: 2000 });
  });

  it('round-trips any averages and totals in the kernel format', () => {
    const hundredths = fc.integer({ min: 0, max: 10000 });
    const line = fc.record({ avg10: hundredths, avg60: hundredths, avg300: hundredths, total: fc.maxSafeNat() });
    const format = (kind: string, l: { avg10: number; avg60: number; avg300: number; total: number }): string =>
      `${kind} avg10=${(l.avg10 / 100).toFixed(2)} avg60=${(l.avg60 / 100).toFixed(2)} avg300=${(l.avg300 / 100).toFixed(2)} total=${l.total}\n`;
    const expected = (l: { avg10: number; avg60: number; avg300: number; total: number }): PressureLine => ({
      avg10: l.avg10 / 100, avg60: l.avg60 / 100, avg300: l.avg300 / 100, totalMicroseconds: l.total,
    });
    fc.assert(fc.property(line, line, (some, full) => {
      expect(parsePressure(format('some', some) + format('full', full))).toEqual({ ok: true, value: { some: expected(some), full: expected(full) } });
    }));
  });
});
