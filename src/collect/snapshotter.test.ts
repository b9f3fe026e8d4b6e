import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { collectorNames } from './registry.ts';
import { Snapshotter } from './snapshotter.ts';

const fixtures = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));
const dirs: string[] = [];
const snapshotters: Snapshotter[] = [];
afterEach(() => {
  for (const s of snapshotters.splice(0)) s.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

// A writable copy of the fixture trees, and a snapshotter on it with a manual monotonic clock.
function fixtureSnapshotter(enabled?: Record<string, boolean>): { root: string; snapshotter: Snapshotter; advance: (ms: number) => void } {
  const root = mkdtempSync(join(tmpdir(), 'hostguard-collect-'));
  dirs.push(root);
  for (const name of ['proc', 'sys', 'etc', 'kmsg']) cpSync(join(fixtures, `collect-${name}`), join(root, name), { recursive: true });
  writeFileSync(join(root, 'kmsg', 'log'), '');
  let monotonic = 1000;
  const snapshotter = new Snapshotter({
    procRoot: join(root, 'proc'),
    sysRoot: join(root, 'sys'),
    etcRoot: join(root, 'etc'),
    kmsgPath: join(root, 'kmsg', 'log'),
    now: () => 1_800_000_000_000 + monotonic,
    monotonicNow: () => monotonic,
    ...(enabled ? { enabled } : {}),
  });
  snapshotters.push(snapshotter);
  return { root, snapshotter, advance: (ms) => (monotonic += ms) };
}

describe('Snapshotter on the fixture trees', () => {
  it('runs every collector of the registry and fills every section', () => {
    const { snapshotter } = fixtureSnapshotter();
    expect(snapshotter.collectorNames).toEqual([...collectorNames]);
    const snapshot = snapshotter.collect();
    expect(snapshot.errors).toBeUndefined();
    for (const name of collectorNames) expect(snapshot).toHaveProperty(name);
    expect(snapshot.intervalSeconds).toBeNull();
    expect(snapshot.timestamp).toBe(new Date(snapshot.timestampMs).toISOString());
  });

  it('is JSON-serialisable without loss', () => {
    const { snapshotter, advance } = fixtureSnapshotter();
    snapshotter.collect();
    advance(1000);
    const snapshot = snapshotter.collect();
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
    expect(snapshot.intervalSeconds).toBe(1);
  });

  it('reads the fixture values in public units', () => {
    const { snapshotter } = fixtureSnapshotter();
    const s = snapshotter.collect();
    expect(s.system).toMatchObject({ hostname: 'vm', osName: 'Debian GNU/Linux 12 (bookworm)', osId: 'debian', osVersion: '12', architecture: 'x86_64', cpuModel: 'AMD EPYC', logicalCpus: 2, uptimeSeconds: 677.52 });
    expect(s.cpu).toMatchObject({ logicalCpus: 2, load1: 1.02, load5: 0.6, load15: 0.31 });
    expect(s.cpu?.busyPercent).toBeUndefined();
    expect(s.memory).toMatchObject({ totalBytes: 24683656 * 1024, availableBytes: 24162944 * 1024, usedBytes: (24683656 - 24162944) * 1024, buffersBytes: 9804 * 1024, swapTotalBytes: 0, swapUsedPercent: 0 });
    expect(s.memory?.cgroup).toEqual({ path: '/hostguard-fixture', version: 1, limitBytes: 1073741824, usageBytes: 536870912, workingSetBytes: 536870912 - 67108864, usedPercent: 43.75 });
    expect(s.memory?.zram.map((z) => z.name)).toEqual(['zram0', 'zram1']);
    expect(s.temperatures?.sensors).toHaveLength(6);
    expect(s.temperatures?.maxCelsius).toBe(47);
    expect(s.network?.interfaces.map((i) => [i.name, i.operState])).toEqual([['lo', 'unknown'], ['ifb0', undefined], ['ifb1', undefined], ['eth0', 'up']]);
    expect(s.usb).toMatchObject({ kernelLogReadable: true, hasTimeout: false, timeoutsInInterval: 0 });
    expect(s.usb?.devices).toHaveLength(5);
    expect(s.pressure?.memory?.full?.totalSeconds).toBeGreaterThan(0);
  });

  it('lists real filesystems only: no proc, sysfs, cgroup or devpts', () => {
    const { snapshotter } = fixtureSnapshotter({ disks: true });
    const disks = snapshotter.collect().disks;
    const types = disks?.filesystems.map((f) => f.fsType) ?? [];
    expect(disks?.filesystems.find((f) => f.mountPoint === '/')).toMatchObject({ fsType: 'ext4', device: '/dev/vda' });
    for (const pseudo of ['proc', 'sysfs', 'cgroup', 'cgroup2', 'devpts', 'devtmpfs']) expect(types).not.toContain(pseudo);
    // /dev/shm is mounted twice: it is listed once.
    expect(disks?.filesystems.filter((f) => f.mountPoint === '/dev/shm')).toHaveLength(1);
    // loop devices are skipped; vda and zram0 are whole disks.
    expect(disks?.devices.map((d) => d.name)).toEqual(['vda', 'zram0']);
  });

  it('records a failing collector in errors and keeps the others', () => {
    const { root, snapshotter } = fixtureSnapshotter();
    rmSync(join(root, 'proc', 'loadavg'));
    const snapshot = snapshotter.collect();
    expect(snapshot.cpu).toBeUndefined();
    expect(snapshot.errors).toEqual([{ collector: 'cpu', message: expect.stringContaining('loadavg') }]);
    expect(snapshot.memory).toBeDefined();
  });

  it('summarizes every section it has, in registry order', () => {
    const { snapshotter } = fixtureSnapshotter();
    const lines = Snapshotter.summarize(snapshotter.collect());
    const order = ['System', 'CPU', 'Pressure', 'Memory', 'Temps', 'Disk', 'Network', 'USB', 'Processes'].map((p) => lines.findIndex((l) => l.startsWith(p)));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });
});
