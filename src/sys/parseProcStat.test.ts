import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseProcStat } from './parseProcStat.ts';

const real = readFileSync(new URL('../../test/fixtures/collect-proc/stat', import.meta.url), 'utf8');

describe('parseProcStat', () => {
  it('reads the captured file: totals, per-CPU lines and scalars', () => {
    const result = parseProcStat(real, 100);
    if (!result.ok) throw new Error(result.error);
    const stat = result.value;
    expect(stat.perCpu.length).toBe(2);
    // The aggregate line is the sum of the per-CPU lines (within one tick per field).
    const sumUser = stat.perCpu.reduce((sum, cpu) => sum + (cpu?.userSeconds ?? 0), 0);
    expect(Math.abs(sumUser - stat.total.userSeconds)).toBeLessThanOrEqual(0.02);
    expect(stat.bootTimeSeconds).toBeGreaterThan(1_600_000_000);
    expect(stat.contextSwitches).toBeGreaterThan(0);
    expect(stat.procsRunning).toBeGreaterThanOrEqual(1);
  });

  it('converts ticks to seconds and keeps holes for offline CPUs', () => {
    const text = 'cpu  100 0 50 1000 10 0 0 5 0 0\ncpu0 50 0 25 500 5 0 0 2 0 0\ncpu2 50 0 25 500 5 0 0 3 0 0\nctxt 7\nbtime 1700000000\nprocs_running 2\nprocs_blocked 1\n';
    const result = parseProcStat(text, 100);
    expect(result).toMatchObject({ ok: true, value: { total: { userSeconds: 1, systemSeconds: 0.5, idleSeconds: 10, stealSeconds: 0.05 }, procsBlocked: 1 } });
    if (result.ok) {
      expect(result.value.perCpu[1]).toBeUndefined();
      expect(result.value.perCpu[2]?.stealSeconds).toBeCloseTo(0.03);
    }
  });

  it('accepts the 4-field cpu lines of old kernels', () => {
    expect(parseProcStat('cpu 1 2 3 4\nctxt 1\nbtime 2\n', 100)).toMatchObject({ ok: true, value: { total: { iowaitSeconds: 0, stealSeconds: 0 } } });
  });

  it('names what is wrong', () => {
    expect(parseProcStat('ctxt 1\nbtime 2\n', 100)).toEqual({ ok: false, error: expect.stringContaining("'cpu'") });
    expect(parseProcStat('cpu 1 2 x 4\nctxt 1\nbtime 2\n', 100)).toMatchObject({ ok: false });
    expect(parseProcStat('cpu 1 2 3 4\n', 100)).toEqual({ ok: false, error: expect.stringContaining('btime') });
    expect(parseProcStat('cpu 1 2 3 4\ncpuX 1 2 3 4\nctxt 1\nbtime 2\n', 100)).toMatchObject({ ok: false });
  });

  it('never throws, on any text or on the real file with junk spliced in', () => {
    const spliced = fc.tuple(fc.nat(), fc.nat(40), fc.string()).map(([at, cut, junk]) => {
      const i = at % (real.length + 1);
      return real.slice(0, i) + junk + real.slice(i + cut);
    });
    fc.assert(fc.property(fc.oneof(fc.string(), spliced), (text) => typeof parseProcStat(text, 100).ok === 'boolean'));
  });
});
