// Memory collector: RAM and swap from /proc/meminfo, zram devices, and the memory cgroup this process runs in.
import { join, relative } from 'node:path';
import { memoryCgroupPath, parsePidCgroup } from '../sys/parsePidFiles.ts';
import { readCgroupMemory } from '../sys/readCgroup.ts';
import { readMeminfo } from '../sys/readProc.ts';
import { readMountinfo, readParsedFile } from '../sys/readHost.ts';
import { readZramDevices } from '../sys/readSys.ts';
import type { CollectorDefinition, CollectorEnvironment } from './collector.ts';
import { formatBytes, formatPercent } from './format.ts';
import { defined, percentOf, round } from './rates.ts';
import type { CgroupMemoryMetrics, MemoryMetrics } from './types.ts';

interface CgroupLocation {
  path: string;
  dir: string;
}

// Where this process's memory cgroup lives: its path from /proc/self/cgroup joined to the
// mount point of the memory hierarchy (v1) or the unified one (v2). Mount points under /sys are
// re-rooted at sysRoot so a fixture tree stays self-contained.
export function locateMemoryCgroup(env: CollectorEnvironment): CgroupLocation | undefined {
  const memberships = readParsedFile(join(env.procRoot, 'self', 'cgroup'), parsePidCgroup);
  const path = memberships.ok ? memoryCgroupPath(memberships.value) : undefined;
  const mounts = readMountinfo(env.procRoot);
  if (!memberships.ok || path === undefined || !mounts.ok) return undefined;
  const isV1 = memberships.value.some((m) => m.controllers.includes('memory'));
  const mount = mounts.value.find((m) => (isV1 ? m.fsType === 'cgroup' && m.superOptions.split(',').includes('memory') : m.fsType === 'cgroup2'));
  if (!mount) return undefined;
  const mountPoint = mount.mountPoint.startsWith('/sys/') ? join(env.sysRoot, mount.mountPoint.slice(4)) : mount.mountPoint;
  return { path, dir: join(mountPoint, relative(mount.root, path)) };
}

function cgroupMetrics(location: CgroupLocation | undefined): CgroupMemoryMetrics | undefined {
  if (!location) return undefined;
  const result = readCgroupMemory(location.dir);
  if (!result.ok) return undefined;
  const { version, limitBytes, usageBytes, workingSetBytes } = result.value;
  // The root cgroup without a limit says nothing /proc/meminfo does not.
  if (location.path === '/' && limitBytes === undefined) return undefined;
  const usedPercent = limitBytes === undefined ? undefined : percentOf(workingSetBytes, limitBytes);
  return {
    path: location.path,
    version,
    ...defined('limitBytes', limitBytes),
    usageBytes,
    workingSetBytes,
    ...defined('usedPercent', usedPercent === undefined ? undefined : round(usedPercent)),
  };
}

function collectMemory(env: CollectorEnvironment, cgroup: CgroupLocation | undefined): MemoryMetrics {
  const result = readMeminfo(env.procRoot);
  if (!result.ok) throw new Error(result.error);
  const info = result.value;
  const usedBytes = Math.max(0, info.totalBytes - info.availableBytes);
  const swapUsedBytes = Math.max(0, info.swapTotalBytes - info.swapFreeBytes);
  const cgroupSection = cgroupMetrics(cgroup);
  return {
    totalBytes: info.totalBytes,
    availableBytes: info.availableBytes,
    usedBytes,
    usedPercent: round(percentOf(usedBytes, info.totalBytes) ?? 0),
    freeBytes: info.freeBytes,
    buffersBytes: info.buffersBytes,
    cachedBytes: info.cachedBytes + info.sReclaimableBytes,
    sharedBytes: info.shmemBytes,
    swapTotalBytes: info.swapTotalBytes,
    swapUsedBytes,
    swapFreeBytes: info.swapFreeBytes,
    swapUsedPercent: round(percentOf(swapUsedBytes, info.swapTotalBytes) ?? 0),
    zram: readZramDevices(env.sysRoot),
    ...(cgroupSection ? { cgroup: cgroupSection } : {}),
  };
}

export const memoryCollector: CollectorDefinition<'memory'> = {
  name: 'memory',
  description: 'RAM and swap (total, available, used, buffers/cache), zram, and the limit and usage of this process memory cgroup',
  defaultEnabled: true,
  create: (env) => {
    // The cgroup a process runs in rarely changes: locate it once.
    const cgroup = locateMemoryCgroup(env);
    return { collect: () => collectMemory(env, cgroup), close: () => {} };
  },
  summarize: (memory) => [
    `Memory    ${formatBytes(memory.usedBytes)} used of ${formatBytes(memory.totalBytes)} (${formatPercent(memory.usedPercent)}), ${formatBytes(memory.availableBytes)} available, ${formatBytes(memory.buffersBytes + memory.cachedBytes)} buff/cache`,
    `Swap      ${memory.swapTotalBytes === 0 ? 'none' : `${formatBytes(memory.swapUsedBytes)} used of ${formatBytes(memory.swapTotalBytes)} (${formatPercent(memory.swapUsedPercent)})`}` +
      memory.zram.map((z) => `; ${z.name} ${formatBytes(z.originalDataBytes)} stored in ${formatBytes(z.memoryUsedBytes)}`).join(''),
    ...(memory.cgroup
      ? [`Cgroup    ${memory.cgroup.path} (v${memory.cgroup.version}): ${formatBytes(memory.cgroup.workingSetBytes)} working set, limit ${memory.cgroup.limitBytes === undefined ? 'none' : formatBytes(memory.cgroup.limitBytes)}`]
      : []),
  ],
};
