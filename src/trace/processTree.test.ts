import { describe, expect, it } from 'vitest';
import { PIDS, PROC_ROOT } from '../../test/fixtures/fixtures.ts';
import type { ExecEvent, ExitEvent } from './events.ts';
import { ProcessTree } from './processTree.ts';

const BOOT_MS = 1_700_000_000_000;
const exec = (fields: Partial<ExecEvent> & { pid: number; timeMs: number }): ExecEvent => ({ type: 'exec', comm: 'cmd', ...fields });
const exit = (fields: Partial<ExitEvent> & { pid: number; timeMs: number }): ExitEvent => ({ type: 'exit', comm: 'cmd', ...fields });

describe('ProcessTree', () => {
  it('loads the user processes of a /proc snapshot: kernel threads and zombies left out', () => {
    const tree = new ProcessTree();
    expect(tree.loadSnapshot(PROC_ROOT, BOOT_MS)).toBe(4);
    expect(tree.liveProcesses().map((p) => p.pid).sort((a, b) => a - b)).toEqual([PIDS.init, PIDS.shell, PIDS.parenComm, PIDS.newlineComm]);
    // start time 46327 ticks after boot, at 100 ticks a second
    expect(tree.get(PIDS.parenComm)).toMatchObject({ comm: 'foo) Z (bar', ppid: PIDS.shell, startTimeMs: BOOT_MS + 463270, origin: 'snapshot' });
    expect(tree.chain(PIDS.parenComm).map((p) => p.pid)).toEqual([PIDS.parenComm, PIDS.shell, ...tree.chain(PIDS.shell).slice(1).map((p) => p.pid)]);
    // loading again adds nothing that is already there
    expect(tree.loadSnapshot(PROC_ROOT, BOOT_MS)).toBe(0);
  });

  it('replaces, on a second snapshot, a process whose pid now belongs to another', () => {
    const tree = new ProcessTree();
    tree.applyExec(exec({ pid: PIDS.parenComm, ppid: 1, timeMs: 1, startTimeMs: 1, comm: 'before' }));
    expect(tree.loadSnapshot(PROC_ROOT, BOOT_MS)).toBe(4);
    expect(tree.get(PIDS.parenComm)).toMatchObject({ comm: 'foo) Z (bar', origin: 'snapshot' });
  });

  it('keeps a process across its exec and fills in what the kernel did not know', () => {
    const tree = new ProcessTree();
    tree.loadSnapshot(PROC_ROOT, BOOT_MS);
    const enriched = tree.applyExec(exec({ pid: PIDS.parenComm, timeMs: BOOT_MS + 500_000, comm: 'ls', filename: '/bin/ls', argv: ['ls'] }));
    // forked before tracing: ppid and start time come from the snapshot
    expect(enriched).toMatchObject({ ppid: PIDS.shell, startTimeMs: BOOT_MS + 463270 });
    expect(tree.get(PIDS.parenComm)).toMatchObject({ comm: 'ls', filename: '/bin/ls', origin: 'exec' });
  });

  it('tells a reused pid apart by its start time', () => {
    const tree = new ProcessTree();
    tree.applyExec(exec({ pid: 50, ppid: 1, timeMs: 1000, startTimeMs: 990, comm: 'old' }));
    const reused = tree.applyExec(exec({ pid: 50, ppid: 7, timeMs: 5000, startTimeMs: 4990, comm: 'new' }));
    expect(reused).toMatchObject({ ppid: 7, startTimeMs: 4990 });
    // the exit of the new one is not credited with the old one's start
    const gone = tree.applyExit(exit({ pid: 50, timeMs: 6000, startTimeMs: 4990, exitCode: 0, comm: 'thread-name' }));
    expect(gone).toMatchObject({ comm: 'new', ppid: 7, lifetimeSeconds: (6000 - 4990) / 1000 });
    expect(tree.isLive(50)).toBe(false);
    expect(tree.get(50)).toMatchObject({ exitCode: 0, exitTimeMs: 6000 });
  });

  it('keeps exited processes in bounded recent lists, the short-lived (< 1 s) apart', () => {
    const tree = new ProcessTree({ recentLimit: 3 });
    for (let pid = 100; pid < 106; pid++) {
      tree.applyExec(exec({ pid, ppid: 1, timeMs: pid * 10_000, startTimeMs: pid * 10_000 }));
      tree.applyExit(exit({ pid, timeMs: pid * 10_000 + (pid % 2 === 0 ? 200 : 5000), exitCode: 0 }));
    }
    expect(tree.size).toBe(0);
    expect(tree.recentExits().map((p) => p.pid)).toEqual([103, 104, 105]);
    expect(tree.recentShortLived().map((p) => [p.pid, p.lifetimeSeconds])).toEqual([[100, 0.2], [102, 0.2], [104, 0.2]]);
    expect(tree.get(100)).toBeUndefined();
  });

  it('records a process seen only at its exit (forked, never exec-ed)', () => {
    const tree = new ProcessTree();
    tree.applyExec(exec({ pid: 10, ppid: 1, timeMs: 0, comm: 'sh' }));
    tree.applyExit(exit({ pid: 11, ppid: 10, timeMs: 50, startTimeMs: 20, signal: 'SIGKILL', comm: 'sh' }));
    expect(tree.get(11)).toMatchObject({ origin: 'exit', signal: 'SIGKILL', lifetimeSeconds: 0.03 });
    expect(tree.chain(11).map((p) => p.pid)).toEqual([11, 10]);
    expect(tree.children(10)).toEqual([]);
  });

  it('forgets processes /proc no longer has (after a time without events)', () => {
    const tree = new ProcessTree();
    tree.loadSnapshot(PROC_ROOT, BOOT_MS);
    tree.applyExec(exec({ pid: 99999, timeMs: 1 }));
    expect(tree.forgetVanished(PROC_ROOT)).toBe(1);
    expect(tree.isLive(99999)).toBe(false);
    expect(tree.size).toBe(4);
  });
});
