// Parsers for the cgroup files the graduated response writes and restores: CPU bandwidth (v1
// cpu.cfs_quota_us + cpu.cfs_period_us, v2 cpu.max), CPU usage (v1 cpuacct.usage, v2 cpu.stat)
// and the freezer (v1 freezer.state, v2 cgroup.freeze).
import { type ParseResult, fail, ok, parseInteger } from './result.ts';

export interface CpuBandwidth {
  // undefined: no quota ("max" in v2, -1 in v1)
  quotaUs: number | undefined;
  periodUs: number;
}

// v2 cpu.max: "max 100000" or "50000 100000".
export function parseCpuMax(text: string): ParseResult<CpuBandwidth> {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 2) return fail(`cpu.max: '${text.trim().slice(0, 40)}' is not 'QUOTA PERIOD'`);
  const period = parseInteger(parts[1] ?? '');
  if (period === undefined || period <= 0) return fail(`cpu.max: period '${parts[1]}' is not a positive integer`);
  if (parts[0] === 'max') return ok({ quotaUs: undefined, periodUs: period });
  const quota = parseInteger(parts[0] ?? '');
  if (quota === undefined || quota <= 0) return fail(`cpu.max: quota '${parts[0]}' is neither 'max' nor a positive integer`);
  return ok({ quotaUs: quota, periodUs: period });
}

// v1 cpu.cfs_quota_us (-1 for none) and cpu.cfs_period_us, read as two files.
export function parseCfsBandwidth(quotaText: string, periodText: string): ParseResult<CpuBandwidth> {
  const quota = parseInteger(quotaText);
  const period = parseInteger(periodText);
  if (period === undefined || period <= 0) return fail(`cpu.cfs_period_us: '${periodText.trim().slice(0, 40)}' is not a positive integer`);
  if (quota === undefined || (quota <= 0 && quota !== -1)) return fail(`cpu.cfs_quota_us: '${quotaText.trim().slice(0, 40)}' is neither -1 nor a positive integer`);
  return ok({ quotaUs: quota === -1 ? undefined : quota, periodUs: period });
}

// CPU time used by a cgroup, in microseconds: v1 cpuacct.usage holds nanoseconds.
export function parseCpuacctUsage(text: string): ParseResult<number> {
  const value = parseInteger(text);
  if (value === undefined || value < 0) return fail(`cpuacct.usage: '${text.trim().slice(0, 40)}' is not a non-negative integer`);
  return ok(Math.floor(value / 1000));
}

// v2 cpu.stat: the usage_usec line.
export function parseCpuStatUsage(text: string): ParseResult<number> {
  const match = /^usage_usec\s+(\d+)\s*$/m.exec(text);
  const value = match ? parseInteger(match[1] ?? '') : undefined;
  if (value === undefined) return fail('cpu.stat: no usage_usec line with an integer');
  return ok(value);
}

export type FreezerState = 'THAWED' | 'FREEZING' | 'FROZEN';

export function parseFreezerState(text: string): ParseResult<FreezerState> {
  const state = text.trim();
  if (state === 'THAWED' || state === 'FREEZING' || state === 'FROZEN') return ok(state);
  return fail(`freezer.state: '${state.slice(0, 40)}' is not THAWED, FREEZING or FROZEN`);
}

// v2 cgroup.freeze: "0" or "1".
export function parseCgroupFreeze(text: string): ParseResult<boolean> {
  const value = text.trim();
  if (value === '0' || value === '1') return ok(value === '1');
  return fail(`cgroup.freeze: '${value.slice(0, 40)}' is neither 0 nor 1`);
}
