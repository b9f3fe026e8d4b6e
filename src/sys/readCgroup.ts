// Readers of a memory cgroup (v1 or v2) given its directory, and of its member processes.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseByteCount, parseFlatKeyed, parseMemoryLimit, scanFlatKey } from './parseCgroupMemory.ts';
import { parsePressure, type Pressure } from './parsePressure.ts';
import { type ParseResult, fail, ok, parseInteger } from './result.ts';
import { type ReadText, readSmallFile } from './readFile.ts';

export type CgroupVersion = 1 | 2;

export interface CgroupMemory {
  version: CgroupVersion;
  // undefined when the cgroup has no limit of its own
  limitBytes: number | undefined;
  usageBytes: number;
  // usage less inactive file pages: what the kernel cannot reclaim without swap
  workingSetBytes: number;
  oomKills: number;
  pressure?: Pressure;
}

// v2 has memory.max; v1 has memory.limit_in_bytes.
export function cgroupVersion(cgroupDir: string): CgroupVersion | undefined {
  if (existsSync(join(cgroupDir, 'memory.max'))) return 2;
  if (existsSync(join(cgroupDir, 'memory.limit_in_bytes'))) return 1;
  return undefined;
}

function readWith<T>(path: string, parse: (text: string) => ParseResult<T>, read: ReadText = readSmallFile): ParseResult<T> {
  const text = read(path);
  if (text === undefined) return fail(`${path}: cannot be read`);
  const result = parse(text);
  return result.ok ? result : fail(`${path}: ${result.error}`);
}

// Pass the version when known: the guard reads this every few milliseconds and skips the probe.
export function readCgroupMemory(cgroupDir: string, version = cgroupVersion(cgroupDir)): ParseResult<CgroupMemory> {
  if (version === undefined) {
    return fail(`${cgroupDir}: not a memory cgroup (neither memory.max nor memory.limit_in_bytes exists)`);
  }
  const names =
    version === 2
      ? { limit: 'memory.max', usage: 'memory.current', inactive: 'inactive_file', oomFile: 'memory.events' }
      : { limit: 'memory.limit_in_bytes', usage: 'memory.usage_in_bytes', inactive: 'total_inactive_file', oomFile: 'memory.oom_control' };
  const limit = readWith(join(cgroupDir, names.limit), parseMemoryLimit);
  if (!limit.ok) return limit;
  const usage = readWith(join(cgroupDir, names.usage), parseByteCount);
  if (!usage.ok) return usage;
  const stat = readWith(join(cgroupDir, 'memory.stat'), parseFlatKeyed);
  if (!stat.ok) return stat;
  const oom = readWith(join(cgroupDir, names.oomFile), parseFlatKeyed);
  if (!oom.ok) return oom;
  const inactive = stat.value.get(names.inactive) ?? 0;
  const pressureText = readSmallFile(join(cgroupDir, 'memory.pressure'));
  const pressure = pressureText === undefined ? undefined : parsePressure(pressureText);
  return ok({
    version,
    limitBytes: limit.value,
    usageBytes: usage.value,
    workingSetBytes: Math.max(0, usage.value - inactive),
    oomKills: oom.value.get('oom_kill') ?? 0,
    ...(pressure?.ok ? { pressure: pressure.value } : {}),
  });
}

export type CgroupMemoryUsage = Pick<CgroupMemory, 'limitBytes' | 'usageBytes' | 'workingSetBytes'>;

// What the memory collector shows every tick: limit, usage and working set, with the version known
// and memory.stat scanned for its one key; the OOM counter and pressure of readCgroupMemory are left out.
export function readCgroupMemoryUsage(cgroupDir: string, version: CgroupVersion, read: ReadText = readSmallFile): ParseResult<CgroupMemoryUsage> {
  const [limitFile, usageFile, inactiveKey] = version === 2 ? ['memory.max', 'memory.current', 'inactive_file'] : ['memory.limit_in_bytes', 'memory.usage_in_bytes', 'total_inactive_file'];
  const limit = readWith(join(cgroupDir, limitFile), parseMemoryLimit, read);
  if (!limit.ok) return limit;
  const usage = readWith(join(cgroupDir, usageFile), parseByteCount, read);
  if (!usage.ok) return usage;
  const inactive = readWith(join(cgroupDir, 'memory.stat'), (text) => scanFlatKey(text, inactiveKey), read);
  if (!inactive.ok) return inactive;
  return ok({ limitBytes: limit.value, usageBytes: usage.value, workingSetBytes: Math.max(0, usage.value - (inactive.value ?? 0)) });
}

// Pids in the cgroup and all its descendants (cgroup.procs lists only direct members).
export function readCgroupPids(cgroupDir: string): number[] {
  const pids: number[] = [];
  const visit = (dir: string): void => {
    const text = readSmallFile(join(dir, 'cgroup.procs'));
    if (text === undefined) return;
    for (const line of text.split('\n')) {
      const pid = parseInteger(line);
      if (pid !== undefined && pid > 0) pids.push(pid);
    }
    let entries: string[];
    try {
      entries = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    } catch {
      return;
    }
    for (const name of entries) visit(join(dir, name));
  };
  visit(cgroupDir);
  return pids;
}
