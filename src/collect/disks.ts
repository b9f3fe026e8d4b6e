// Disk collector: usage of each real mounted filesystem (statfs) and I/O rates of each block device (/proc/diskstats).
import { statfsSync } from 'node:fs';
import type { HeldFileReader } from '../sys/heldFiles.ts';
import { kernelFileReader } from '../sys/kernelFiles.ts';
import type { DiskCounters } from '../sys/parseDiskstats.ts';
import { type MountEntry, parseMountinfo } from '../sys/parseMountinfo.ts';
import { mountinfoPath, readDiskstats } from '../sys/readHost.ts';
import { isPartition } from '../sys/readSys.ts';
import { type Collector, type CollectorDefinition, type CollectorEnvironment, type Tick, isDue, secondsSince } from './collector.ts';
import { formatBytes, formatPercent, formatRate } from './format.ts';
import { counterDelta, counterRate, defined, percentOf, round } from './rates.ts';
import type { BlockDeviceIo, DiskMetrics, FilesystemUsage } from './types.ts';

// Kernel-internal and virtual filesystems (node_exporter's list), squashfs images (always full),
// and network filesystems: statfs on a hung server blocks the caller, and this collector is synchronous.
const SKIPPED_FS_TYPES = new Set([
  'autofs', 'binfmt_misc', 'bpf', 'cgroup', 'cgroup2', 'configfs', 'debugfs', 'devpts', 'devtmpfs', 'efivarfs', 'fusectl',
  'hugetlbfs', 'mqueue', 'nsfs', 'proc', 'pstore', 'ramfs', 'rpc_pipefs', 'securityfs', 'selinuxfs', 'sysfs', 'tracefs',
  'squashfs', 'nfs', 'nfs4', 'cifs', 'smb3', 'smbfs', 'ncpfs', 'afs', 'ceph', 'glusterfs', 'fuse.sshfs', 'fuse.gvfsd-fuse', 'fuse.portal',
]);

// mountinfo is read again this often: the kernel takes 40 us (warm) to render it, most of this
// collector's time, and mounts change rarely. A mount or unmount shows within this time; a mount
// point that fails statfs makes the next tick read it at once.
const MOUNTS_REREAD_MS = 5000;

const SKIPPED_DEVICES = /^(loop|ram|fd)\d+$/;
// Used only when sysfs cannot tell (a /proc tree without its /sys).
const PARTITION_NAME = /^((sd|vd|xvd|hd)[a-z]+\d+|(nvme\d+n\d+|mmcblk\d+)p\d+)$/;

export function realFilesystems(mounts: MountEntry[]): MountEntry[] {
  // A later mount over the same point hides the earlier one: keep the last.
  const byPoint = new Map<string, MountEntry>();
  for (const mount of mounts) if (!SKIPPED_FS_TYPES.has(mount.fsType)) byPoint.set(mount.mountPoint, mount);
  return [...byPoint.values()];
}

function usage(mount: MountEntry): FilesystemUsage | undefined {
  let stats;
  try {
    stats = statfsSync(mount.mountPoint);
  } catch {
    return undefined;
  }
  if (stats.blocks === 0) return undefined;
  const totalBytes = stats.blocks * stats.bsize;
  const usedBytes = (stats.blocks - stats.bfree) * stats.bsize;
  const availableBytes = stats.bavail * stats.bsize;
  const inodesUsed = Math.max(0, stats.files - stats.ffree);
  const inodesPercent = percentOf(inodesUsed, stats.files);
  return {
    mountPoint: mount.mountPoint,
    device: mount.source,
    fsType: mount.fsType,
    totalBytes,
    usedBytes,
    availableBytes,
    usedPercent: round(percentOf(usedBytes, usedBytes + availableBytes) ?? 0),
    inodesTotal: stats.files,
    inodesUsed,
    inodesFree: stats.ffree,
    ...defined('inodesUsedPercent', inodesPercent === undefined ? undefined : round(inodesPercent)),
  };
}

class DiskCollector implements Collector<'disks'> {
  private readonly env: CollectorEnvironment;
  private previous: { tick: Tick; byName: Map<string, DiskCounters> } | undefined;
  private readonly wholeDisk = new Map<string, boolean>();
  private readonly files: HeldFileReader;
  // mountinfo's text and the filesystems parsed from it (parsed again only when the text changed),
  // when it was read, and whether a statfs failed since (a mount point removed: read it again)
  private mounts: { text: string; filesystems: MountEntry[]; readAtMs: number; statfsFailed: boolean } | undefined;

