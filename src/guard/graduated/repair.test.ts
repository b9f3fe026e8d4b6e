// Repair from a ledger left by a dead guard, against real child processes of this test.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { getPriority, setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { readPidStat } from '../../sys/readProc.ts';
import type { GuardEvent } from '../events.ts';
import { realProcessOps } from './processOps.ts';
import { repairFromLedger } from './repair.ts';

const dir = mkdtempSync(join(tmpdir(), 'hg-repair-'));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) {
    c.kill('SIGCONT');
    c.kill('SIGKILL');
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function stoppedChild(): { pid: number; startTimeTicks: number } {
  const c = spawn('sleep', ['30'], { stdio: 'ignore' });
  children.push(c);
  const pid = c.pid ?? 0;
  const startTimeTicks = readPidStat(pid)?.startTimeTicks ?? 0;
  c.kill('SIGSTOP');
  return { pid, startTimeTicks };
}

async function state(pid: number, wanted: (s: string | undefined) => boolean): Promise<string | undefined> {
  for (let i = 0; i < 100; i++) {
    const s = readPidStat(pid)?.state;
    if (wanted(s)) return s;
    await new Promise((r) => setTimeout(r, 20));
  }
  return readPidStat(pid)?.state;
}

describe('repairFromLedger', () => {
  it('continues the processes a dead guard stopped, puts their nice back, and removes the ledger', async () => {
    const paused = stoppedChild();
    setPriority(paused.pid, 10);
    const stranger = stoppedChild();
    await state(stranger.pid, (s) => s === 'T');
    const path = join(dir, 'ledger.json');
    const entries = [
      { kind: 'process', ...paused, name: 'sleep', mayBeStopped: true, nice: [[paused.pid, 0]] },
      // Same pid, another start time: a process that merely reuses the pid stays as it is.
      { kind: 'process', pid: stranger.pid, startTimeTicks: stranger.startTimeTicks + 7, name: 'sleep', mayBeStopped: true },
    ];
    writeFileSync(path, JSON.stringify({ version: 1, guardPid: 4242, scope: 'host', entries }));
    const events: GuardEvent[] = [];
    const summary = repairFromLedger(path, realProcessOps('/proc'), (e) => events.push(e));
    expect(summary).toEqual({ resumed: 1, reniced: 1, problems: [] });
    expect(await state(paused.pid, (s) => s !== 'T')).not.toBe('T');
    expect(getPriority(paused.pid)).toBe(0);
    expect(readPidStat(stranger.pid)?.state).toBe('T');
    expect(events.map((e) => e.type)).toEqual(['resume', 'renice']);
    expect(events[0]).toMatchObject({ reason: 'ledger of guard 4242', target: { pid: paused.pid } });
    expect(existsSync(path)).toBe(false);
  });

  it('keeps a damaged ledger for a person to read and says why', () => {
    const path = join(dir, 'damaged.json');
    writeFileSync(path, '{"version":1,');
    const summary = repairFromLedger(path, realProcessOps('/proc'), () => undefined);
    expect(summary?.problems[0]).toMatch(/damaged.json: ledger: not JSON .*; left in place/);
    expect(existsSync(path)).toBe(true);
    expect(repairFromLedger(join(dir, 'absent.json'), realProcessOps('/proc'), () => undefined)).toBeUndefined();
  });
});
