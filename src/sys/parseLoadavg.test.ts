import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLoadavg } from './parseLoadavg.ts';

const real = readFileSync(new URL('../../test/fixtures/collect-proc/loadavg', import.meta.url), 'utf8');

describe('parseLoadavg', () => {
  it('reads the captured file', () => {
    const fields = real.trim().split(' ');
    expect(parseLoadavg(real)).toEqual({
      ok: true,
      value: { load1: Number(fields[0]), load5: Number(fields[1]), load15: Number(fields[2]), runnableEntities: expect.any(Number), totalEntities: expect.any(Number), lastPid: Number(fields[4]) },
    });
  });

  it('splits runnable/total', () => {
    expect(parseLoadavg('12.50 3.00 0.01 4/1065 99999\n')).toEqual({ ok: true, value: { load1: 12.5, load5: 3, load15: 0.01, runnableEntities: 4, totalEntities: 1065, lastPid: 99999 } });
  });

  it('rejects malformed text with a reason', () => {
    expect(parseLoadavg('0.1 0.2\n')).toMatchObject({ ok: false });
    expect(parseLoadavg('a b c 1/2 3')).toEqual({ ok: false, error: expect.stringContaining('non-negative') });
    expect(parseLoadavg('1 2 3 1/2 x')).toEqual({ ok: false, error: expect.stringContaining('last pid') });
    expect(parseLoadavg('1 2 3 12 3')).toEqual({ ok: false, error: expect.stringContaining('runnable/total') });
  });

  it('never throws', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string().map((s) => real.slice(0, 10) + s)), (text) => typeof parseLoadavg(text).ok === 'boolean'));
  });
});
