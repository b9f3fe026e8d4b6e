// The eBPF tracer against real processes: a fork storm captured whole with its parents, 100 MiB
// written to a file credited to that file and process, opens of a known file counted, failed opens
// counted by errno beside the bytes of the files opened, and a kernel OOM kill in a 64 MiB cgroup
// reported with its victim. One bpftrace serves all of them.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecEvent, ExitEvent, IoEvent, OomVictimEvent, OpensEvent, TraceEvent } from '../../src/trace/events.ts';
import { Tracer } from '../../src/trace/tracer.ts';
import { TestCgroup, exited, memoryCgroupSupport } from '../helpers/cgroup.ts';
import { bpftraceSupport, eventsOf, stillRunning, until } from '../helpers/bpftrace.ts';
import { HOG } from '../helpers/guardProcess.ts';

const support = bpftraceSupport();
if (!support.ok) console.warn(`skipping eBPF tracer tests: ${support.reason}`);
const cgroupSupport = memoryCgroupSupport();
const MiB = 1024 * 1024;

const of = eventsOf;

describe.skipIf(!support.ok)('eBPF tracer (lifecycle, opens, io per file)', () => {
  let tracer: Tracer;
  const events: TraceEvent[] = [];
  const bpftracePids: number[] = [];
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hostguard-trace-'));
    tracer = new Tracer({ probes: { opens: true, io: true, ioFiles: true }, mode: 'ebpf', recentLimit: 5000 });
    tracer.subscribe((event) => events.push(event));
    await tracer.start();
    const pid = tracer.stats().bpftracePid;
    if (pid) bpftracePids.push(pid);
  }, 120_000);

  afterAll(async () => {
    await tracer?.stop();
    expect(stillRunning(bpftracePids), 'bpftrace still running after stop').toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('is live on eBPF and sees the first exec right after start (no blind window)', async () => {
    expect(tracer.mode).toBe('ebpf');
    expect(of(events, 'status').at(-1)?.message).toMatch(/^tracing with eBPF \(bpftrace pid \d+\): exec, exit, oom, open, io per file$/);
    const child = spawn('/bin/true');
    await exited(child);
    await until(() => of(events, 'exec').some((e) => e.pid === child.pid), 10_000, 'the exec of /bin/true');
    // the /proc snapshot taken at start holds this test process and its parent chain
    expect(tracer.tree.chain(process.pid)[0]).toMatchObject({ pid: process.pid, origin: 'snapshot' });
  });

  it('captures a fork storm of 2,000 short-lived processes completely, with their parent pid', async () => {
    const storm = spawn('/bin/sh', ['-c', 'i=0; while [ $i -lt 2000 ]; do /bin/true & echo $!; wait $!; i=$((i+1)); done'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    storm.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    expect((await exited(storm)).code).toBe(0);
    const pids = new Set(output.trim().split('\n').map(Number));
    expect(pids.size).toBe(2000);
    const isOurs = (e: ExecEvent | ExitEvent): boolean => pids.has(e.pid);
    await until(() => of(events, 'exit').filter(isOurs).length >= 2000, 60_000, 'the exits of the fork storm');
    const execs = of(events, 'exec').filter(isOurs);
    const exits = of(events, 'exit').filter(isOurs);
    expect(execs).toHaveLength(2000);
    expect(new Set(execs.map((e) => e.pid))).toEqual(pids);
    expect(execs.every((e) => e.ppid === storm.pid && e.filename === '/bin/true' && e.argv?.[0] === '/bin/true')).toBe(true);
    expect(exits).toHaveLength(2000);
    expect(exits.every((e) => e.exitCode === 0 && e.ppid === storm.pid && (e.lifetimeSeconds ?? 1) < 1)).toBe(true);
    // the tree has them in its bounded list of short-lived processes, none left live
    const shortLived = new Set(tracer.tree.recentShortLived().map((p) => p.pid));
    expect([...pids].every((pid) => shortLived.has(pid) && !tracer.tree.isLive(pid))).toBe(true);
    expect(of(events, 'loss')).toEqual([]);
  }, 120_000);

  it('credits exactly 100 MiB written to a temp file to that file and to the process', async () => {
    const file = join(dir, 'hundred-mib');
    const dd = spawn('dd', ['if=/dev/zero', `of=${file}`, 'bs=1M', 'count=100'], { stdio: 'ignore' });
    expect((await exited(dd)).code).toBe(0);
    expect(statSync(file).size).toBe(100 * MiB);
    await until(() => of(events, 'exit').some((e) => e.pid === dd.pid), 10_000, 'the exit of dd');
    const exitMs = of(events, 'exit').find((e) => e.pid === dd.pid)?.timeMs ?? 0;
    // the interval that holds dd's last write closes at the first tick after its exit
    await until(() => of(events, 'io').some((e) => e.timeMs > exitMs), 10_000, 'the io interval after the exit of dd');
    const io = of(events, 'io') as IoEvent[];
    const toFile = io.flatMap((e) => e.files ?? []).filter((f) => f.pid === dd.pid && f.path === file).reduce((sum, f) => sum + f.writtenBytes, 0);
    const byProcess = io.flatMap((e) => e.processes).filter((p) => p.pid === dd.pid).reduce((sum, p) => sum + p.writtenBytes, 0);
    expect(Math.abs(toFile - 100 * MiB)).toBeLessThanOrEqual(0.001 * 100 * MiB);
    expect(toFile).toBe(100 * MiB);
    // dd also writes its summary to stderr (a few dozen bytes)
    expect(byProcess - 100 * MiB).toBeGreaterThanOrEqual(0);
    expect(byProcess - 100 * MiB).toBeLessThan(1024);
    // The intervals that hold dd's writes are complete. Others may not be: this tracer sees the whole
    // machine, and other test files running beside it can fill a map past its key limit.
    const ddIntervals = io.filter((e) => e.processes.some((p) => p.pid === dd.pid));
    expect(ddIntervals.map((e) => e.incomplete).filter((reason) => reason !== undefined)).toEqual([]);
  }, 60_000);

  it('counts opens of a known file, and failed opens by errno', async () => {
    const file = join(dir, 'opened');
    closeSync(openSync(file, 'w'));
    const missing = join(dir, 'missing');
    for (let i = 0; i < 100; i++) closeSync(openSync(file, 'r'));
    for (let i = 0; i < 30; i++) expect(() => openSync(missing, 'r')).toThrow('ENOENT');
    const doneMs = Date.now();
    // an interval that starts after the opens: every interval holding them has been delivered
    await until(() => of(events, 'opens').some((e) => e.startMs > doneMs + 50), 10_000, 'the next opens interval');
    const rows = (of(events, 'opens') as OpensEvent[]).flatMap((e) => e.rows).filter((r) => r.pid === process.pid);
    const sum = (path: string, field: 'count' | 'errors'): number => rows.filter((r) => r.path === path).reduce((total, r) => total + r[field], 0);
    // plus the one open that created it
    expect(sum(file, 'count')).toBe(101);
    expect(sum(file, 'errors')).toBe(0);
    expect(sum(missing, 'count')).toBe(30);
    expect(sum(missing, 'errors')).toBe(30);
    expect(rows.find((r) => r.path === missing)?.errnos).toEqual({ ENOENT: 30 });
  }, 60_000);

  // Opens and io per file share one probe at each open's exit, which reads the name once: the same
  // name must reach both the open counts (failed opens included) and the per-file byte sums.
  it('with opens and io per file on, counts failed opens per errno and credits each opened file its bytes', async () => {
    const file = join(dir, 'both');
    const missing = join(dir, 'absent');
    const size = 3 * MiB + 123;
    const script = `const fs = require('node:fs');
      const [file, missing, dir, size] = process.argv.slice(1);
      for (let i = 0; i < 20; i++) try { fs.openSync(missing, 'r'); process.exit(3); } catch {}
      for (let i = 0; i < 5; i++) try { fs.openSync(dir, 'w'); process.exit(4); } catch {}
      const out = fs.openSync(file, 'w');
      if (fs.writeSync(out, Buffer.alloc(Number(size), 7)) !== Number(size)) process.exit(5);
      fs.closeSync(out);
      const into = Buffer.alloc(1 << 20);
      const back = fs.openSync(file, 'r');
      while (fs.readSync(back, into) > 0);
      fs.closeSync(back);`;
    const child = spawn(process.execPath, ['-e', script, file, missing, dir, String(size)], { stdio: 'ignore' });
    expect((await exited(child)).code).toBe(0);
    await until(() => of(events, 'exit').some((e) => e.pid === child.pid), 10_000, 'the exit of the child');
    const exitMs = of(events, 'exit').find((e) => e.pid === child.pid)?.timeMs ?? 0;
    await until(() => of(events, 'opens').some((e) => e.startMs > exitMs) && of(events, 'io').some((e) => e.startMs > exitMs), 10_000, 'the intervals after the exit of the child');
    const opens = (of(events, 'opens') as OpensEvent[]).flatMap((e) => e.rows).filter((r) => r.pid === child.pid);
    const openRow = (path: string) => opens.filter((r) => r.path === path).reduce((total, r) => ({ count: total.count + r.count, errors: total.errors + r.errors, errnos: { ...total.errnos, ...r.errnos } }), { count: 0, errors: 0, errnos: {} });
    expect(openRow(missing)).toEqual({ count: 20, errors: 20, errnos: { ENOENT: 20 } });
    expect(openRow(dir)).toEqual({ count: 5, errors: 5, errnos: { EISDIR: 5 } });
    expect(openRow(file)).toEqual({ count: 2, errors: 0, errnos: {} });
    const files = (of(events, 'io') as IoEvent[]).flatMap((e) => e.files ?? []).filter((f) => f.pid === child.pid && f.path === file);
    expect(files.reduce((sum, f) => sum + f.writtenBytes, 0)).toBe(size);
    expect(files.reduce((sum, f) => sum + f.readBytes, 0)).toBe(size);
    // a failed open leaves no file behind: nothing is credited to the names that failed
    expect((of(events, 'io') as IoEvent[]).flatMap((e) => e.files ?? []).filter((f) => f.pid === child.pid && (f.path === missing || f.path === dir))).toEqual([]);
  }, 60_000);

  it.skipIf(!cgroupSupport.ok)('reports a kernel OOM kill in a 64 MiB cgroup as an OOM victim event', async () => {
    const cgroup = TestCgroup.create('hostguard-trace-oom', 64 * MiB);
    try {
      const hog = cgroup.spawnInside(process.execPath, [HOG, '--total-mib', '512', '--chunk-mib', '8']);
      const result = await exited(hog);
      expect(result.signal).toBe('SIGKILL');
      expect(cgroup.oomKills()).toBeGreaterThanOrEqual(1);
      await until(() => of(events, 'exit').some((e) => e.pid === hog.pid), 10_000, 'the exit of the hog');
      const victim = of(events, 'oom').find((e) => e.pid === hog.pid) as OomVictimEvent;
      expect(victim).toMatchObject({ uid: 0, oomScoreAdj: 0 });
      // the kernel names the task it picked: Node 24 renames its main thread 'MainThread'
      expect(['node', 'MainThread']).toContain(victim.comm);
      expect(victim.anonRssBytes).toBeGreaterThan(16 * MiB);
      // anonymous memory is charged to the cgroup (file pages of the node binary may be charged elsewhere)
      expect(victim.anonRssBytes).toBeLessThanOrEqual(64 * MiB);
      expect(victim.totalVmBytes).toBeGreaterThan(victim.anonRssBytes);
      expect(of(events, 'exit').find((e) => e.pid === hog.pid)).toMatchObject({ signal: 'SIGKILL' });
    } finally {
      await cgroup.destroy();
    }
  }, 60_000);
});
