import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { processCollector, topBy } from './processes.ts';
import { environmentFor } from './snapshotter.ts';
import type { ProcessMetrics } from './types.ts';

const fixtures = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));
const dirs: string[] = [];
const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function setup(): { proc: string; collect: (ms: number) => ProcessMetrics } {
  const root = mkdtempSync(join(tmpdir(), 'hostguard-proc-'));
  dirs.push(root);
  cpSync(join(fixtures, 'collect-proc'), join(root, 'proc'), { recursive: true });
  cpSync(join(fixtures, 'collect-etc'), join(root, 'etc'), { recursive: true });
  const env = { ...environmentFor({ procRoot: join(root, 'proc'), etcRoot: join(root, 'etc') }), topProcesses: 5 };
  const collector = processCollector.create(env);
  closers.push(() => collector.close());
  return { proc: join(root, 'proc'), collect: (ms) => collector.collect({ monotonicMs: ms, wallMs: ms }) };
}

// Rewrites fields of a fixture stat line (numbered as in proc(5)).
function editStat(proc: string, pid: number, fields: Record<number, string | number>): void {
  const path = join(proc, String(pid), 'stat');
  const text = readFileSync(path, 'utf8');
  const close = text.lastIndexOf(')');
  const rest = text.slice(close + 2).trim().split(' ');
  for (const [field, value] of Object.entries(fields)) rest[Number(field) - 3] = String(value);
  writeFileSync(path, `${text.slice(0, close + 2)}${rest.join(' ')}\n`);
}

describe('process collector on the fixture tree', () => {
  it('counts processes and states, and describes each row from stat, status, cmdline, io, oom files and passwd', () => {
    const { collect } = setup();
    const first = collect(0);
    expect(first).toMatchObject({ total: 3, kernelThreads: 1, running: 1, sleeping: 2, threads: 5 });
    const sleep = first.topByMemory.find((p) => p.pid === 12502);
    expect(sleep).toMatchObject({ ppid: 12486, name: 'sleep', cmdline: 'sleep 600', uid: 0, user: 'root', state: 'S', threads: 1, rssBytes: 414 * 4096, oomScore: 666, oomScoreAdj: 0, cgroup: '/hostguard-fixture', kernelThread: false });
    expect(sleep?.startTimeSeconds).toBeCloseTo(1795420289 + 677.53, 0);
    expect(sleep?.cpuPercent).toBeUndefined();
    // The hostile comm "foo) Z " is kept whole; uid 4242 is not in passwd, so the user is the uid.
    expect(first.topByMemory[0]).toMatchObject({ pid: 4242, name: 'foo) Z ', cmdline: 'foo) Z  --flag with space', user: '4242', threads: 3, rssBytes: 25600 * 4096 });
  });

  it('derives CPU % from the stat delta (100 = one CPU) and I/O rates from io; no io file means no I/O fields', () => {
    const { proc, collect } = setup();
    collect(0);
    editStat(proc, 12502, { 14: 40, 15: 10 });
    const io = readFileSync(join(proc, '12502', 'io'), 'utf8').replace(/^read_bytes: \d+$/m, 'read_bytes: 2097152');
    writeFileSync(join(proc, '12502', 'io'), io);
    const second = collect(2000);
    expect(second.topByCpu.map((p) => [p.pid, p.cpuPercent])).toEqual([[12502, 25]]);
    expect(second.topByIo[0]).toMatchObject({ pid: 12502, readBytesPerSecond: 1048576, writtenBytesPerSecond: 0 });
    const hostile = second.topByMemory.find((p) => p.pid === 4242);
    expect(hostile?.cpuPercent).toBe(0);
    expect(hostile).not.toHaveProperty('readBytesPerSecond');
    expect(hostile).not.toHaveProperty('writtenBytesPerSecond');
  });

  it('treats a new start time on the same pid as a new process, and re-reads cmdline after exec', () => {
    const { proc, collect } = setup();
    collect(0);
    editStat(proc, 12502, { 14: 500, 22: 99999 });
    writeFileSync(join(proc, '12502', 'cmdline'), 'reborn\0');
    editStat(proc, 4242, { 14: 300 });
    const stat = readFileSync(join(proc, '4242', 'stat'), 'utf8').replace('(foo) Z )', '(bar)');
    writeFileSync(join(proc, '4242', 'stat'), stat);
    writeFileSync(join(proc, '4242', 'cmdline'), 'bar\0--new\0');
    const second = collect(1000);
    const reborn = second.topByMemory.find((p) => p.pid === 12502);
    expect(reborn).toMatchObject({ cmdline: 'reborn' });
    // A new process has no CPU % yet, whatever its utime.
    expect(reborn?.cpuPercent).toBeUndefined();
    expect(second.topByCpu.map((p) => [p.pid, p.name, p.cmdline, p.cpuPercent])).toEqual([[4242, 'bar', 'bar --new', 50]]);
  });

  it('drops a process whose directory vanished', () => {
    const { proc, collect } = setup();
    collect(0);
    rmSync(join(proc, '4242'), { recursive: true });
    const second = collect(1000);
    expect(second.total).toBe(2);
    expect(second.topByMemory.map((p) => p.pid)).not.toContain(4242);
  });
});

describe('process collector on the real /proc', () => {
  it('re-reads oom_score_adj of a row it keeps showing (held descriptors see the new value)', async () => {
    const child = spawn('sleep', ['600'], { stdio: 'ignore' });
    closers.push(() => child.kill('SIGKILL'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Every process is a row, so the child is shown every tick.
    const collector = processCollector.create({ ...environmentFor({}), topProcesses: 100_000 });
    closers.push(() => collector.close());
    const adj = (ms: number): number | undefined => collector.collect({ monotonicMs: ms, wallMs: ms }).topByMemory.find((p) => p.pid === child.pid)?.oomScoreAdj;
    expect(adj(0)).toBe(0);
    writeFileSync(`/proc/${child.pid}/oom_score_adj`, '500');
    // The sleeping child did not run: its OOM figures are re-read within 10 ticks.
    const seen: Array<number | undefined> = [];
    for (let i = 1; i <= 10; i++) seen.push(adj(i * 1000));
    expect(seen.at(-1)).toBe(500);
  });
});

describe('topBy', () => {
  it('equals sorting by key (descending, ties by pid) and taking the first N positive ones', () => {
    const rows = fc.array(fc.record({ pid: fc.nat(50), value: fc.option(fc.integer({ min: -5, max: 20 })) }), { maxLength: 60 });
    fc.assert(
      fc.property(rows, fc.integer({ min: 1, max: 10 }), (entries, count) => {
        const key = (e: { value: number | null }): number | undefined => e.value ?? undefined;
        const expected = entries.filter((e) => (e.value ?? 0) > 0).sort((a, b) => (b.value ?? 0) - (a.value ?? 0) || a.pid - b.pid).slice(0, count);
        expect(topBy(entries, count, key).map((e) => [e.value, e.pid])).toEqual(expected.map((e) => [e.value, e.pid]));
      }),
    );
  });
});
