// Signalling real child processes: only the process that was chosen, never a reused pid.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readPidStat } from '../sys/readProc.ts';
import { type KillFunction, isSameLiveProcess, signalVictim } from './signal.ts';
import type { Candidate } from './victim.ts';

const children: ChildProcess[] = [];

function sleeper(): ChildProcess {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  children.push(child);
  return child;
}

function candidateOf(pid: number): Candidate {
  const stat = readPidStat(pid);
  if (!stat) throw new Error(`no stat for ${pid}`);
  return { pid, startTimeTicks: stat.startTimeTicks, comm: stat.comm, uid: 0, pgid: stat.pgid, state: stat.state, kernelThread: false, oomScore: 0, oomScoreAdj: 0, rssBytes: 0 };
}

function recordingKill(): { kill: KillFunction; calls: Array<[number, string]> } {
  const calls: Array<[number, string]> = [];
  return { calls, kill: (pid, signal) => {
    calls.push([pid, signal]);
    process.kill(pid, signal);
  } };
}

async function waitExit(child: ChildProcess): Promise<string | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.signalCode;
  return new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
}

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

describe('signalVictim', () => {
  it('signals the chosen process', async () => {
    const child = sleeper();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const { kill, calls } = recordingKill();
    const outcome = signalVictim(candidateOf(child.pid!), 'SIGTERM', { procRoot: '/proc', kill, processGroup: false, ownPgid: process.pid });
    expect(outcome).toEqual({ result: 'sent', targets: [child.pid] });
    expect(calls).toEqual([[child.pid, 'SIGTERM']]);
    expect(await waitExit(child)).toBe('SIGTERM');
  });

  it('never signals a pid whose start time changed (reused pid)', async () => {
    const child = sleeper();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const chosen = candidateOf(child.pid!);
    // The process we chose is gone and its pid now belongs to another with a later start time.
    const reused = { ...chosen, startTimeTicks: chosen.startTimeTicks - 1 };
    const { kill, calls } = recordingKill();
    expect(signalVictim(reused, 'SIGKILL', { procRoot: '/proc', kill, processGroup: false, ownPgid: process.pid })).toEqual({ result: 'gone' });
    expect(calls).toEqual([]);
    expect(isSameLiveProcess(chosen, '/proc')).toBe(true);
  });

  it('reports a process that exited, and a zombie, as gone', async () => {
    const child = sleeper();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const chosen = candidateOf(child.pid!);
    child.kill('SIGKILL');
    await waitExit(child);
    const { kill, calls } = recordingKill();
    expect(signalVictim(chosen, 'SIGTERM', { procRoot: '/proc', kill, processGroup: false, ownPgid: process.pid })).toEqual({ result: 'gone' });
    expect(calls).toEqual([]);
  });

  it('with -g signals the process group, but never its own group', async () => {
    const leader = spawn('sh', ['-c', 'sleep 30 & sleep 30 & wait'], { stdio: 'ignore', detached: true });
    children.push(leader);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const { kill, calls } = recordingKill();
    const victim = candidateOf(leader.pid!);
    expect(victim.pgid).toBe(leader.pid);
    expect(signalVictim(victim, 'SIGTERM', { procRoot: '/proc', kill, processGroup: true, ownPgid: process.pid })).toEqual({ result: 'sent', targets: [-leader.pid!] });
    expect(calls).toEqual([[-leader.pid!, 'SIGTERM']]);
    expect(await waitExit(leader)).toBe('SIGTERM');

    const sameGroup = sleeper();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const own = candidateOf(sameGroup.pid!);
    const recorder = recordingKill();
    const ownPgid = readPidStat(process.pid)!.pgid;
    signalVictim({ ...own, pgid: ownPgid }, 'SIGTERM', { procRoot: '/proc', kill: recorder.kill, processGroup: true, ownPgid });
    expect(recorder.calls).toEqual([[sameGroup.pid, 'SIGTERM']]);
  });

  it('reports a failed kill with the reason', async () => {
    const child = sleeper();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const deny: KillFunction = () => {
      throw Object.assign(new Error('Operation not permitted'), { code: 'EPERM' });
    };
    const outcome = signalVictim(candidateOf(child.pid!), 'SIGTERM', { procRoot: '/proc', kill: deny, processGroup: false, ownPgid: process.pid });
    expect(outcome).toEqual({ result: 'failed', error: `kill(${child.pid}, SIGTERM) failed: EPERM` });
  });
});

describe('isSameLiveProcess on a zombie', () => {
  it('counts a zombie leader as alive while its other threads still exit', () => {
    const root = mkdtempSync(join(tmpdir(), 'hg-zombie-'));
    try {
      mkdirSync(join(root, '777'));
      const stat = (threads: number) => `777 (hog) Z 1 777 777 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 ${threads} 0 5555 0 0 0\n`;
      const victim = { pid: 777, startTimeTicks: 5555, comm: 'hog', uid: 0, pgid: 777, state: 'R', kernelThread: false, oomScore: 0, oomScoreAdj: 0, rssBytes: 0 };
      writeFileSync(join(root, '777', 'stat'), stat(2));
      expect(isSameLiveProcess(victim, root)).toBe(true);
      writeFileSync(join(root, '777', 'stat'), stat(1));
      expect(isSameLiveProcess(victim, root)).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
