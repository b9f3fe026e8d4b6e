import { describe, expect, it } from 'vitest';
import type { MetricsSnapshot } from '../collect/types.ts';
import { AnomalyDetector } from './detector.ts';
import type { Rule } from './rules.ts';

// Snapshots built by hand: the detector reads only the sections its rules name.
function cpu(atMs: number, busyPercent: number): MetricsSnapshot {
  return {
    timestamp: new Date(atMs).toISOString(),
    timestampMs: atMs,
    intervalSeconds: 1,
    cpu: { logicalCpus: 2, busyPercent, perCore: [], load1: 0, load5: 0, load15: 0, contextSwitchesTotal: 0, runningTasks: 0, blockedTasks: 0 },
  };
}

function disks(atMs: number, usage: Record<string, number>): MetricsSnapshot {
  const filesystems = Object.entries(usage).map(([mountPoint, usedPercent]) => ({
    mountPoint, device: 'd', fsType: 'ext4', totalBytes: 100, usedBytes: usedPercent, availableBytes: 100 - usedPercent, usedPercent, inodesTotal: 0, inodesUsed: 0, inodesFree: 0,
  }));
  return { timestamp: '', timestampMs: atMs, intervalSeconds: 1, disks: { filesystems, devices: [] } };
}

const base = { hysteresis: 5, forMs: 0, clearForMs: 0 };
const cpuCritical: Rule = { ...base, type: 'threshold', name: 'cpu-critical', metric: 'cpu_busy_percent', comparison: '>', threshold: 90, severity: 'critical', forMs: 30_000 };
let ids = 0;
const newId = (): string => `e${++ids}`;

// Feeds one value per second from a list and collects what the detector reports.
function feed(detector: AnomalyDetector, values: number[], make = cpu, startMs = 0) {
  const opened = [];
  const closed = [];
  for (const [i, value] of values.entries()) {
    const result = detector.evaluate(make(startMs + i * 1000, value));
    opened.push(...result.opened);
    closed.push(...result.closed);
  }
  return { opened, closed };
}

