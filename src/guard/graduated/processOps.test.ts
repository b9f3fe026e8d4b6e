// Signalling and renicing real child processes of this test, and the start-time check that keeps
// a reused pid from being touched.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readPidStat } from '../../sys/readProc.ts';
import { type ProcessOps, currentStat, listTasks, realProcessOps, renice, restoreNice, runState, signalProcess } from './processOps.ts';
import { lowerOne } from './target.ts';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) {
    child.kill('SIGCONT');
    child.kill('SIGKILL');
  }
});

function child(args: string[] = ['-e', 'setTimeout(() => {}, 30000)']): { pid: number; startTimeTicks: number } {
  const c = spawn(process.execPath, args, { stdio: 'ignore' });
  children.push(c);
  const pid = c.pid ?? 0;
  const stat = readPidStat(pid);
  if (!stat) throw new Error('child vanished');
  return { pid, startTimeTicks: stat.startTimeTicks };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
}

describe('process operations', () => {
  it('stops and continues the same process, and reports its run state', async () => {
    const id = child();
    const ops = realProcessOps('/proc');
    expect(signalProcess(id, 'SIGSTOP', ops)).toEqual({ result: 'ok' });
    await until(() => runState(id, '/proc') === true);
    expect(readPidStat(id.pid)?.state).toBe('T');
    expect(signalProcess(id, 'SIGCONT', ops)).toEqual({ result: 'ok' });
    await until(() => runState(id, '/proc') === false);
    expect(runState(id, '/proc')).toBe(false);
  });

  it('never signals a pid whose start time is not the one recorded (a reused pid)', () => {
    const id = child();
    const sent: string[] = [];
    const ops: ProcessOps = { ...realProcessOps('/proc'), kill: (pid, signal) => void sent.push(`${pid} ${signal}`) };
    expect(signalProcess({ pid: id.pid, startTimeTicks: id.startTimeTicks + 1 }, 'SIGSTOP', ops)).toEqual({ result: 'gone' });
    expect(currentStat({ pid: id.pid, startTimeTicks: id.startTimeTicks + 1 }, '/proc')).toBeUndefined();
    expect(sent).toEqual([]);
  });

  it('treats a process that is exiting (PF_EXITING, still R while it frees its memory) as gone', () => {
    const id = child();
    const text = readFileSync(`/proc/${id.pid}/stat`, 'utf8');
    // Fields after the comm: state is the first, flags the seventh.
    const close = text.lastIndexOf(')');
    const fields = text.slice(close + 2).trim().split(' ');
    const root = mkdtempSync(join(tmpdir(), 'hg-exiting-'));
    try {
      mkdirSync(join(root, String(id.pid)));
      const write = (flags: number): void => {
        fields[0] = 'R';
        fields[6] = String(flags);
        writeFileSync(join(root, String(id.pid), 'stat'), `${text.slice(0, close + 2)}${fields.join(' ')}\n`);
      };
      const sent: string[] = [];
      const ops: ProcessOps = { ...realProcessOps(root), kill: (pid, signal) => void sent.push(`${pid} ${signal}`) };
      write(0x400000);
      expect(signalProcess(id, 'SIGCONT', ops)).toEqual({ result: 'ok' });
      write(0x400004);
      expect(currentStat(id, root)).toBeUndefined();
      expect(signalProcess(id, 'SIGCONT', ops)).toEqual({ result: 'gone' });
      expect(sent).toEqual([`${id.pid} SIGCONT`]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('renices every thread and puts each back, and never raises a priority', async () => {
    const id = child();
    const ops = realProcessOps('/proc');
    // Node starts its worker threads a moment after exec.
    await until(() => listTasks(id.pid, '/proc').length > 4);
    const tids = listTasks(id.pid, '/proc');
    expect(tids.length).toBeGreaterThan(1);
    const { outcome, before } = renice(id, 10, ops);
    expect(outcome).toEqual({ result: 'ok' });
    expect(before.map(([tid]) => tid).sort()).toEqual([...tids].sort());
    expect(tids.map((tid) => getPriority(tid))).toEqual(tids.map(() => 10));
    // Already at 10: lowering to 5 would raise its priority, so nothing changes.
    expect(lowerOne(id, 5, ops)).toEqual({ outcome: { result: 'ok' } });
    expect(restoreNice(id, before, ops)).toEqual({ result: 'ok' });
    expect(tids.map((tid) => getPriority(tid))).toEqual(tids.map(() => 0));
  });
});
