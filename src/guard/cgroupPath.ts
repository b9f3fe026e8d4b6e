// Resolves --cgroup PATH to a memory cgroup directory: an absolute directory, or a path inside
// the memory hierarchy (v1 /sys/fs/cgroup/memory, v2 /sys/fs/cgroup or its 'unified' mount).
import { join } from 'node:path';
import { type CgroupVersion, cgroupVersion } from '../sys/readCgroup.ts';

export const DEFAULT_CGROUP_ROOT = '/sys/fs/cgroup';

export type CgroupPathResult = { ok: true; dir: string; version: CgroupVersion } | { ok: false; error: string };

export function resolveCgroupPath(path: string, cgroupRoot = DEFAULT_CGROUP_ROOT): CgroupPathResult {
  const candidates = path.startsWith(cgroupRoot)
    ? [path]
    : [join(cgroupRoot, 'memory', path), join(cgroupRoot, path), join(cgroupRoot, 'unified', path)];
  for (const dir of candidates) {
    const version = cgroupVersion(dir);
    if (version !== undefined) return { ok: true, dir, version };
  }
  return {
    ok: false,
    error: `--cgroup: '${path}' is not a memory cgroup (looked for memory.max or memory.limit_in_bytes in ${candidates.join(', ')})`,
  };
}
