// Benchmark of the tracer (npm run bench -- trace [--sections capture,overhead,loss,idle,storm]
// [--execs N] [--opens N] [--dd-syscalls N] [--reps N] [--configs floor,none,opens,io,files; also floor-files]
// [--idle-seconds N] [--storm-processes N] [--storm-shells N]): exec capture against /proc polling,
// per-syscall cost of open and io tracing, loss under a stalled reader and how fast it is reported,
// idle CPU and RSS, a fork storm through the event intake's per-minute cap. Root only.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { eventsSchema } from '../src/config/events.ts';
import { traceOutcome } from '../src/events/fromTrace.ts';
import { EventIntake } from '../src/events/intake.ts';
import { SqliteStore } from '../src/store/sqlite/sqliteStore.ts';
import type { LossEvent, TraceEvent } from '../src/trace/events.ts';
import { Tracer, type TracerOptions } from '../src/trace/tracer.ts';
import { bpftraceSupport } from '../test/helpers/bpftrace.ts';
import { median, processCpuSeconds, processRssBytes } from './lib/stats.ts';
import { CONFIGS, CONFIG_NAMES, NONE, type Workload, cpuTimes, enableBpfStats, loadavg, workloads } from './lib/traceRuns.ts';

const HOSTGUARD = fileURLToPath(new URL('../bin/hostguard.js', import.meta.url));

const { values } = parseArgs({
  options: {
    execs: { type: 'string', default: '5000' },
    opens: { type: 'string', default: '200000' },
    'dd-syscalls': { type: 'string', default: '2000000' },
    reps: { type: 'string', default: '3' },
    'idle-seconds': { type: 'string', default: '60' },
    sections: { type: 'string', default: 'capture,overhead,loss,idle,storm' },
    configs: { type: 'string', default: 'floor,none,opens,io,files' },
    'storm-processes': { type: 'string', default: '20000' },
    'storm-shells': { type: 'string', default: '4' },
  },
});
const EXECS = Number(values.execs);
const OPENS = Number(values.opens);
const DD_SYSCALLS = Number(values['dd-syscalls']);
const REPS = Number(values.reps);
const IDLE_SECONDS = Number(values['idle-seconds']);
const STORM_PROCESSES = Number(values['storm-processes']);
const STORM_SHELLS = Number(values['storm-shells']);
const WORKLOADS = workloads(OPENS, DD_SYSCALLS);
const GROUP = `/sys/fs/cgroup/unified/hostguard-bench-trace-${process.pid}`;

