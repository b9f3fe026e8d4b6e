// A target cgroup's control files on v1 (one hierarchy per controller) or v2 (one directory):
// where they are, and the reads and writes the graduated response makes (CPU quota, freezer).
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CpuBandwidth,
  parseCfsBandwidth,
  parseCgroupFreeze,
  parseCpuMax,
  parseCpuStatUsage,
  parseCpuacctUsage,
  parseFreezerState,
} from '../../sys/parseCgroupCpu.ts';
import { readCgroupMemory } from '../../sys/readCgroup.ts';
import { readSmallFile } from '../../sys/readFile.ts';
import { type ParseResult, fail, ok } from '../../sys/result.ts';
import type { Outcome } from './processOps.ts';

export interface CgroupDirs {
  // The path as named, inside the hierarchy: /job/worker1
  path: string;
  version: 1 | 2;
  memoryDir?: string;
  cpuDir?: string;
  usageDir?: string;
  freezerDir?: string;
  // Where cgroup.procs lists the members (memory, else cpu, else freezer hierarchy in v1).
  procsDir: string;
}

function firstDir(root: string, mounts: string[], path: string, file: string): string | undefined {
  for (const mount of mounts) {
    const dir = join(root, mount, path);
    if (existsSync(join(dir, file))) return dir;
  }
  return undefined;
}

function v2Dirs(dir: string, path: string): CgroupDirs {
  return {
    path,
    version: 2,
    procsDir: dir,
    ...(existsSync(join(dir, 'memory.current')) ? { memoryDir: dir } : {}),
    ...(existsSync(join(dir, 'cpu.max')) ? { cpuDir: dir } : {}),
    ...(existsSync(join(dir, 'cpu.stat')) ? { usageDir: dir } : {}),
    ...(existsSync(join(dir, 'cgroup.freeze')) ? { freezerDir: dir } : {}),
  };
}

function v1Dirs(cgroupRoot: string, path: string): CgroupDirs | undefined {
  const memoryDir = firstDir(cgroupRoot, ['memory'], path, 'memory.limit_in_bytes');
  const cpuDir = firstDir(cgroupRoot, ['cpu', 'cpu,cpuacct'], path, 'cpu.cfs_quota_us');
  const usageDir = firstDir(cgroupRoot, ['cpuacct', 'cpu,cpuacct'], path, 'cpuacct.usage');
  const freezerDir = firstDir(cgroupRoot, ['freezer'], path, 'freezer.state');
  const procsDir = memoryDir ?? cpuDir ?? freezerDir;
  if (procsDir === undefined) return undefined;
  return { path, version: 1, procsDir, ...(memoryDir ? { memoryDir } : {}), ...(cpuDir ? { cpuDir } : {}), ...(usageDir ? { usageDir } : {}), ...(freezerDir ? { freezerDir } : {}) };
}

// Accepts a path inside the hierarchy (/job/w1) or a directory under cgroupRoot. Looks for a v2
// cgroup at the root (pure v2), then the v1 hierarchies, then the hybrid 'unified' mount.
export function resolveCgroupDirs(named: string, cgroupRoot: string): ParseResult<CgroupDirs> {
  const path = relativePath(named, cgroupRoot);
  if (path?.split('/').includes('..')) return fail(`cgroup '${named}': '..' is not allowed in a cgroup path`);
  if (path === undefined || path === '/') return fail(`cgroup '${named}': expected a cgroup below the root, as /NAME or a directory under ${cgroupRoot}`);
  const pureV2 = join(cgroupRoot, path);
  if (existsSync(join(cgroupRoot, 'cgroup.controllers')) && existsSync(join(pureV2, 'cgroup.controllers'))) return ok(v2Dirs(pureV2, path));
  const v1 = v1Dirs(cgroupRoot, path);
  if (v1) return ok(v1);
  const hybrid = join(cgroupRoot, 'unified', path);
  if (existsSync(join(hybrid, 'cgroup.controllers'))) return ok(v2Dirs(hybrid, path));
  return fail(`cgroup '${named}': found neither a v2 directory nor v1 memory, cpu or freezer directories for ${path} under ${cgroupRoot}`);
}

// '/job/w1' stays; '/sys/fs/cgroup/cpu/job/w1' (or memory/, unified/...) becomes '/job/w1'.
function relativePath(named: string, cgroupRoot: string): string | undefined {
  if (!named.startsWith('/')) return undefined;
  if (!named.startsWith(`${cgroupRoot}/`)) return normalise(named);
  const rest = named.slice(cgroupRoot.length + 1).split('/');
  // Under a v1 (or hybrid) root the first component names a mount: memory, cpu,cpuacct, unified.
  const mounted = !existsSync(join(cgroupRoot, 'cgroup.controllers')) && /^[a-z_,]+$/.test(rest[0] ?? '');
  return normalise(`/${(mounted ? rest.slice(1) : rest).join('/')}`);
}

