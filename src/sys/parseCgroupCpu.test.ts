import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectTypedResult, fixtureText, hostileText, mutated } from '../../test/fixtures/fixtures.ts';
import { parseCfsBandwidth, parseCgroupFreeze, parseCpuMax, parseCpuStatUsage, parseCpuacctUsage, parseFreezerState } from './parseCgroupCpu.ts';

const v1 = (name: string): string => fixtureText(`cgroup-v1-control/${name}`);
const v2 = (name: string): string => fixtureText(`cgroup-v2-control/${name}`);

describe('cgroup CPU and freezer parsers on captured and hand-made files', () => {
  it('reads v1 bandwidth, usage and freezer state', () => {
    expect(parseCfsBandwidth(v1('throttled/cpu.cfs_quota_us'), v1('throttled/cpu.cfs_period_us'))).toEqual({ ok: true, value: { quotaUs: 50000, periodUs: 100000 } });
    expect(parseCfsBandwidth(v1('unlimited/cpu.cfs_quota_us'), v1('unlimited/cpu.cfs_period_us'))).toEqual({ ok: true, value: { quotaUs: undefined, periodUs: 100000 } });
    expect(parseCpuacctUsage(v1('throttled/cpuacct.usage'))).toEqual({ ok: true, value: 509950 });
    expect(parseFreezerState(v1('throttled/freezer.state'))).toEqual({ ok: true, value: 'THAWED' });
    expect(parseFreezerState(v1('frozen/freezer.state'))).toEqual({ ok: true, value: 'FROZEN' });
  });

  it('reads v2 cpu.max, cpu.stat and cgroup.freeze', () => {
    expect(parseCpuMax(v2('throttled/cpu.max'))).toEqual({ ok: true, value: { quotaUs: 50000, periodUs: 100000 } });
    expect(parseCpuMax(v2('unlimited/cpu.max'))).toEqual({ ok: true, value: { quotaUs: undefined, periodUs: 100000 } });
    expect(parseCpuStatUsage(v2('throttled/cpu.stat'))).toEqual({ ok: true, value: 509950 });
    expect(parseCgroupFreeze(v2('throttled/cgroup.freeze'))).toEqual({ ok: true, value: true });
    expect(parseCgroupFreeze(v2('unlimited/cgroup.freeze'))).toEqual({ ok: true, value: false });
  });

  it('rejects what the kernel would never write, naming the file', () => {
    expect(parseCpuMax('max')).toMatchObject({ ok: false, error: expect.stringMatching(/^cpu.max/) });
    expect(parseCpuMax('0 100000')).toMatchObject({ ok: false });
    expect(parseCfsBandwidth('-2', '100000')).toMatchObject({ ok: false, error: expect.stringMatching(/cpu.cfs_quota_us/) });
    expect(parseCfsBandwidth('1000', '0')).toMatchObject({ ok: false, error: expect.stringMatching(/cpu.cfs_period_us/) });
    expect(parseFreezerState('frozen')).toMatchObject({ ok: false });
    expect(parseCgroupFreeze('2')).toMatchObject({ ok: false });
    expect(parseCpuStatUsage('user_usec 5\n')).toMatchObject({ ok: false });
  });

  it('never throws on hostile or damaged text', () => {
    const files = [v1('throttled/cpu.cfs_quota_us'), v1('throttled/cpuacct.usage'), v1('frozen/freezer.state'), v2('throttled/cpu.max'), v2('throttled/cpu.stat')];
    const input = fc.oneof(hostileText, ...files.map(mutated));
    fc.assert(
      fc.property(input, input, (a, b) => {
        expectTypedResult(parseCpuMax(a), (v) => v.periodUs > 0 && (v.quotaUs === undefined || v.quotaUs > 0));
        expectTypedResult(parseCfsBandwidth(a, b), (v) => v.periodUs > 0);
        expectTypedResult(parseCpuacctUsage(a), (v) => v >= 0);
        expectTypedResult(parseCpuStatUsage(a), (v) => v >= 0);
        expectTypedResult(parseFreezerState(a), (v) => ['THAWED', 'FREEZING', 'FROZEN'].includes(v));
        expectTypedResult(parseCgroupFreeze(a), (v) => typeof v === 'boolean');
      }),
    );
  });
});
