import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { scanPidStat } from '../sys/scanPidStat.ts';
import { ProcessTable } from './processTable.ts';

// Real processes on the real /proc: python3 is single-threaded, so the schedstat gate applies to it.
const children: ChildProcess[] = [];
const tables: ProcessTable[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const table of tables.splice(0)) table.close();
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function python(code: string): ChildProcess {
  const child = spawn('python3', ['-c', code], { stdio: 'ignore' });
  children.push(child);
  return child;
}

// Waits until the process sleeps with its CPU time still for 300 ms (python starts slowly on a busy host).
async function asleep(pid: number | undefined): Promise<void> {
  let last = -1;
  for (let i = 0; i < 100; i++) {
    const parsed = scanPidStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    const ticks = parsed.ok && parsed.value.state === 'S' ? parsed.value.utimeTicks + parsed.value.stimeTicks : -2;
    if (ticks >= 0 && ticks === last) return;
    last = ticks;
    await sleep(300);
  }
  throw new Error(`process ${pid} did not go to sleep`);
}

function entry(table: ProcessTable, pid: number | undefined): { cpuPercent?: number; stat: { state: string } } | undefined {
  return [...table.processes].find((p) => p.pid === pid);
}

describe('ProcessTable on the real /proc', () => {
  it('defers an idle single-threaded process and reports 0 % CPU for it without reading its stat', async () => {
    const sleeper = python('import time; time.sleep(600)');
    await asleep(sleeper.pid);
    const table = new ProcessTable('/proc', 100);
    tables.push(table);
    let deferredSeen = false;
    for (let i = 0; i < 12; i++) {
      table.scan(performance.now());
      deferredSeen ||= table.lastScan.deferred > 0;
      await sleep(50);
    }
    expect(deferredSeen).toBe(true);
    expect(entry(table, sleeper.pid)).toMatchObject({ cpuPercent: 0, stat: { state: 'S' } });
    // Far fewer stat files read than processes exist once idle ones are deferred.
    const total = [...table.processes].length;
    expect(table.lastScan.statReads).toBeLessThan(total);
  });

  it('notices a deferred process that starts to spin in the scan where its CPU time shows (host CPU no checked process explains)', async () => {
    const spinner = spawn('python3', ['-c', 'import sys, time\ntime.sleep(3)\nsys.stdout.write("go\\n")\nsys.stdout.flush()\nwhile True: pass'], { stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(spinner);
    let spinning = false;
    spinner.stdout?.on('data', () => (spinning = true));
    const table = new ProcessTable('/proc', 100);
    tables.push(table);
    // Ground truth read apart from the table: the spinner's utime + stime.
    const truth = (): number => {
      const parsed = scanPidStat(readFileSync(`/proc/${spinner.pid}/stat`, 'utf8'));
      return parsed.ok ? parsed.value.utimeTicks + parsed.value.stimeTicks : 0;
    };
    const scans: Array<{ spinning: boolean; truth: number; ours?: number; deferredTicks: number }> = [];
    for (let i = 0; i < 45 && !(scans.length > 0 && (scans.at(-1)?.ours ?? 0) > 0 && spinning); i++) {
      table.scan(performance.now());
      const tracked = [...table.processes].find((p) => p.pid === spinner.pid);
      scans.push({ spinning, truth: truth(), ...(tracked?.cpuPercent === undefined ? {} : { ours: tracked.cpuPercent }), deferredTicks: (tracked?.nextCheckTick ?? 0) - table.currentTick });
      await sleep(200);
    }
    // Before it woke it was deferred for more than one tick at a time.
    expect(scans.some((s) => !s.spinning && s.deferredTicks > 1)).toBe(true);
    const goAt = scans.findIndex((s) => s.spinning);
    expect(goAt).toBeGreaterThan(0);
    const baseline = scans[goAt]?.truth ?? 0;
    // The first scan by which it had used 50 ms of CPU since it woke; detection there or one later
    // (without the check of unexplained CPU, up to 8 ticks later).
    const used = scans.findIndex((s, i) => i >= goAt && s.truth - baseline >= 5);
    const detected = scans.findIndex((s, i) => i >= goAt && (s.ours ?? 0) > 0);
    expect(detected).toBeGreaterThanOrEqual(goAt);
    // (The loop stops at detection: if that came before 50 ms of CPU, `used` was never reached.)
    expect(detected).toBeLessThanOrEqual((used < 0 ? scans.length - 1 : used) + 1);
  });

  it('reads no status, cmdline or cgroup while scanning: those wait until a process is shown', async () => {
    const sleeper = python('import time; time.sleep(600)');
    await sleep(300);
    const table = new ProcessTable('/proc', 100);
    tables.push(table);
    table.scan(performance.now());
    const tracked = [...table.processes].find((p) => p.pid === sleeper.pid);
    expect(tracked).toMatchObject({ detailsRead: false, cmdline: '' });
    expect(tracked?.uid).toBeUndefined();
  });

  it('drops a process as soon as it exits, and sees a new one', async () => {
    const sleeper = python('import time; time.sleep(600)');
    await sleep(300);
    const table = new ProcessTable('/proc', 100);
    tables.push(table);
    for (let i = 0; i < 6; i++) {
      table.scan(performance.now());
      await sleep(50);
    }
    expect(entry(table, sleeper.pid)).toBeDefined();
    sleeper.kill('SIGKILL');
    await new Promise((resolve) => sleeper.once('exit', resolve));
    const newcomer = python('import time; time.sleep(600)');
    await sleep(200);
    table.scan(performance.now());
    expect(entry(table, sleeper.pid)).toBeUndefined();
    expect(entry(table, newcomer.pid)).toBeDefined();
  });
});
