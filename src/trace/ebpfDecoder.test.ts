import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EbpfDecoder } from './ebpfDecoder.ts';
import type { ExecEvent, ExitEvent, IoEvent, LossEvent, OpensEvent, TraceEvent } from './events.ts';
import { parseBpftraceLine } from './parseBpftrace.ts';

function replay(name: string, epochMaps: string[], chunkLines = 7): { events: TraceEvent[]; decoder: EbpfDecoder } {
  const lines = readFileSync(new URL(`../../test/fixtures/trace/${name}`, import.meta.url), 'utf8').split('\n').filter(Boolean);
  const decoder = new EbpfDecoder({ epochOffsetMs: 1_700_000_000_000, cpuCount: 2, keysMax: 16384, epochMaps, names: { comm: () => undefined, fdPath: () => undefined } });
  const events: TraceEvent[] = [];
  // Released as the stream is read, a few lines at a time, as the supervisor's chunks do.
  lines.forEach((line, i) => {
    const parsed = parseBpftraceLine(line);
    if (parsed.ok) decoder.push(parsed.value);
    if (i % chunkLines === chunkLines - 1) events.push(...decoder.release());
  });
  events.push(...decoder.drain());
  return { events, decoder };
}

const of = <T extends TraceEvent['type']>(events: TraceEvent[], type: T): Array<Extract<TraceEvent, { type: T }>> =>
  events.filter((e): e is Extract<TraceEvent, { type: T }> => e.type === type);

describe('EbpfDecoder on the captured lifecycle and file run', () => {
  const { events } = replay('bpftrace-files.jsonl', ['@opens', '@fname', '@fread', '@fwrite']);
  const execs = of(events, 'exec');
  const exits = of(events, 'exit');

  it('delivers events in kernel time order, each exec before its exit', () => {
    const times = events.filter((e) => e.type !== 'status').map((e) => e.timeMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    for (const exec of execs) {
      const exit = exits.find((e) => e.pid === exec.pid);
      if (exit) expect(events.indexOf(exit)).toBeGreaterThan(events.indexOf(exec));
    }
  });

  it('joins argv to its exec and converts times', () => {
    const echo = execs.find((e) => e.filename === '/bin/echo') as ExecEvent;
    expect(echo).toMatchObject({ comm: 'echo', argv: ['/bin/echo', 'hg-capture', 'tab\there', 'back\\x41slash'], argvTruncated: true, uid: 0 });
    expect(echo.ppid).toBeGreaterThan(0);
    expect(echo.startTimeMs).toBeLessThanOrEqual(echo.timeMs);
    expect(echo.timeMs).toBeGreaterThan(1_700_000_000_000);
  });

  it('reads exit codes, signal names and lifetimes', () => {
    expect(exits.find((e) => e.comm === 'sh' && e.exitCode === 3)).toBeDefined();
    const sleeps = exits.filter((e) => e.comm === 'sleep');
    expect(sleeps.map((e) => e.signal ?? e.exitCode).sort()).toEqual([0, 'SIGTERM']);
    const killed = sleeps.find((e) => e.signal === 'SIGTERM') as ExitEvent;
    // killed 0.3 s after it started (it would have slept 5 s)
    expect(killed.lifetimeSeconds).toBeGreaterThan(0.2);
    expect(killed.lifetimeSeconds).toBeLessThan(2);
    expect(exits.find((e) => e.comm === 'perl')).toMatchObject({ signal: 'SIGKILL' });
  });

  it('reports the OOM victim in bytes', () => {
    const [oom, ...others] = of(events, 'oom');
    expect(others).toEqual([]);
    expect(oom).toMatchObject({ comm: 'perl', oomScoreAdj: 0 });
    expect(oom?.anonRssBytes).toBeGreaterThan(60 * 1024 * 1024);
    expect(oom?.pid).toBe(exits.find((e) => e.comm === 'perl')?.pid);
  });

  it("credits dd's 1 MiB to the file it wrote, by the name learnt at its open, and counts the failed open", () => {
    const io = of(events, 'io') as IoEvent[];
    const files = io.flatMap((e) => e.files ?? []);
    const odd = files.filter((f) => f.path?.endsWith('/a,b "quoted"'));
    expect(odd.map((f) => [f.writtenBytes, f.readBytes]).sort()).toEqual([[0, 1048576], [1048576, 0]]);
    const dd = execs.find((e) => e.comm === 'dd');
    expect(io.flatMap((e) => e.processes).find((p) => p.pid === dd?.pid)?.writtenBytes).toBeGreaterThanOrEqual(1048576);
    const opens = of(events, 'opens') as OpensEvent[];
    const missing = opens.flatMap((e) => e.rows).find((r) => r.path.endsWith('/missing'));
    expect(missing).toMatchObject({ count: 1, errors: 1, errnos: { ENOENT: 1 } });
    expect(opens.every((e) => e.incomplete === undefined)).toBe(true);
  });

  it('closes each interval at its tick, the intervals adjoining, the last one at the END tick', () => {
    const io = of(events, 'io');
    expect(io.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < io.length; i++) expect(io[i]?.startMs).toBe(io[i - 1]?.timeMs);
    expect(of(events, 'loss')).toEqual([]);
  });
});

describe('EbpfDecoder on the captured stalled reader', () => {
  const { events, decoder } = replay('bpftrace-stalled.jsonl', ['@read', '@write'], 50);
  const losses = of(events, 'loss') as LossEvent[];
  const lostBy = (record: string): number => losses.filter((l) => l.record === record).reduce((sum, l) => sum + l.count, 0);

  it("counts the lost printf records among bpftrace's dropped ones; the rest were map prints, whose intervals are marked", () => {
    const perf = lostBy('perf');
    expect(perf).toBeGreaterThan(1000);
    const bySequence = ['exec', 'argv', 'exit', 'oom', 'tick', 'hb'].reduce((sum, record) => sum + lostBy(record), 0);
    expect(bySequence).toBeGreaterThan(1000);
    // Each tick of this program prints and clears two maps: four records with no sequence number.
    expect(perf - bySequence).toBeGreaterThanOrEqual(0);
    const ticks = of(events, 'io').length + lostBy('tick');
    expect(perf - bySequence).toBeLessThanOrEqual(4 * ticks);
    const marked = of(events, 'io').filter((e) => e.incomplete?.includes('bpftrace dropped'));
    expect(marked.length).toBeGreaterThan(0);
  });

  it('accounts for every one of the 3,000 execs: received or reported lost', () => {
    const received = of(events, 'exec').filter((e) => e.filename === '/bin/true').length;
    expect(received).toBeGreaterThan(0);
    expect(received + lostBy('exec')).toBe(3000);
    const totals = decoder.losses.totals();
    expect(totals.received.exec + totals.lost.exec).toBe(totals.sent.exec);
  });

  it('says when the loss happened', () => {
    for (const loss of losses) expect(loss.fromMs).toBeLessThanOrEqual(loss.timeMs);
  });
});
