// Reads a live v1 memory cgroup this test creates (256 MiB cap, two sleeps of its own) and removes.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCgroupMemory, readCgroupPids } from '../../src/sys/readCgroup.ts';
import { readPidStat } from '../../src/sys/readProc.ts';

const V1_ROOT = '/sys/fs/cgroup/memory';
const cgroupDir = join(V1_ROOT, `hostguard-test-${process.pid}`);
const childDir = join(cgroupDir, 'child');
const limitBytes = 256 * 1024 * 1024;
const usable = existsSync(join(V1_ROOT, 'memory.limit_in_bytes')) && process.getuid?.() === 0;

// A sleep that joins the cgroup before exec, so the pages it maps are charged there.
async function sleepIn(dir: string): Promise<ChildProcess & { pid: number }> {
  const child = spawn('sh', ['-c', `echo $$ > '${dir}/cgroup.procs' && exec sleep 60`], { stdio: 'ignore' });
  const pid = child.pid;
  if (pid === undefined) throw new Error('sh did not start');
  for (let i = 0; i < 200 && readPidStat(pid)?.comm !== 'sleep'; i++) await sleep(10);
  return Object.assign(child, { pid });
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe.skipIf(!usable)('readers on a live v1 memory cgroup', () => {
  let parent: (ChildProcess & { pid: number }) | undefined;
  let nested: (ChildProcess & { pid: number }) | undefined;

  beforeAll(async () => {
    mkdirSync(cgroupDir);
    mkdirSync(childDir);
    writeFileSync(join(cgroupDir, 'memory.limit_in_bytes'), String(limitBytes));
    parent = await sleepIn(cgroupDir);
    nested = await sleepIn(childDir);
  });

  afterAll(async () => {
    await stop(parent);
    await stop(nested);
    if (existsSync(childDir)) rmdirSync(childDir);
    if (existsSync(cgroupDir)) rmdirSync(cgroupDir);
  });

  it('reads the limit, a charged usage, and no OOM kills', () => {
    const result = readCgroupMemory(cgroupDir);
    expect(result).toMatchObject({ ok: true, value: { version: 1, limitBytes, oomKills: 0 } });
    if (!result.ok) return;
    expect(result.value.usageBytes).toBeGreaterThan(0);
    expect(result.value.workingSetBytes).toBeLessThanOrEqual(result.value.usageBytes);
    expect(readCgroupMemory(childDir)).toMatchObject({ ok: true, value: { version: 1, limitBytes: undefined } });
  });

  it('lists both members, then only the one left after the nested one exits', async () => {
    expect(readCgroupPids(cgroupDir).toSorted((a, b) => a - b)).toEqual([parent?.pid ?? 0, nested?.pid ?? 0].toSorted((a, b) => a - b));
    await stop(nested);
    expect(readCgroupPids(cgroupDir)).toEqual([parent?.pid]);
  });
});
