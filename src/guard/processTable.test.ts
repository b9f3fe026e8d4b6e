// The warm candidate table over real child processes.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessTable } from './processTable.ts';

const children: ChildProcess[] = [];

function start(script: string): ChildProcess {
  const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
  children.push(child);
  return child;
}

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

// Waits until the process's resident memory reaches `mib` (its handlers ran), at most 20 s.
async function untilRss(pid: number, mib: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const residentPages = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
    if (residentPages * 4096 >= mib * 1048576) return;
    if (Date.now() > deadline) throw new Error(`pid ${pid} never reached ${mib} MiB resident`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const holdBytes = (mib: number) => `globalThis.held = Buffer.alloc(${mib} * 1048576, 1); setTimeout(() => {}, 30000)`;

describe('ProcessTable', () => {
  it('selects the largest of the listed processes and follows them as they come and go', async () => {
    const small = start(holdBytes(10));
    const large = start(holdBytes(400));
    await new Promise((resolve) => setTimeout(resolve, 700));
    let listed = [small.pid!, large.pid!];
    const table = new ProcessTable({ procRoot: '/proc', policy: { sortByRss: true, ignoreRootUser: false, selfPid: process.pid }, listPids: () => listed });
    table.sync(true);
    expect(table.size).toBe(2);
    expect(table.select()?.pid).toBe(large.pid);

    large.kill('SIGKILL');
    await new Promise((resolve) => large.once('exit', resolve));
    // Still listed (as a racing /proc listing could), but its open files now fail: it drops out.
    expect(table.select()?.pid).toBe(small.pid);
    listed = [small.pid!];
    table.sync(true);
    expect(table.size).toBe(1);
    table.close();
    expect(table.size).toBe(0);
  });

  it('skips pids that vanish or never existed without throwing', () => {
    const table = new ProcessTable({ procRoot: '/proc', policy: { sortByRss: false, ignoreRootUser: false, selfPid: process.pid }, listPids: () => [2 ** 22 + 17] });
    expect(() => table.sync(true)).not.toThrow();
    expect(table.select()).toBeUndefined();
  });

  it('sees a process that grew since the last full rescore', async () => {
    // The grower allocates when told (SIGUSR2), after the full rescore: no timing guesses.
    const grower = start("process.on('SIGUSR2', () => { globalThis.held = Buffer.alloc(600 * 1048576, 1) }); setTimeout(() => {}, 30000)");
    const steady = start(holdBytes(200));
    await untilRss(steady.pid!, 200);
    await untilRss(grower.pid!, 20);
    const table = new ProcessTable({ procRoot: '/proc', policy: { sortByRss: true, ignoreRootUser: false, selfPid: process.pid }, listPids: () => [grower.pid!, steady.pid!], recheckCount: 2 });
    table.sync(true);
    expect(table.select()?.pid).toBe(steady.pid);
    grower.kill('SIGUSR2');
    await untilRss(grower.pid!, 600);
    expect(table.select()?.pid).toBe(grower.pid);
    table.close();
  });
});
