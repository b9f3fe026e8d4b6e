// Simulated MetricsSnapshots for store tests and the store benchmark: a template shaped like this
// machine's `hostguard snapshot --json` (or a live one), with values that move over time the way a
// host's do: a daily CPU cycle with noise and bursts, memory drifting, a disk slowly filling.
import type { FilesystemUsage, MetricsSnapshot, ProcessInfo } from '../../src/collect/types.ts';
import { extractSeries, seriesKey } from '../../src/store/series.ts';

// mulberry32: deterministic, so a test can recompute what it inserted.
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;
const clamp = (value: number, low: number, high: number): number => Math.min(high, Math.max(low, value));

function process(pid: number, name: string, cpuPercent: number, rssBytes: number): ProcessInfo {
  return {
    pid, ppid: 1, name, cmdline: `/usr/bin/${name} --serve --config /etc/${name}/${name}.conf`, uid: 0, user: 'root', state: 'S', threads: 4,
    cpuPercent, rssBytes, memoryPercent: round((rssBytes / 25_276_063_744) * 100), readBytesPerSecond: 0, writtenBytesPerSecond: 4096,
    oomScore: 670, oomScoreAdj: 0, startTimeSeconds: 1_795_422_106.27, cgroup: '/system.slice/app.service', kernelThread: false,
  };
}

function filesystem(mountPoint: string, device: string, totalBytes: number, usedPercent: number): FilesystemUsage {
  const usedBytes = Math.round((totalBytes * usedPercent) / 100);
  return { mountPoint, device, fsType: 'ext4', totalBytes, usedBytes, availableBytes: totalBytes - usedBytes, usedPercent, inodesTotal: 16_777_216, inodesUsed: 469_608, inodesFree: 16_307_608, inodesUsedPercent: 2.8 };
}