const support = bpftraceSupport();
if (!support.ok) {
  process.stderr.write(`bench trace: ${support.reason}\n`);
  process.exit(1);
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function tracer(options: Partial<TracerOptions>): Promise<{ tracer: Tracer; events: TraceEvent[] }> {
  const events: TraceEvent[] = [];
  const t = new Tracer({ probes: NONE, ...options });
  t.subscribe((event) => events.push(event));
  await t.start();
  return { tracer: t, events };
}

// Runs `count` short-lived /bin/true from `shells` shells side by side; returns their pids.
async function storm(count: number, shells: number): Promise<Set<number>> {
  const each = Math.ceil(count / shells);
  const outputs = await Promise.all(
    Array.from({ length: shells }, () => {
      const child = spawn('/bin/sh', ['-c', `i=0; while [ $i -lt ${each} ]; do /bin/true & echo $!; wait $!; i=$((i+1)); done`], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      return new Promise<string>((resolve) => child.once('close', () => resolve(out)));
    }),
  );
  return new Set(outputs.join('').trim().split('\n').map(Number));
}

function captured(events: TraceEvent[], pids: Set<number>): number {
  const seen = new Set(events.filter((e) => e.type === 'exec' && pids.has(e.pid) && e.comm === 'true').map((e) => (e.type === 'exec' ? e.pid : 0)));
  return (100 * seen.size) / pids.size;
}

async function capture(): Promise<void> {
  log(`## capture of ${EXECS} short-lived execs (eBPF vs /proc polling, same run)`);
  const ebpf = await tracer({ mode: 'ebpf' });
  const poll100 = await tracer({ mode: 'sampled', sampleIntervalMs: 100 });
  const poll1000 = await tracer({ mode: 'sampled', sampleIntervalMs: 1000 });
  for (const shells of [1, 8]) {
    const marks = [ebpf, poll100, poll1000].map((t) => t.events.length);
    const startMs = Date.now();
    const pids = await storm(EXECS, shells);
    const seconds = (Date.now() - startMs) / 1000;
    await sleep(3000);
    const since = (t: { events: TraceEvent[] }, i: number): TraceEvent[] => t.events.slice(marks[i]);
    const exits = since(ebpf, 0).filter((e) => e.type === 'exit' && pids.has(e.pid)).length;
    const lost = since(ebpf, 0).filter((e): e is LossEvent => e.type === 'loss').reduce((sum, e) => sum + e.count, 0);
    log(`${shells === 1 ? 'serial' : `${shells} in parallel`}: ${pids.size} execs in ${seconds.toFixed(1)} s (${Math.round(pids.size / seconds)}/s)`);
    log(`  eBPF        ${captured(since(ebpf, 0), pids).toFixed(2)} % of execs, ${((100 * exits) / pids.size).toFixed(2)} % of exits, ${lost} records reported lost`);
    log(`  poll 100 ms ${captured(since(poll100, 1), pids).toFixed(2)} % of execs`);
    log(`  poll 1 s    ${captured(since(poll1000, 2), pids).toFixed(2)} % of execs`);
  }
  await Promise.all([ebpf, poll100, poll1000].map((t) => t.tracer.stop()));
}

// Run time and run count of every BPF program of a process (fdinfo shows them while stats are on).
function bpfRunTotals(pid: number): { ns: number; runs: number } {
  let ns = 0;
  let runs = 0;
  for (const fd of readdirSync(`/proc/${pid}/fdinfo`)) {
    const text = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
    ns += Number(/^run_time_ns:\s+(\d+)/m.exec(text)?.[1] ?? 0);
    runs += Number(/^run_cnt:\s+(\d+)/m.exec(text)?.[1] ?? 0);
  }
  return { ns, runs };
}

const otherBpftraces = (own: number | undefined): number =>
  readdirSync('/proc').filter((entry) => /^\d+$/.test(entry) && Number(entry) !== own && (() => { try { return readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'bpftrace'; } catch { return false; } })()).length;
const us = (values: number[]): string => values.map((v) => v.toFixed(2)).join(' ');

// What a traced run runs: the tracer with a probe selection, or (floor) bpftrace with empty programs
// on the syscalls the loops make: the kernel's tracepoint dispatch alone, which no program can save.
// floor-files adds the close entry that io per file also traces (the open loop closes each file).
const emptyPrograms = (tracepoints: string[]): string => `${tracepoints.map((name) => `tracepoint:syscalls:${name} { }`).join('\n')}
BEGIN { printf("ready\\n"); }`;
const bothEnds = (syscalls: string[]): string[] => syscalls.flatMap((name) => [`sys_enter_${name}`, `sys_exit_${name}`]);
const FLOORS: Record<string, { program: string; name: string }> = {
  floor: { program: emptyPrograms(bothEnds(['openat', 'read', 'write'])), name: 'floor: empty programs on openat, read, write' },
  'floor-files': { program: emptyPrograms([...bothEnds(['openat', 'read', 'write']), 'sys_enter_close']), name: 'floor-files: empty programs on openat, read, write and the entry of close' },
};

async function startTraced(key: string): Promise<{ pid: number | undefined; stop: () => Promise<void> }> {
  const floor = FLOORS[key];
  if (floor) {
    const child = spawn('bpftrace', ['-e', floor.program], { stdio: ['ignore', 'pipe', 'ignore'] });
    const closed = new Promise((resolve) => child.once('close', resolve));
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('ready')) resolve();
      });
      child.once('exit', () => reject(new Error('bpftrace (floor program) exited before it was ready')));
    });
    return { pid: child.pid, stop: async () => void (child.kill('SIGINT'), await closed) };
  }
  const probes = CONFIGS[key];
  if (!probes) throw new Error(`--configs: unknown configuration '${key}'; configurations: ${[...Object.keys(FLOORS), ...Object.keys(CONFIGS)].join(', ')}`);
  const { tracer: t } = await tracer({ mode: 'ebpf', probes });
  return { pid: t.stats().bpftracePid, stop: () => t.stop() };
}

// The BPF programs' own run time per syscall of a loop, in one more traced run with run-time stats on
// (they cost a little themselves, so the CPU figures come from runs without them).
async function kernelNsPerSyscall(pid: number | undefined, w: Workload): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  const disableStats = await enableBpfStats();
  if (!disableStats) return undefined;
  try {
    const before = bpfRunTotals(pid);
    cpuTimes(w.command);
    return (bpfRunTotals(pid).ns - before.ns) / w.syscalls;
  } finally {
    disableStats();
  }
}

