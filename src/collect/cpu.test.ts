import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cpuCollector } from './cpu.ts';
import { environmentFor } from './snapshotter.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function procTree(): string {
  const root = mkdtempSync(join(tmpdir(), 'hostguard-cpu-'));
  dirs.push(root);
  writeFileSync(join(root, 'loadavg'), '0.50 0.40 0.30 2/100 999\n');
  return root;
}

// user nice system idle iowait irq softirq steal, per line, in ticks of 1/100 s
function writeStat(root: string, lines: Record<string, number[]>, ctxt: number): void {
  const body = Object.entries(lines).map(([name, ticks]) => `${name} ${ticks.join(' ')} 0 0`).join('\n');
  writeFileSync(join(root, 'stat'), `${body}\nctxt ${ctxt}\nbtime 1700000000\nprocesses 500\nprocs_running 3\nprocs_blocked 1\n`);
}

describe('cpu collector', () => {
  it('computes busy % and the split from deltas, total and per core', () => {
    const root = procTree();
    const collector = cpuCollector.create({ ...environmentFor({ procRoot: root }), clockTicksPerSecond: 100 });
    writeStat(root, { cpu: [100, 0, 100, 1000, 0, 0, 0, 0], cpu0: [50, 0, 50, 500, 0, 0, 0, 0], cpu1: [50, 0, 50, 500, 0, 0, 0, 0] }, 1000);
    const first = collector.collect({ monotonicMs: 0, wallMs: 0 });
    expect(first.busyPercent).toBeUndefined();
    expect(first).toMatchObject({ logicalCpus: 2, load1: 0.5, runningTasks: 3, blockedTasks: 1, contextSwitchesTotal: 1000 });
    // Over 1 s: cpu0 fully busy in user, cpu1 half idle half iowait; 10 ticks of steal on cpu1 replace idle.
    writeStat(root, { cpu: [200, 0, 100, 1045, 45, 0, 0, 10], cpu0: [150, 0, 50, 500, 0, 0, 0, 0], cpu1: [50, 0, 50, 545, 45, 0, 0, 10] }, 3000);
    const second = collector.collect({ monotonicMs: 1000, wallMs: 1000 });
    expect(second).toMatchObject({ busyPercent: 55, userPercent: 50, stealPercent: 5, iowaitPercent: 22.5, idlePercent: 22.5, systemPercent: 0, contextSwitchesPerSecond: 2000 });
    expect(second.perCore).toEqual([{ cpu: 0, busyPercent: 100 }, { cpu: 1, busyPercent: 10 }]);
  });

  it('never reports a negative share when a counter steps back (iowait on NO_HZ), and follows CPU hot-unplug', () => {
    const root = procTree();
    const collector = cpuCollector.create({ ...environmentFor({ procRoot: root }), clockTicksPerSecond: 100 });
    writeStat(root, { cpu: [100, 0, 0, 100, 50, 0, 0, 0], cpu0: [50, 0, 0, 50, 25, 0, 0, 0], cpu1: [50, 0, 0, 50, 25, 0, 0, 0] }, 1);
    collector.collect({ monotonicMs: 0, wallMs: 0 });
    writeStat(root, { cpu: [150, 0, 0, 150, 40, 0, 0, 0], cpu0: [100, 0, 0, 100, 15, 0, 0, 0] }, 2);
    const second = collector.collect({ monotonicMs: 1000, wallMs: 1000 });
    expect(second.iowaitPercent).toBe(0);
    expect(second.busyPercent).toBe(50);
    expect(second.perCore).toEqual([{ cpu: 0, busyPercent: 50 }]);
    expect(second.logicalCpus).toBe(1);
  });
});