describe('AnomalyDetector threshold rules', () => {
  it('opens one episode only after the condition held for `for`, with the values that triggered it', () => {
    const detector = new AnomalyDetector([cpuCritical], { newId });
    // 20 s over, a dip, then 40 s over.
    const values = [...Array(20).fill(95), 50, ...Array(40).fill(96)];
    const { opened } = feed(detector, values);
    expect(opened).toHaveLength(1);
    const episode = opened[0];
    // The second run started at 21 s and had held 30 s at 51 s.
    expect(episode).toMatchObject({ rule: 'cpu-critical', metric: 'cpu_busy_percent', category: 'cpu', severity: 'critical', startMs: 21_000, endMs: null, reference: 90, message: 'CPU busy 96 % > 90 % for 30 s' });
    expect(episode?.triggerValues).toHaveLength(20);
    expect(episode?.triggerValues.at(-1)).toEqual({ timeMs: 51_000, value: 96 });
    expect(detector.openEpisodes).toEqual([episode]);
  });

  it('tracks the peak and closes only below threshold minus hysteresis: one episode, not one per sample', () => {
    const detector = new AnomalyDetector([{ ...cpuCritical, forMs: 0 }], { newId });
    const { opened, closed } = feed(detector, [95, 99, 92, 88, 86, 93, 84, 97]);
    // 88 and 86 are under 90 but not under 85: still the same episode; 84 closes it; 97 opens a new one.
    expect(opened.map((e) => e.startMs)).toEqual([0, 7000]);
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({ startMs: 0, endMs: 6000, peakValue: 99, peakMs: 1000, lastValue: 84, endReason: 'recovered' });
  });

  it('waits clear_for before closing', () => {
    const detector = new AnomalyDetector([{ ...cpuCritical, forMs: 0, clearForMs: 3000 }], { newId });
    const { closed } = feed(detector, [95, 50, 50, 95, 50, 50, 50, 50]);
    expect(closed.map((e) => e.endMs)).toEqual([7000]);
  });

  it('keeps one episode per entity, and ends it when the entity goes away', () => {
    const rule: Rule = { ...base, type: 'threshold', name: 'disk-critical', metric: 'disk_used_percent', comparison: '>', threshold: 90, severity: 'critical' };
    const detector = new AnomalyDetector([rule], { newId });
    const first = detector.evaluate(disks(0, { '/': 95, '/data': 50, '/mnt/usb': 99 }));
    expect(first.opened.map((e) => [e.entity, e.message])).toEqual([['/', 'disk used on / 95 % > 90 %'], ['/mnt/usb', 'disk used on /mnt/usb 99 % > 90 %']]);
    const second = detector.evaluate(disks(1000, { '/': 96, '/data': 50 }));
    expect(second.closed).toMatchObject([{ entity: '/mnt/usb', endMs: 1000, endReason: 'vanished' }]);
    expect(second.open.map((e) => e.entity)).toEqual(['/']);
  });

  it('changes nothing when the section is missing (collector failed), and handles "<" rules', () => {
    const rule: Rule = { ...base, type: 'threshold', name: 'low-available', metric: 'memory_available_bytes', comparison: '<', threshold: 1000, hysteresis: 100, severity: 'warning' };
    const detector = new AnomalyDetector([rule, { ...cpuCritical, forMs: 0 }], { newId });
    const memory = (atMs: number, availableBytes: number): MetricsSnapshot => ({
      timestamp: '', timestampMs: atMs, intervalSeconds: 1,
      memory: { totalBytes: 4000, availableBytes, usedBytes: 0, usedPercent: 0, freeBytes: 0, buffersBytes: 0, cachedBytes: 0, sharedBytes: 0, swapTotalBytes: 0, swapUsedBytes: 0, swapFreeBytes: 0, swapUsedPercent: 0, zram: [] },
    });
    expect(detector.evaluate(cpu(0, 95)).opened).toHaveLength(1);
    expect(detector.evaluate(memory(1000, 900)).opened.map((e) => e.rule)).toEqual(['low-available']);
    // No cpu section at 1 s: the cpu episode stays open.
    expect(detector.openEpisodes.map((e) => e.rule).sort()).toEqual(['cpu-critical', 'low-available']);
    detector.evaluate(memory(2000, 800));
    const { closed } = detector.evaluate(memory(3000, 1050));
    expect(closed).toEqual([]);
    expect(detector.evaluate(memory(4000, 1100)).closed).toMatchObject([{ rule: 'low-available', peakValue: 800 }]);
  });
});

describe('AnomalyDetector spike rules', () => {
  const spike: Rule = { ...base, type: 'spike', name: 'cpu-spike', metric: 'cpu_busy_percent', increase: 40, windowMs: 10_000, severity: 'warning', hysteresis: 0 };

  it('opens when the value jumps more than `increase` above the previous window, and closes as the window catches up', () => {
    const detector = new AnomalyDetector([spike], { newId });
    // 20 s at 10 %, then 60 % from 20 s on.
    const { opened, closed } = feed(detector, [...Array(20).fill(10), ...Array(20).fill(60)]);
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ startMs: 20_000, reference: 10, severity: 'warning', message: 'CPU busy rose to 60 % from 10 % (+50 % in 10 s)' });
    // The mean of the previous 10 s passes 20 % (rise under 40) once 2 samples of 60 are in: at 22 s.
    expect(closed.map((e) => e.endMs)).toEqual([22_000]);
  });

  it('does not fire on a slow climb of the same size', () => {
    const detector = new AnomalyDetector([spike], { newId });
    const climb = Array.from({ length: 60 }, (_, i) => 10 + i);
    expect(feed(detector, climb).opened).toEqual([]);
  });

  it('needs a previous window: the first sample never opens a spike', () => {
    const detector = new AnomalyDetector([spike], { newId });
    expect(detector.evaluate(cpu(0, 100)).opened).toEqual([]);
  });
});
