import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCpuinfo } from './parseCpuinfo.ts';

const real = readFileSync(new URL('../../test/fixtures/collect-proc/cpuinfo', import.meta.url), 'utf8');

describe('parseCpuinfo', () => {
  it('reads the captured file: 2 logical CPUs on 2 cores', () => {
    expect(parseCpuinfo(real)).toEqual({ ok: true, value: { modelName: 'AMD EPYC', logicalCpus: 2, physicalCores: 2 } });
  });

  it('counts hyperthreads once per core and falls back to logical CPUs without topology', () => {
    const ht = [0, 1, 2, 3].map((n) => `processor\t: ${n}\nmodel name\t: X\nphysical id\t: 0\ncore id\t\t: ${n % 2}\n`).join('\n');
    expect(parseCpuinfo(ht)).toMatchObject({ ok: true, value: { logicalCpus: 4, physicalCores: 2 } });
    const arm = 'processor\t: 0\nBogoMIPS\t: 48.00\n\nprocessor\t: 1\nBogoMIPS\t: 48.00\n\nModel\t\t: Raspberry Pi 4\n';
    expect(parseCpuinfo(arm)).toEqual({ ok: true, value: { modelName: 'unknown', logicalCpus: 2, physicalCores: 2 } });
  });

  it('fails without any processor entry', () => {
    expect(parseCpuinfo('flags: x\n')).toMatchObject({ ok: false });
  });

  it('never throws', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string().map((s) => real.slice(0, 300) + s)), (text) => typeof parseCpuinfo(text).ok === 'boolean'));
  });
});