function normalise(path: string): string {
  const trimmed = path.replace(/\/+/g, '/').replace(/\/$/, '');
  return trimmed === '' ? '/' : trimmed;
}

// Is `inner` the cgroup `outer` or below it?
export function isWithin(inner: string, outer: string): boolean {
  return outer === '/' || inner === outer || inner.startsWith(`${outer}/`);
}

export function readBandwidth(dirs: CgroupDirs): ParseResult<{ bandwidth: CpuBandwidth; raw: string }> {
  const dir = dirs.cpuDir;
  if (dir === undefined) return fail(`cgroup ${dirs.path}: no cpu controller`);
  if (dirs.version === 2) {
    const text = readSmallFile(join(dir, 'cpu.max'));
    if (text === undefined) return fail(`${dir}/cpu.max: cannot be read`);
    const parsed = parseCpuMax(text);
    return parsed.ok ? ok({ bandwidth: parsed.value, raw: text.trim() }) : fail(`${dir}/${parsed.error}`);
  }
  const quota = readSmallFile(join(dir, 'cpu.cfs_quota_us'));
  const period = readSmallFile(join(dir, 'cpu.cfs_period_us'));
  if (quota === undefined || period === undefined) return fail(`${dir}: cpu.cfs_quota_us or cpu.cfs_period_us cannot be read`);
  const parsed = parseCfsBandwidth(quota, period);
  return parsed.ok ? ok({ bandwidth: parsed.value, raw: quota.trim() }) : fail(`${dir}/${parsed.error}`);
}

function write(path: string, text: string): Outcome {
  try {
    writeFileSync(path, text);
    return { result: 'ok' };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { result: 'gone' };
    return { result: 'failed', error: `writing '${text}' to ${path} failed: ${code ?? (error as Error).message}` };
  }
}

export function writeQuota(dirs: CgroupDirs, quotaUs: number, periodUs: number): Outcome {
  if (dirs.cpuDir === undefined) return { result: 'failed', error: `cgroup ${dirs.path}: no cpu controller` };
  const q = Math.max(1000, Math.round(quotaUs));
  if (dirs.version === 2) return write(join(dirs.cpuDir, 'cpu.max'), `${q} ${periodUs}`);
  return write(join(dirs.cpuDir, 'cpu.cfs_quota_us'), String(q));
}

// Writes back the text read before the first change ('max 100000', '-1', ...).
export function restoreQuota(dirs: CgroupDirs, raw: string): Outcome {
  if (dirs.cpuDir === undefined) return { result: 'gone' };
  return write(join(dirs.cpuDir, dirs.version === 2 ? 'cpu.max' : 'cpu.cfs_quota_us'), raw);
}

// Total CPU time used by the cgroup in microseconds, when a usage file exists.
export function readCpuUsageUs(dirs: CgroupDirs): number | undefined {
  if (dirs.usageDir === undefined) return undefined;
  const text = readSmallFile(join(dirs.usageDir, dirs.version === 2 ? 'cpu.stat' : 'cpuacct.usage'));
  if (text === undefined) return undefined;
  const parsed = dirs.version === 2 ? parseCpuStatUsage(text) : parseCpuacctUsage(text);
  return parsed.ok ? parsed.value : undefined;
}

export function readFrozen(dirs: CgroupDirs): boolean | undefined {
  if (dirs.freezerDir === undefined) return undefined;
  const text = readSmallFile(join(dirs.freezerDir, dirs.version === 2 ? 'cgroup.freeze' : 'freezer.state'));
  if (text === undefined) return undefined;
  if (dirs.version === 2) {
    const parsed = parseCgroupFreeze(text);
    return parsed.ok ? parsed.value : undefined;
  }
  const parsed = parseFreezerState(text);
  return parsed.ok ? parsed.value !== 'THAWED' : undefined;
}

export function setFrozen(dirs: CgroupDirs, frozen: boolean): Outcome {
  if (dirs.freezerDir === undefined) return { result: 'failed', error: `cgroup ${dirs.path}: no freezer` };
  if (dirs.version === 2) return write(join(dirs.freezerDir, 'cgroup.freeze'), frozen ? '1' : '0');
  return write(join(dirs.freezerDir, 'freezer.state'), frozen ? 'FROZEN' : 'THAWED');
}

export function readCgroupUsageBytes(dirs: CgroupDirs): number | undefined {
  if (dirs.memoryDir === undefined) return undefined;
  const memory = readCgroupMemory(dirs.memoryDir, dirs.version);
  return memory.ok ? memory.value.workingSetBytes : undefined;
}
