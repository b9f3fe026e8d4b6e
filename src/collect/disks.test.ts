import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { diskCollector, realFilesystems } from './disks.ts';
import { environmentFor } from './snapshotter.ts';
import type { MountEntry } from '../sys/parseMountinfo.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

// major minor name reads merged sectors ms writes merged sectors ms inflight io_ticks weighted
function writeDiskstats(root: string, rows: Array<[string, number, number, number, number, number]>): void {
  const text = rows.map(([name, reads, readSectors, writes, writtenSectors, ioTicksMs]) => `   8       0 ${name} ${reads} 0 ${readSectors} 0 ${writes} 0 ${writtenSectors} 0 0 ${ioTicksMs} 0 0 0 0 0 0 0`).join('\n');
  writeFileSync(join(root, 'diskstats'), text + '\n');
}

describe('disk collector', () => {
  it('derives bytes/s, IOPS and busy % from /proc/diskstats, skipping loop devices and partitions', () => {
    const root = mkdtempSync(join(tmpdir(), 'hostguard-disk-'));
    dirs.push(root);
    mkdirSync(join(root, 'self'));
    writeFileSync(join(root, 'self', 'mountinfo'), '');
    const collector = diskCollector.create(environmentFor({ procRoot: root, sysRoot: join(root, 'nosys') }));
    writeDiskstats(root, [['sda', 100, 1000, 50, 2000, 100], ['sda1', 1, 1, 1, 1, 1], ['loop0', 5, 5, 5, 5, 5], ['nvme0n1', 0, 0, 0, 0, 0], ['nvme0n1p1', 0, 0, 0, 0, 0]]);
    const first = collector.collect({ monotonicMs: 0, wallMs: 0 });
    expect(first.devices.map((d) => d.name)).toEqual(['sda', 'nvme0n1']);
    expect(first.devices[0]).toEqual({ name: 'sda', readBytesTotal: 512000, writtenBytesTotal: 1024000, inFlightRequests: 0 });
    writeDiskstats(root, [['sda', 300, 3048, 150, 4048, 600], ['nvme0n1', 0, 0, 0, 0, 0]]);
    const second = collector.collect({ monotonicMs: 1000, wallMs: 1000 });
    expect(second.devices[0]).toMatchObject({ readsPerSecond: 200, writesPerSecond: 100, readBytesPerSecond: 2048 * 512, writtenBytesPerSecond: 2048 * 512, busyPercent: 50 });
    expect(second.filesystems).toEqual([]);
  });

  it('keeps the last of several mounts on one point and skips pseudo filesystems', () => {
    const mount = (mountPoint: string, fsType: string, source: string): MountEntry => ({ mountId: 1, parentId: 0, major: 0, minor: 0, root: '/', mountPoint, mountOptions: 'rw', fsType, source, superOptions: 'rw' });
    const kept = realFilesystems([mount('/', 'ext4', '/dev/sda1'), mount('/proc', 'proc', 'proc'), mount('/data', 'xfs', '/dev/sdb'), mount('/data', 'tmpfs', 'tmpfs'), mount('/mnt/nfs', 'nfs4', 'server:/x')]);
    expect(kept.map((m) => [m.mountPoint, m.fsType])).toEqual([['/', 'ext4'], ['/data', 'tmpfs']]);
  });

  // A /proc tree whose mountinfo names mount points inside it (so statfs answers for real), with
  // the subdirectories given; points(ms) collects at that time and lists the filesystems shown.
  function mountTree(subdirs: string[]): { root: string; mount: (...points: string[]) => void; points: (ms: number) => string[]; collector: ReturnType<typeof diskCollector.create> } {
    const root = mkdtempSync(join(tmpdir(), 'hostguard-disk-'));
    dirs.push(root);
    mkdirSync(join(root, 'self'));
    for (const sub of subdirs) mkdirSync(join(root, sub));
    writeDiskstats(root, []);
    const mount = (...points: string[]): void =>
      writeFileSync(join(root, 'self', 'mountinfo'), points.map((point, i) => `${30 + i} 1 254:1 / ${point} rw,relatime shared:1 - ext4 /dev/vda1 rw\n`).join(''));
    mount(root);
    const collector = diskCollector.create(environmentFor({ procRoot: root, sysRoot: join(root, 'nosys') }));
    const points = (ms: number): string[] => collector.collect({ monotonicMs: ms, wallMs: ms }).filesystems.map((f) => f.mountPoint);
    return { root, mount, points, collector };
  }

  it('follows mountinfo, read again every 5 s (the parse is kept while the text is the same)', () => {
    const { root, mount, points, collector } = mountTree(['sub']);
    expect(points(0)).toEqual([root]);
    expect(points(1000)).toEqual([root]);
    mount(root, join(root, 'sub'));
    // Not read again within 5 s of the last read; then the new mount shows.
    expect(points(4900)).toEqual([root]);
    expect(points(5000)).toEqual([root, join(root, 'sub')]);
    mount(join(root, 'sub'));
    expect(points(10_000)).toEqual([join(root, 'sub')]);
    const usage = collector.collect({ monotonicMs: 11_000, wallMs: 11_000 }).filesystems[0];
    expect(usage?.totalBytes).toBeGreaterThan(0);
    collector.close();
  });

  it('reads mountinfo again at once when a mount point fails statfs', () => {
    const { root, mount, points, collector } = mountTree(['gone']);
    mount(root, join(root, 'gone'));
    expect(points(0)).toEqual([root, join(root, 'gone')]);
    rmSync(join(root, 'gone'), { recursive: true });
    mount(root, join(root, 'new'));
    mkdirSync(join(root, 'new'));
    // This tick's statfs of the removed point fails; the next tick reads mountinfo again.
    expect(points(1000)).toEqual([root]);
    expect(points(2000)).toEqual([root, join(root, 'new')]);
    collector.close();
  });
});