  constructor(env: CollectorEnvironment) {
    this.env = env;
    this.files = kernelFileReader(env.procRoot);
  }

  private realMounts(tick: Tick): MountEntry[] {
    const last = this.mounts;
    if (last && !last.statfsFailed && !isDue(last.readAtMs, tick, MOUNTS_REREAD_MS)) return last.filesystems;
    const path = mountinfoPath(this.env.procRoot);
    const text = this.files.read(path);
    if (text === undefined) throw new Error(`${path}: cannot be read`);
    if (last?.text === text) {
      Object.assign(last, { readAtMs: tick.monotonicMs, statfsFailed: false });
      return last.filesystems;
    }
    const parsed = parseMountinfo(text);
    if (!parsed.ok) throw new Error(`${path}: ${parsed.error}`);
    this.mounts = { text, filesystems: realFilesystems(parsed.value), readAtMs: tick.monotonicMs, statfsFailed: false };
    return this.mounts.filesystems;
  }

  private isWholeDisk(disk: DiskCounters): boolean {
    const key = `${disk.name} ${disk.major}:${disk.minor}`;
    let whole = this.wholeDisk.get(key);
    if (whole === undefined) {
      whole = !SKIPPED_DEVICES.test(disk.name) && !(isPartition(disk.name, this.env.sysRoot) ?? PARTITION_NAME.test(disk.name));
      this.wholeDisk.set(key, whole);
    }
    return whole;
  }

  private devices(tick: Tick): BlockDeviceIo[] {
    const result = readDiskstats(this.env.procRoot, (path) => this.files.read(path));
    if (!result.ok) throw new Error(result.error);
    const disks = result.value.filter((disk) => this.isWholeDisk(disk));
    const seconds = secondsSince(this.previous?.tick, tick);
    const before = this.previous?.byName;
    this.previous = { tick, byName: new Map(disks.map((disk) => [disk.name, disk])) };
    return disks.map((disk) => {
      const old = before?.get(disk.name);
      const rate = (pick: (d: DiskCounters) => number): number | undefined => {
        const value = counterRate(old && pick(old), pick(disk), seconds);
        return value === undefined ? undefined : round(value);
      };
      const busyDelta = old && counterDelta(old.busySeconds, disk.busySeconds);
      const busyPercent = busyDelta === undefined || seconds === undefined ? undefined : percentOf(busyDelta, seconds);
      return {
        name: disk.name,
        readBytesTotal: disk.readBytes,
        writtenBytesTotal: disk.writtenBytes,
        ...defined('readBytesPerSecond', rate((d) => d.readBytes)),
        ...defined('writtenBytesPerSecond', rate((d) => d.writtenBytes)),
        ...defined('readsPerSecond', rate((d) => d.readsCompleted)),
        ...defined('writesPerSecond', rate((d) => d.writesCompleted)),
        ...defined('busyPercent', busyPercent === undefined ? undefined : round(busyPercent)),
        inFlightRequests: disk.inProgress,
      };
    });
  }

  collect(tick: Tick): DiskMetrics {
    const mounts = this.realMounts(tick);
    const filesystems = mounts.flatMap((mount) => usage(mount) ?? []);
    if (this.mounts && filesystems.length < mounts.length) this.mounts.statfsFailed = true;
    return { filesystems, devices: this.devices(tick) };
  }

  close(): void {
    this.files.close();
  }
}

export const diskCollector: CollectorDefinition<'disks'> = {
  name: 'disks',
  description: 'Filesystem usage and inodes (statfs) and block device read/write bytes/s, IOPS and busy %',
  defaultEnabled: true,
  create: (env) => new DiskCollector(env),
  summarize: (disks) => [
    ...disks.filesystems.map(
      (fs) => `Disk      ${fs.mountPoint} (${fs.fsType}): ${formatBytes(fs.usedBytes)} used of ${formatBytes(fs.totalBytes)} (${formatPercent(fs.usedPercent)}), ${formatBytes(fs.availableBytes)} available, inodes ${formatPercent(fs.inodesUsedPercent)}`,
    ),
    ...disks.devices.map(
      (d) => `Disk I/O  ${d.name}: read ${formatRate(d.readBytesPerSecond)} (${d.readsPerSecond?.toFixed(0) ?? '-'} IOPS), write ${formatRate(d.writtenBytesPerSecond)} (${d.writesPerSecond?.toFixed(0) ?? '-'} IOPS), busy ${formatPercent(d.busyPercent)}`,
    ),
  ],
};
