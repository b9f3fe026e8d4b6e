// The /proc fallback: the same interface fed by sampling, labelled as such with the reason, seeing
// processes that live longer than the interval, their I/O, and OOM kills in a memory cgroup.
import { type ChildProcess, spawn } from 'node:child_process';
import { basename } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../src/trace/events.ts';
import { Tracer, type TracerOptions } from '../../src/trace/tracer.ts';
import { TestCgroup, exited, memoryCgroupSupport } from '../helpers/cgroup.ts';
import { eventsOf, until } from '../helpers/bpftrace.ts';
import { HOG } from '../helpers/guardProcess.ts';

const MiB = 1024 * 1024;
const cgroupSupport = memoryCgroupSupport();
if (!cgroupSupport.ok) console.warn(`skipping the sampled OOM test: ${cgroupSupport.reason}`);

const of = eventsOf;

describe('sampled tracing (/proc fallback)', () => {
  let tracer: Tracer | undefined;
  const children: ChildProcess[] = [];

  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await tracer?.stop();
    tracer = undefined;
  });

  async function start(options: Partial<TracerOptions>): Promise<TraceEvent[]> {
    const events: TraceEvent[] = [];
    tracer = new Tracer({ probes: { opens: false, io: true, ioFiles: false }, sampleIntervalMs: 200, ...options });
    tracer.subscribe((event) => events.push(event));
    await tracer.start();
    return events;
  }

  it('labels itself with the reason, once, and reports processes, their exits and their writes as sampled', async () => {
    const events = await start({ mode: 'sampled', probes: { opens: true, io: true, ioFiles: false } });
    expect(tracer?.mode).toBe('sampled');
    const statuses = of(events, 'status');
    expect(statuses.map((s) => s.message)).toEqual([
      'starting',
      'eBPF unavailable: sampling was asked for; sampling /proc every 0.2 s, short-lived processes will be missed; opens cannot be sampled',
    ]);
    expect(tracer?.stats()).toMatchObject({ mode: 'sampled', state: 'live', reason: 'sampling was asked for' });
    // A shell writing a line every 50 ms, for a few intervals.
    const writer = spawn('/bin/sh', ['-c', 'i=0; while [ $i -lt 30 ]; do echo written-by-hostguard-test; sleep 0.05; i=$((i+1)); done > /dev/null']);
    children.push(writer);
    await until(() => of(events, 'exec').some((e) => e.pid === writer.pid), 5000, 'the sampled exec of the writer');
    expect(of(events, 'exec').find((e) => e.pid === writer.pid)).toMatchObject({ sampled: true, comm: 'sh', ppid: process.pid, argv: ['/bin/sh', '-c', expect.stringContaining('written-by')] });
    await exited(writer);
    await until(() => of(events, 'exit').some((e) => e.pid === writer.pid), 5000, 'the sampled exit of the writer');
    const exit = of(events, 'exit').find((e) => e.pid === writer.pid);
    expect(exit).toMatchObject({ sampled: true, comm: 'sh' });
    // exit code and signal are not in /proc once the process is gone
    expect(exit?.exitCode).toBeUndefined();
    expect(exit?.lifetimeSeconds).toBeGreaterThan(1);
    const written = of(events, 'io').flatMap((e) => e.processes).filter((p) => p.pid === writer.pid).reduce((sum, p) => sum + p.writtenBytes, 0);
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThanOrEqual(30 * 'written-by-hostguard-test\n'.length);
    expect(of(events, 'io').every((e) => e.sampled === true)).toBe(true);
  });

  it('falls back when bpftrace is not there, and says so', async () => {
    const events = await start({ bpftracePath: '/nonexistent/bpftrace' });
    expect(of(events, 'status').at(-1)?.message).toBe('eBPF unavailable: bpftrace not found at /nonexistent/bpftrace; sampling /proc every 0.2 s, short-lived processes will be missed');
  });

  it('refuses to fall back when eBPF was required', async () => {
    tracer = new Tracer({ probes: { opens: false, io: false, ioFiles: false }, mode: 'ebpf', bpftracePath: '/bin/false' });
    await expect(tracer.start()).rejects.toThrow('eBPF tracing failed: /bin/false exited with code 1');
  });

  it.skipIf(!cgroupSupport.ok)('counts an OOM kill in a memory cgroup from its counters', async () => {
    const events = await start({ mode: 'sampled', probes: { opens: false, io: false, ioFiles: false } });
    const cgroup = TestCgroup.create('hostguard-trace-sampled-oom', 64 * MiB);
    try {
      const hog = cgroup.spawnInside(process.execPath, [HOG, '--total-mib', '512']);
      expect((await exited(hog)).signal).toBe('SIGKILL');
      await until(() => of(events, 'oom-count').some((e) => e.cgroup === `/${basename(cgroup.dir)}`), 5000, 'the sampled OOM count');
      expect(of(events, 'oom-count').find((e) => e.cgroup === `/${basename(cgroup.dir)}`)).toMatchObject({ kills: 1, sampled: true });
    } finally {
      await cgroup.destroy();
    }
  });
});
