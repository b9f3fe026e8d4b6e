// Tests of the /proc readers against the captured fake root, a damaged copy of it, and the real /proc.
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PIDS, PROC_ROOT } from '../../test/fixtures/fixtures.ts';
import { listPids, readCmdline, readMeminfo, readOomScore, readOomScoreAdj, readPidCgroup, readPidStat, readPidStatus, readPressure } from './readProc.ts';

const fixturePids = Object.values(PIDS).toSorted((a, b) => a - b);

// Every per-process reader, so a test can assert on all of them at once.
function readAll(pid: number, root?: string): unknown[] {
  return [readPidStat(pid, root), readPidStatus(pid, root), readOomScore(pid, root), readOomScoreAdj(pid, root), readCmdline(pid, root), readPidCgroup(pid, root)];
}

describe('readers on the captured proc root', () => {
  it('read meminfo and pressure', () => {
    expect(readMeminfo(PROC_ROOT)).toMatchObject({ ok: true, value: { totalBytes: 24683656 * 1024, swapTotalBytes: 0 } });
    expect(readPressure('memory', PROC_ROOT)).toMatchObject({ ok: true, value: { some: { totalMicroseconds: 28009 } } });
    expect(readPressure('io', PROC_ROOT)).toMatchObject({ ok: true, value: { full: { totalMicroseconds: 3220043 } } });
  });

  it('name the file when it is missing', () => {
    expect(readMeminfo(join(PROC_ROOT, 'absent'))).toEqual({ ok: false, error: `${join(PROC_ROOT, 'absent', 'meminfo')}: cannot be read` });
    expect(readPressure('irq', PROC_ROOT)).toEqual({ ok: false, error: `${join(PROC_ROOT, 'pressure', 'irq')}: cannot be read` });
  });

  it('list the pid directories only, skipping meminfo and pressure', () => {
    expect(listPids(PROC_ROOT).toSorted((a, b) => a - b)).toEqual(fixturePids);
  });

  it('read every file of every captured process', () => {
    for (const pid of fixturePids) {
      expect(readPidStat(pid, PROC_ROOT)?.pid, `stat of ${pid}`).toBe(pid);
      expect(readPidStatus(pid, PROC_ROOT)?.realUid, `status of ${pid}`).toBe(0);
      expect(readOomScore(pid, PROC_ROOT), `oom_score of ${pid}`).toBeTypeOf('number');
      expect(readOomScoreAdj(pid, PROC_ROOT), `oom_score_adj of ${pid}`).toBeTypeOf('number');
      expect(readCmdline(pid, PROC_ROOT), `cmdline of ${pid}`).toBeInstanceOf(Array);
      expect(readPidCgroup(pid, PROC_ROOT)?.length, `cgroup of ${pid}`).toBe(10);
    }
  });

  it('read the hostile process as the kernel wrote it', () => {
    expect(readPidStat(PIDS.newlineComm, PROC_ROOT)).toMatchObject({ comm: 'two\nlines ) R 1', state: 'S' });
    expect(readPidStatus(PIDS.newlineComm, PROC_ROOT)?.name).toBe('two\nlines ) R 1');
    expect(readOomScoreAdj(PIDS.newlineComm, PROC_ROOT)).toBe(1000);
    expect(readCmdline(PIDS.newlineComm, PROC_ROOT)?.[1]).toBe('300');
  });
});

describe('readers on a root with a vanished and a damaged process', () => {
  const VANISHED = 4242424;
  const DAMAGED = 4343434;
  let root = '';

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'hostguard-proc-'));
    cpSync(PROC_ROOT, root, { recursive: true });
    // Listed by readdir, but every file gone: what /proc shows for a process that exited mid-scan.
    mkdirSync(join(root, String(VANISHED)));
    // Hand-made: a stat cut after the state, and out-of-range or empty per-process files.
    cpSync(join(PROC_ROOT, String(PIDS.shell)), join(root, String(DAMAGED)), { recursive: true });
    writeFileSync(join(root, String(DAMAGED), 'stat'), `${DAMAGED} (bash) S`);
    writeFileSync(join(root, String(DAMAGED), 'oom_score'), '');
    writeFileSync(join(root, String(DAMAGED), 'oom_score_adj'), '-1001\n');
    writeFileSync(join(root, String(DAMAGED), 'cgroup'), '4:memory\n');
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('lists the vanished pid but every reader returns undefined for it', () => {
    expect(listPids(root)).toContain(VANISHED);
    expect(readAll(VANISHED, root)).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
  });

  it('returns undefined for each malformed file and still reads the well-formed ones', () => {
    const [stat, status, oomScore, oomScoreAdj, cmdline, cgroup] = readAll(DAMAGED, root);
    expect([stat, oomScore, oomScoreAdj, cgroup]).toEqual([undefined, undefined, undefined, undefined]);
    expect(status).toMatchObject({ name: 'bash' });
    expect(cmdline).toEqual(['bash', 'test/fixtures/capture.sh']);
  });

  it('lets a scan skip both and keep every captured process', () => {
    const seen = listPids(root).filter((pid) => readPidStat(pid, root) !== undefined);
    expect(seen.toSorted((a, b) => a - b)).toEqual(fixturePids);
  });
});

describe('readers on the real /proc', () => {
  let child: ChildProcess | undefined;

  afterEach(() => {
    if (child?.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    child = undefined;
  });

  it('read a live child, then undefined for every file once it has exited and been reaped', async () => {
    const started = spawn('sleep', ['30'], { stdio: 'ignore' });
    child = started;
    const pid = started.pid;
    if (pid === undefined) throw new Error('sleep did not start');
    await new Promise((resolve) => started.once('spawn', resolve));

    expect(readPidStat(pid)).toMatchObject({ pid, comm: 'sleep', ppid: process.pid });
    expect(readPidStatus(pid)?.realUid).toBe(process.getuid?.());
    expect(readCmdline(pid)).toEqual(['sleep', '30']);
    expect(readOomScoreAdj(pid)).toBe(Number(readFileSync('/proc/self/oom_score_adj', 'utf8')));
    expect(readPidCgroup(pid)).toEqual(readPidCgroup(process.pid));
    expect(listPids()).toContain(pid);

    const exited = new Promise((resolve) => started.once('exit', resolve));
    started.kill('SIGKILL');
    await exited; // node reaps the child (waitpid) before it emits 'exit'
    expect(readAll(pid)).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
    expect(listPids()).not.toContain(pid);
  });

  it('read this process and the host figures', () => {
    expect(readPidStatus(process.pid)?.rssBytes).toBeGreaterThan(0);
    expect(readPidStat(process.pid)).toMatchObject({ pid: process.pid, ppid: process.ppid });
    expect(readMeminfo()).toMatchObject({ ok: true });
    expect(readPressure('memory')).toMatchObject({ ok: true });
  });
});
