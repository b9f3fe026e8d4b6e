// Memory collector: RAM and swap from /proc/meminfo, zram devices, and the memory cgroup this process runs in.
import { join, relative } from 'node:path';
import type { HeldFileReader } from '../sys/heldFiles.ts';
import { kernelFileReader } from '../sys/kernelFiles.ts';
import { memoryCgroupPath, parsePidCgroup } from '../sys/parsePidFiles.ts';
import { type CgroupVersion, readCgroupMemoryUsage } from '../sys/readCgroup.ts';
import { readMeminfo } from '../sys/readProc.ts';
import { readMountinfo, readParsedFile } from '../sys/readHost.ts';
import { type ZramDevice, listZramDevices, readZramDevice } from '../sys/readSys.ts';
import { type Collector, type CollectorDefinition, type CollectorEnvironment, type Tick, isDue } from './collector.ts';
import { formatBytes, formatPercent } from './format.ts';
import { defined, percentOf, round } from './rates.ts';
import type { CgroupMemoryMetrics, MemoryMetrics } from './types.ts';

interface CgroupLocation {
  path: string;
  dir: string;
  version: CgroupVersion;
}

// zram devices are made at boot or by hand (hot_add): /sys/block is listed again this often, and
// at once when a known device cannot be read.
const ZRAM_RESCAN_MS = 30_000;

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
  return { path, dir: join(mountPoint, relative(mount.root, path)), version: isV1 ? 1 : 2 };
}

function cgroupMetrics(location: CgroupLocation | undefined, read: (path: string) => string | undefined): CgroupMemoryMetrics | undefined {
  if (!location) return undefined;
  const result = readCgroupMemoryUsage(location.dir, location.version, read);
  if (!result.ok) return undefined;
  const { limitBytes, usageBytes, workingSetBytes } = result.value;
  // The root cgroup without a limit says nothing /proc/meminfo does not.
  if (location.path === '/' && limitBytes === undefined) return undefined;
  const usedPercent = limitBytes === undefined ? undefined : percentOf(workingSetBytes, limitBytes);
  return {
    path: location.path,
    version: location.version,
    ...defined('limitBytes', limitBytes),
    usageBytes,
    workingSetBytes,
    ...defined('usedPercent', usedPercent === undefined ? undefined : round(usedPercent)),
  };
}

class MemoryCollector implements Collector<'memory'> {
  private readonly env: CollectorEnvironment;
  // The cgroup a process runs in rarely changes: located once.
  private readonly cgroup: CgroupLocation | undefined;
  private readonly procFiles: HeldFileReader;
  private readonly sysFiles: HeldFileReader;
  private readonly cgroupFiles: HeldFileReader | undefined;
  private zramNames: string[] = [];
  private zramListedAtMs: number | undefined;

  constructor(env: CollectorEnvironment) {
    this.env = env;
    this.cgroup = locateMemoryCgroup(env);
    this.procFiles = kernelFileReader(env.procRoot);
    this.sysFiles = kernelFileReader(env.sysRoot);
    this.cgroupFiles = this.cgroup && kernelFileReader(this.cgroup.dir, 8);
  }

  private zram(tick: Tick): ZramDevice[] {
    if (isDue(this.zramListedAtMs, tick, ZRAM_RESCAN_MS)) this.listZram(tick);
    const read = (path: string): string | undefined => this.sysFiles.read(path);
    let devices = this.zramNames.map((name) => readZramDevice(name, this.env.sysRoot, read));
    if (devices.includes(undefined)) {
      // A device was removed (or reset): list again and read what is there now.
      this.listZram(tick);
      devices = this.zramNames.map((name) => readZramDevice(name, this.env.sysRoot, read));
    }
    return devices.filter((d) => d !== undefined);
  }

  private listZram(tick: Tick): void {
    this.zramNames = listZramDevices(this.env.sysRoot);
    this.zramListedAtMs = tick.monotonicMs;
  }

  collect(tick: Tick): MemoryMetrics {
    const result = readMeminfo(this.env.procRoot, (path) => this.procFiles.read(path));
    if (!result.ok) throw new Error(result.error);
    const info = result.value;
    const usedBytes = Math.max(0, info.totalBytes - info.availableBytes);
    const swapUsedBytes = Math.max(0, info.swapTotalBytes - info.swapFreeBytes);
    const files = this.cgroupFiles;
    const cgroupSection = files && cgroupMetrics(this.cgroup, (path) => files.read(path));
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
      zram: this.zram(tick),
      ...(cgroupSection ? { cgroup: cgroupSection } : {}),
    };
  }

  close(): void {
    this.procFiles.close();
    this.sysFiles.close();
    this.cgroupFiles?.close();
  }
}

export const memoryCollector: CollectorDefinition<'memory'> = {
  name: 'memory',
  description: 'RAM and swap (total, available, used, buffers/cache), zram, and the limit and usage of this process memory cgroup',
  defaultEnabled: true,
  create: (env) => new MemoryCollector(env),
  summarize: (memory) => [
    `Memory    ${formatBytes(memory.usedBytes)} used of ${formatBytes(memory.totalBytes)} (${formatPercent(memory.usedPercent)}), ${formatBytes(memory.availableBytes)} available, ${formatBytes(memory.buffersBytes + memory.cachedBytes)} buff/cache`,
    `Swap      ${memory.swapTotalBytes === 0 ? 'none' : `${formatBytes(memory.swapUsedBytes)} used of ${formatBytes(memory.swapTotalBytes)} (${formatPercent(memory.swapUsedPercent)})`}` +
      memory.zram.map((z) => `; ${z.name} ${formatBytes(z.originalDataBytes)} stored in ${formatBytes(z.memoryUsedBytes)}`).join(''),
    ...(memory.cgroup
      ? [`Cgroup    ${memory.cgroup.path} (v${memory.cgroup.version}): ${formatBytes(memory.cgroup.workingSetBytes)} working set, limit ${memory.cgroup.limitBytes === undefined ? 'none' : formatBytes(memory.cgroup.limitBytes)}`]
      : []),
  ],
};