// Untraced and traced runs alternate (REPS pairs per configuration, a fresh bpftrace for each traced
// run): load from other processes shifts both runs of a pair alike. The figure is the kernel CPU
// time the loop gained, per syscall; user time does not change with tracing, and sys time is
// disturbed less by a busy machine than wall time. In-kernel: what the BPF programs themselves ran
// (BPF_ENABLE_STATS), per syscall of the loop (other processes' traced syscalls included).
async function overhead(): Promise<void> {
  log(`\n## cost per traced syscall: ${REPS} alternating pairs (untraced run, traced run) per configuration`);
  for (const key of values.configs.split(',')) {
    const added = WORKLOADS.map(() => ({ system: [] as number[], total: [] as number[], kernelNs: [] as number[] }));
    const loads: string[] = [];
    let others = 0;
    for (let rep = 0; rep < REPS; rep++) {
      const off = WORKLOADS.map((w) => cpuTimes(w.command));
      const traced = await startTraced(key);
      others = Math.max(others, otherBpftraces(traced.pid));
      const on = WORKLOADS.map((w) => cpuTimes(w.command));
      for (const [i, w] of WORKLOADS.entries()) {
        const offTimes = off[i] ?? { user: Number.NaN, system: Number.NaN };
        const onTimes = on[i] ?? { user: Number.NaN, system: Number.NaN };
        added[i]?.system.push(((onTimes.system - offTimes.system) / w.syscalls) * 1e6);
        added[i]?.total.push(((onTimes.system + onTimes.user - offTimes.system - offTimes.user) / w.syscalls) * 1e6);
        const kernelNs = await kernelNsPerSyscall(traced.pid, w);
        if (kernelNs !== undefined) added[i]?.kernelNs.push(kernelNs);
      }
      await traced.stop();
      loads.push(loadavg().split(' ')[0] ?? '');
    }
    log(`${FLOORS[key]?.name ?? CONFIG_NAMES[key] ?? key} (load ${loads.join(', ')}; other bpftrace processes running: ${others})`);
    WORKLOADS.forEach((w, i) => {
      const a = added[i];
      if (!a) return;
      const kernel = a.kernelNs.length > 0 ? `; BPF programs ${median(a.kernelNs).toFixed(0)} ns per ${w.unit} (${a.kernelNs.map((v) => v.toFixed(0)).join(' ')})` : '; BPF run times need python3 on x86-64';
      log(`  ${w.name.padEnd(9)} +${median(a.system).toFixed(2)} us sys per ${w.unit} (pairs: ${us(a.system)}); user+sys +${median(a.total).toFixed(2)} (${us(a.total)})${kernel}`);
    });
  }
}

async function stall(pages: number, label: string): Promise<void> {
  const { tracer: t, events } = await tracer({ mode: 'ebpf', perfBufferPages: pages, cgroupV2Path: GROUP });
  t.pause();
  const startMs = Date.now();
  spawnSync('/bin/sh', ['-c', `echo $$ > ${GROUP}/cgroup.procs && i=0 && while [ $i -lt ${EXECS} ]; do /bin/true; i=$((i+1)); done`]);
  const stallSeconds = (Date.now() - startMs) / 1000;
  const resumedMs = performance.now();
  t.resume();
  const lost = (): number => events.filter((e): e is LossEvent => e.type === 'loss' && e.record === 'exec').reduce((sum, e) => sum + e.count, 0);
  const execs = (): number => events.filter((e) => e.type === 'exec').length;
  let reportedMs: number | undefined;
  for (let i = 0; i < 1000 && reportedMs === undefined; i++) {
    if (execs() + lost() >= EXECS) reportedMs = performance.now() - resumedMs;
    else await sleep(10);
  }
  await t.stop();
  const accounted = execs() + lost() === EXECS ? 'all accounted for' : `MISMATCH: ${execs()} + ${lost()} != ${EXECS}`;
  log(`${label}: ${EXECS} execs during a ${stallSeconds.toFixed(1)} s stall: ${execs()} received, ${lost()} reported lost (${accounted}), complete ${reportedMs === undefined ? 'never' : `${(reportedMs / 1000).toFixed(2)} s`} after the reader resumed; bpftrace counted ${t.stats().perfRecordsLost} dropped records`);
}

async function loss(): Promise<void> {
  log('\n## a stalled reader (execs in a cgroup v2 group the kernel filters on)');
  mkdirSync(GROUP);
  try {
    await stall(1024, '1024 pages per CPU (default)');
    await stall(8, '8 pages per CPU');
  } finally {
    rmdirSync(GROUP);
  }
}