// A snapshot with every section, about 10 KiB of JSON like the real one on this machine.
export function templateSnapshot(): MetricsSnapshot {
  const traffic = { bytes: 1_079_857_675, packets: 37_268, errors: 0, drops: 0, bytesPerSecond: 1200, packetsPerSecond: 10, errorsPerSecond: 0, dropsPerSecond: 0 };
  const names = ['node', 'postgres', 'nginx', 'sshd', 'systemd-journal', 'containerd', 'dockerd', 'cron', 'rsyslogd', 'bash'];
  return {
    timestamp: '2026-01-01T00:00:00.000Z', timestampMs: 0, intervalSeconds: 2,
    cpu: {
      logicalCpus: 2, busyPercent: 20, userPercent: 12, nicePercent: 0, systemPercent: 7, irqPercent: 0.5, iowaitPercent: 0.5, stealPercent: 0.2, idlePercent: 79.5,
      perCore: [{ cpu: 0, busyPercent: 20 }, { cpu: 1, busyPercent: 20 }], load1: 0.6, load5: 0.5, load15: 0.4,
      contextSwitchesTotal: 20_969_872, contextSwitchesPerSecond: 4368.91, processesCreatedPerSecond: 19.01, runningTasks: 1, blockedTasks: 0,
    },
    pressure: {
      cpu: { some: { avg10Percent: 2, avg60Percent: 2, avg300Percent: 2, totalSeconds: 709.13 }, full: { avg10Percent: 0, avg60Percent: 0, avg300Percent: 0, totalSeconds: 0 } },
      memory: { some: { avg10Percent: 0, avg60Percent: 0, avg300Percent: 0, totalSeconds: 6.61 }, full: { avg10Percent: 0, avg60Percent: 0, avg300Percent: 0, totalSeconds: 2.82 } },
      io: { some: { avg10Percent: 0.46, avg60Percent: 0.87, avg300Percent: 0.45, totalSeconds: 17.01 }, full: { avg10Percent: 0.17, avg60Percent: 0.28, avg300Percent: 0.12, totalSeconds: 9.05 } },
    },
    memory: {
      totalBytes: 25_276_063_744, availableBytes: 20_000_000_000, usedBytes: 5_276_063_744, usedPercent: 20.87, freeBytes: 18_000_000_000, buffersBytes: 27_275_264,
      cachedBytes: 1_944_870_912, sharedBytes: 9_166_848, swapTotalBytes: 0, swapUsedBytes: 0, swapFreeBytes: 0, swapUsedPercent: 0,
      zram: [{ name: 'zram0', diskSizeBytes: 0, originalDataBytes: 0, compressedDataBytes: 0, memoryUsedBytes: 0 }],
    },
    temperatures: {
      sensors: [
        { source: 'hwmon', sensor: 'coretemp/temp1', label: 'Package id 0', celsius: 45, criticalCelsius: 100 },
        { source: 'thermal', sensor: 'thermal_zone0', label: 'acpitz', celsius: 40 },
      ],
      maxCelsius: 45,
    },
    disks: {
      filesystems: [filesystem('/', '/dev/vda', 270_553_174_016, 23.69), filesystem('/boot', '/dev/vda1', 1_073_741_824, 31.2), filesystem('/var/lib/data', '/dev/vdb', 536_870_912_000, 55.1)],
      devices: [
        { name: 'vda', readBytesTotal: 7_803_905_024, writtenBytesTotal: 4_032_561_152, readBytesPerSecond: 0, writtenBytesPerSecond: 3_299_484.37, readsPerSecond: 0, writesPerSecond: 4.53, busyPercent: 0.36, inFlightRequests: 0 },
        { name: 'vdb', readBytesTotal: 1_803_905_024, writtenBytesTotal: 932_561_152, readBytesPerSecond: 0, writtenBytesPerSecond: 99_484.37, readsPerSecond: 0, writesPerSecond: 1.53, busyPercent: 0.1, inFlightRequests: 0 },
      ],
    },
    network: {
      interfaces: ['lo', 'eth0', 'docker0'].map((name) => ({ name, operState: 'up', mtuBytes: 1500, receive: { ...traffic }, transmit: { ...traffic } })),
    },
    usb: { devices: [], kernelLogReadable: true, hasTimeout: false, timeoutsInInterval: 0, resetsInInterval: 0, recentEvents: [] },
    processes: {
      total: 180, kernelThreads: 90, threads: 420, running: 1, sleeping: 170, uninterruptible: 0, zombie: 0, stopped: 0, idle: 9,
      topByCpu: names.slice(0, 5).map((name, i) => process(1000 + i, name, 10 - i, 200_000_000 - i * 10_000_000)),
      topByMemory: names.map((name, i) => process(1000 + i, name, 5 - i / 2, 400_000_000 - i * 30_000_000)),
      topByIo: names.slice(0, 3).map((name, i) => process(1000 + i, name, 1, 100_000_000)),
    },
    system: {
      hostname: 'simulated', osName: 'Debian GNU/Linux 12 (bookworm)', osId: 'debian', osVersion: '12', kernelRelease: '6.18.44', architecture: 'x86_64',
      cpuModel: 'AMD EPYC', logicalCpus: 2, physicalCores: 2, bootTimeSeconds: 1_795_420_289, uptimeSeconds: 4732.72,
    },
  };
}

// Snapshot number `index` of a run starting at startMs, one every intervalMs.
export class SnapshotSimulator {
  private readonly template: MetricsSnapshot;
  private readonly next: () => number;
  readonly startMs: number;
  readonly intervalMs: number;

  constructor(options: { startMs: number; intervalMs: number; seed?: number; template?: MetricsSnapshot }) {
    this.template = options.template ?? templateSnapshot();
    this.next = random(options.seed ?? 1);
    this.startMs = options.startMs;
    this.intervalMs = options.intervalMs;
  }

