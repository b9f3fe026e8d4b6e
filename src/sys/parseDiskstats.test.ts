import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDiskstats } from './parseDiskstats.ts';

const real = readFileSync(new URL('../../test/fixtures/collect-proc/diskstats', import.meta.url), 'utf8');

describe('parseDiskstats', () => {
  it('reads every device of the captured file, sectors as bytes and io_ticks as seconds', () => {
    const result = parseDiskstats(real);
    if (!result.ok) throw new Error(result.error);
    const lines = real.trim().split('\n');
    expect(result.value.map((d) => d.name)).toEqual(lines.map((line) => line.trim().split(/\s+/)[2]));
    const vdaLine = lines.find((line) => line.includes(' vda '))?.trim().split(/\s+/) ?? [];
    const vda = result.value.find((d) => d.name === 'vda');
    expect(vda).toMatchObject({ major: 254, minor: 0, readsCompleted: Number(vdaLine[3]), readBytes: Number(vdaLine[5]) * 512, writtenBytes: Number(vdaLine[9]) * 512, busySeconds: Number(vdaLine[12]) / 1000 });
  });

  it('accepts the 14-field format of kernels before 4.18', () => {
    expect(parseDiskstats('   8       0 sda 10 0 20 5 30 0 40 6 0 7 11\n')).toMatchObject({ ok: true, value: [{ name: 'sda', readBytes: 10240, writesCompleted: 30, busySeconds: 0.007 }] });
  });

  it('rejects a short or non-numeric line, naming the device', () => {
    expect(parseDiskstats('8 0 sda 1 2 3\n')).toMatchObject({ ok: false });
    expect(parseDiskstats('8 0 sda 1 2 3 4 5 6 7 8 9 x 11\n')).toEqual({ ok: false, error: expect.stringContaining('sda') });
  });

  it('never throws', () => {
    const spliced = fc.tuple(fc.nat(), fc.string()).map(([at, junk]) => real.slice(0, at % (real.length + 1)) + junk + real.slice(at % (real.length + 1)));
    fc.assert(fc.property(fc.oneof(fc.string(), spliced), (text) => typeof parseDiskstats(text).ok === 'boolean'));
  });
});