// CPU and RSS of `hostguard trace VIEW --json` (node and its bpftrace) over IDLE_SECONDS.
async function cliCost(args: string[]): Promise<string> {
  const child = spawn(process.execPath, [HOSTGUARD, 'trace', ...args, '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  let lines = 0;
  child.stdout.on('data', (d: Buffer) => {
    const text = d.toString();
    if (out.length < 10_000) out += text;
    lines += text.split('\n').length - 1;
  });
  const bpftracePid = async (): Promise<number> => {
    for (;;) {
      const match = /bpftrace pid (\d+)/.exec(out);
      if (match) return Number(match[1]);
      if (child.exitCode !== null) throw new Error(`hostguard trace ${args.join(' ')} exited`);
      await sleep(50);
    }
  };
  const pid = await bpftracePid();
  await sleep(3000);
  const cpu = (): number => processCpuSeconds(pid) + processCpuSeconds(child.pid ?? 0);
  const before = { cpu: cpu(), lines };
  await sleep(IDLE_SECONDS * 1000);
  const used = cpu() - before.cpu;
  const rss = (processRssBytes(pid).rss + processRssBytes(child.pid ?? 0).rss) / 2 ** 20;
  const nodeRss = processRssBytes(child.pid ?? 0).rss / 2 ** 20;
  child.kill('SIGINT');
  await new Promise((resolve) => child.once('close', resolve));
  return `${((100 * used) / IDLE_SECONDS).toFixed(3)} % of a core (bpftrace + node), RSS ${rss.toFixed(0)} MiB (node ${nodeRss.toFixed(0)}), ${((lines - before.lines) / IDLE_SECONDS).toFixed(1)} events/s`;
}

async function idle(): Promise<void> {
  log(`\n## cost of a running 'hostguard trace' over ${IDLE_SECONDS} s`);
  mkdirSync(GROUP);
  try {
    // Filtered to an empty cgroup: no event is printed, what is left is the tracer's own cost.
    for (const view of [['exec'], ['open'], ['io', '--files']]) log(`idle (empty cgroup), trace ${view.join(' ').padEnd(10)} ${await cliCost([...view, '--cgroup', GROUP])}`);
  } finally {
    rmdirSync(GROUP);
  }
  // Unfiltered: what the machine's own activity costs to trace.
  log(`whole machine,        trace exec       ${await cliCost(['exec'])}`);
}

// A fork storm through the daemon's path for host events: tracer -> traceOutcome -> EventIntake
// (the per-minute cap at its default) -> a real SQLite store. Every event must be stored or counted.
async function forkStormIntake(): Promise<void> {
  const maxPerMinute = eventsSchema.parse({}).max_per_minute;
  log(`\n## fork storm: ${STORM_PROCESSES} short-lived processes from ${STORM_SHELLS} shells in a cgroup, through the intake (cap ${maxPerMinute} a minute) into SQLite`);
  mkdirSync(GROUP);
  const dir = mkdtempSync(join(tmpdir(), 'hostguard-bench-storm-'));
  const store = new SqliteStore({ path: join(dir, 'events.db'), hostId: 'bench' });
  const cpu = { intakeUs: 0, storeUs: 0, accepted: 0 };
  const intake = new EventIntake({
    host: 'bench',
    maxPerMinute,
    batchSize: 500,
    flushEveryMs: 1000,
    write: (events) => {
      const before = process.threadCpuUsage();
      void store.saveEvents(events);
      const used = process.threadCpuUsage(before);
      cpu.storeUs += used.user + used.system;
    },
    publish: () => undefined,
    nowMs: Date.now,
  });
  const { tracer: t, events } = await tracer({ mode: 'ebpf', cgroupV2Path: GROUP });
  try {
    const unsubscribe = t.subscribe((event) => {
      if (event.type === 'io' || event.type === 'opens' || event.type === 'status') return;
      const before = process.threadCpuUsage();
      intake.accept(traceOutcome(event));
      const used = process.threadCpuUsage(before);
      cpu.intakeUs += used.user + used.system;
      cpu.accepted++;
    });
    const bpftracePid = t.stats().bpftracePid ?? 0;
    const start = { ms: Date.now(), node: process.cpuUsage(), bpftrace: processCpuSeconds(bpftracePid) };
    const each = Math.ceil(STORM_PROCESSES / STORM_SHELLS);
    await Promise.all(
      Array.from({ length: STORM_SHELLS }, () => {
        const child = spawn('/bin/sh', ['-c', `echo $$ > ${GROUP}/cgroup.procs && i=0 && while [ $i -lt ${each} ]; do /bin/true; i=$((i+1)); done`], { stdio: 'ignore' });
        return new Promise((resolve) => child.once('close', resolve));
      }),
    );
    const stormSeconds = (Date.now() - start.ms) / 1000;
    const processes = each * STORM_SHELLS;
    const count = (type: string): number => events.filter((e) => e.type === type).length;
    const lost = (records: string[]): number => events.filter((e): e is LossEvent => e.type === 'loss' && records.includes(e.record)).reduce((sum, e) => sum + e.count, 0);
    // every exec and exit (the shells' too) delivered or reported lost
    const stormEndMs = Date.now();
    while (Date.now() - stormEndMs < 180_000 && count('exec') + count('exit') + lost(['exec', 'exit']) < 2 * processes + STORM_SHELLS) await sleep(50);
    const drainSeconds = (Date.now() - stormEndMs) / 1000;
    unsubscribe();
    intake.flush();
    const nodeCpu = process.cpuUsage(start.node);
    const bpftraceSeconds = processCpuSeconds(bpftracePid) - start.bpftrace;
    log(`storm: ${processes} processes in ${stormSeconds.toFixed(1)} s (${Math.round(processes / stormSeconds)}/s), all delivered or reported lost ${drainSeconds.toFixed(1)} s after it ended; load ${loadavg()}`);
    const accounted = count('exec') + count('exit') + lost(['exec', 'exit']);
    log(`tracer: ${count('exec')} exec and ${count('exit')} exit events + ${lost(['exec', 'exit'])} exec/exit records reported lost = ${accounted} of ${2 * processes + STORM_SHELLS}; ${count('loss')} loss reports in all (${lost(['exec', 'exit', 'argv', 'oom', 'tick', 'hb'])} records by sequence, ${lost(['perf'])} by bpftrace's count), ${count('gap')} gaps; bpftrace ${bpftraceSeconds.toFixed(1)} s CPU`);
    const { received, stored, dropped } = intake.counts;
    const rows = storedRows(join(dir, 'events.db'));
    const storedEvents = stored - rows.summaries;
    const exact = received === cpu.accepted && received === storedEvents + dropped && rows.droppedCounted === dropped && rows.total === stored;
    log(`intake: received ${received}, stored ${storedEvents} + ${rows.summaries} events_dropped records, counted as overflow ${dropped} (the records say ${rows.droppedCounted}); ${storedEvents} + ${dropped} = ${storedEvents + dropped} ${exact ? 'checks out exactly' : 'MISMATCH'}; rows in SQLite ${rows.total} (${Object.entries(rows.byType).map(([type, n]) => `${type} ${n}`).join(', ')})`);
    log(`CPU: intake (accept, mapping included) ${(cpu.intakeUs / 1000).toFixed(0)} ms = ${(cpu.intakeUs / Math.max(1, cpu.accepted)).toFixed(1)} us per event; store writes ${(cpu.storeUs / 1000).toFixed(0)} ms; the whole node process ${((nodeCpu.user + nodeCpu.system) / 1e6).toFixed(1)} s (tracer decoding included)`);
  } finally {
    await t.stop();
    // what stopping delivered (if the storm failed half-way) is written before the store closes
    intake.flush();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    rmdirSync(GROUP);
  }
}

// Rows of the events file by type, and the overflow its events_dropped records count.
function storedRows(path: string): { total: number; summaries: number; droppedCounted: number; byType: Record<string, number> } {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const byType = Object.fromEntries((db.prepare('SELECT type, count(*) AS n FROM event GROUP BY type').all() as Array<{ type: string; n: number }>).map((r) => [r.type, r.n]));
    const droppedCounted = (db.prepare("SELECT coalesce(sum(json_extract(body, '$.data.count')), 0) AS n FROM event WHERE type = 'events_dropped'").get() as { n: number }).n;
    const total = Object.values(byType).reduce((sum, n) => sum + n, 0);
    return { total, summaries: byType.events_dropped ?? 0, droppedCounted, byType };
  } finally {
    db.close();
  }
}

log(`# hostguard trace benchmark (${new Date().toISOString()}, load ${spawnSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).stdout.trim()})`);
const sections: Record<string, () => Promise<void>> = { capture, overhead, loss, idle, storm: forkStormIntake };
for (const name of values.sections.split(',')) {
  const section = sections[name];
  if (!section) throw new Error(`--sections: unknown section '${name}'; sections: ${Object.keys(sections).join(', ')}`);
  await section();
}