  // Sections that change are copied, the rest shared with the template (cheap enough for a
  // million snapshots); nothing here mutates the template.
  snapshot(index: number): MetricsSnapshot {
    const t = this.template;
    const timeMs = this.startMs + index * this.intervalMs;
    const day = Math.sin((2 * Math.PI * (timeMs % 86_400_000)) / 86_400_000);
    const burst = this.next() < 0.01 ? 40 * this.next() : 0;
    const busyPercent = round(clamp(25 + 15 * day + 8 * this.next() + burst, 0, 100));
    const s: MetricsSnapshot = { ...t, timestamp: new Date(timeMs).toISOString(), timestampMs: timeMs, intervalSeconds: this.intervalMs / 1000 };
    if (t.cpu) {
      s.cpu = {
        ...t.cpu, busyPercent,
        iowaitPercent: round(clamp(0.5 + 2 * this.next() * this.next(), 0, 100)),
        stealPercent: round(0.3 * this.next()),
        load1: round(clamp(busyPercent / 40 + this.next() * 0.3, 0, 64)),
        perCore: t.cpu.perCore.map((core) => ({ ...core, busyPercent: round(clamp(busyPercent + 10 * (this.next() - 0.5), 0, 100)) })),
      };
    }
    if (t.memory) {
      const usedPercent = round(clamp(30 + 10 * Math.sin(timeMs / 7_200_000) + 3 * this.next(), 0, 100));
      const availableBytes = Math.round((t.memory.totalBytes * (100 - usedPercent)) / 100 / 4096) * 4096;
      s.memory = { ...t.memory, usedPercent, availableBytes, usedBytes: t.memory.totalBytes - availableBytes };
    }
    if (t.pressure?.cpu && t.pressure.io) {
      s.pressure = {
        ...t.pressure,
        cpu: { ...t.pressure.cpu, some: { ...t.pressure.cpu.some, avg10Percent: round(clamp(busyPercent / 5 + 3 * this.next(), 0, 100)) } },
        io: { ...t.pressure.io, some: { ...t.pressure.io.some, avg10Percent: round(2 * this.next() * this.next()) } },
      };
    }
    if (t.temperatures) s.temperatures = { ...t.temperatures, sensors: t.temperatures.sensors.map((sensor) => ({ ...sensor, celsius: round(38 + 10 * day + 3 * this.next(), 1) })) };
    if (t.disks) {
      const days = (timeMs - this.startMs) / 86_400_000;
      s.disks = {
        filesystems: t.disks.filesystems.map((fs, i) => ({ ...fs, usedPercent: round(clamp(fs.usedPercent + (i + 1) * days * 0.5, 0, 100)) })),
        devices: t.disks.devices.map((device) => ({ ...device, busyPercent: round(clamp(5 * this.next() * this.next() + burst / 4, 0, 100)) })),
      };
    }
    if (t.network) s.network = { interfaces: t.network.interfaces.map((nic) => ({ ...nic, receive: { ...nic.receive, errorsPerSecond: this.next() < 0.001 ? round(this.next() * 3) : 0 } })) };
    if (t.processes) s.processes = { ...t.processes, uninterruptible: this.next() < 0.05 ? 1 : 0 };
    return s;
  }
}

// What a tier should hold for one series: avg/min/max per aligned bucket, computed from the inputs.
export function expectedBuckets(snapshots: MetricsSnapshot[], key: string, bucketMs: number): Map<number, { avg: number; min: number; max: number }> {
  const groups = new Map<number, number[]>();
  for (const snapshot of snapshots) {
    const value = extractSeries(snapshot).find((v) => seriesKey(v) === key)?.value;
    if (value === undefined) continue;
    const bucket = Math.floor(snapshot.timestampMs / bucketMs) * bucketMs;
    groups.set(bucket, [...(groups.get(bucket) ?? []), value]);
  }
  return new Map([...groups].map(([bucket, values]) => [bucket, { avg: values.reduce((a, b) => a + b, 0) / values.length, min: Math.min(...values), max: Math.max(...values) }]));
}

