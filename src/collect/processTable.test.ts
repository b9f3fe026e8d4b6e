import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
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

function entry(table: ProcessTable, pid: number | undefined): { cpuPercent?: number; stat: { state: string } } | undefined {
  return [...table.processes].find((p) => p.pid === pid);
}

describe('ProcessTable on the real /proc', () => {
  it('defers an idle single-threaded process and reports 0 % CPU for it without reading its stat', async () => {
    const sleeper = python('import time; time.sleep(600)');
    await sleep(300);
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

  it('notices at once when a deferred process starts to spin (CPU the host reports but no checked process explains)', async () => {
    const spinner = python('import time\ntime.sleep(1.5)\nwhile True: pass');
    const table = new ProcessTable('/proc', 100);
    tables.push(table);
    const started = performance.now();
    let detectedAfterMs: number | undefined;
    while (performance.now() - started < 4000 && detectedAfterMs === undefined) {
      table.scan(performance.now());
      if ((entry(table, spinner.pid)?.cpuPercent ?? 0) > 30) detectedAfterMs = performance.now() - started;
      await sleep(100);
    }
    expect(detectedAfterMs).toBeDefined();
    // It spins from 1.5 s on; a deferred process would otherwise wait up to 8 ticks (0.8 s).
    expect(detectedAfterMs).toBeLessThan(2300);
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
