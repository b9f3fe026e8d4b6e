// Benchmark of the tracer (npm run bench -- trace [--execs N] [--opens N] [--dd-syscalls N]
// [--reps N] [--idle-seconds N] [--sections capture,overhead,loss,idle]): exec capture against /proc polling, per-syscall cost of open and
// io tracing, loss under a stalled reader and how fast it is reported, idle CPU and RSS. Root only.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { LossEvent, TraceEvent } from '../src/trace/events.ts';
import type { ProbeSelection } from '../src/trace/program.ts';
import { Tracer, type TracerOptions } from '../src/trace/tracer.ts';
import { bpftraceSupport } from '../test/helpers/bpftrace.ts';
import { median, processCpuSeconds, processRssBytes } from './lib/stats.ts';

const HOSTGUARD = fileURLToPath(new URL('../bin/hostguard.js', import.meta.url));

const { values } = parseArgs({
  options: {
    execs: { type: 'string', default: '5000' },
    opens: { type: 'string', default: '200000' },
    'dd-syscalls': { type: 'string', default: '2000000' },
    reps: { type: 'string', default: '3' },
    'idle-seconds': { type: 'string', default: '60' },
    sections: { type: 'string', default: 'capture,overhead,loss,idle' },
  },
});
const EXECS = Number(values.execs);
const OPENS = Number(values.opens);
const DD_SYSCALLS = Number(values['dd-syscalls']);
const REPS = Number(values.reps);
const IDLE_SECONDS = Number(values['idle-seconds']);
const NONE: ProbeSelection = { opens: false, io: false, ioFiles: false };
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

// CPU seconds (user + system) of a command, from GNU time.
function cpuSeconds(command: string[]): number {
  const run = spawnSync('/usr/bin/time', ['-f', '%U %S', ...command], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  const [user = 'NaN', system = 'NaN'] = run.stderr.trim().split('\n').at(-1)?.split(' ') ?? [];
  return Number(user) + Number(system);
}

const OPEN_LOOP = ['/usr/bin/perl', '-e', `for (1..${OPENS}) { open(my $f, '<', '/etc/hostname') or die; close($f) }`];
const DD = ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=1', `count=${DD_SYSCALLS / 2}`];

function medianCpu(command: string[]): number {
  return median(Array.from({ length: REPS }, () => cpuSeconds(command)));
}

async function overhead(): Promise<void> {
  log(`\n## cost per traced syscall (CPU time of the traced command, median of ${REPS})`);
  const baseOpen = medianCpu(OPEN_LOOP);
  const baseDd = medianCpu(DD);
  log(`untraced: ${OPENS} opens ${baseOpen.toFixed(2)} s, dd of ${DD_SYSCALLS} syscalls ${baseDd.toFixed(2)} s`);
  const configs: Array<[string, ProbeSelection]> = [
    ['exec/exit only', NONE],
    ['opens', { opens: true, io: false, ioFiles: false }],
    ['io per process', { opens: false, io: true, ioFiles: false }],
    ['opens + io per file', { opens: true, io: true, ioFiles: true }],
  ];
  for (const [name, probes] of configs) {
    const { tracer: t } = await tracer({ mode: 'ebpf', probes });
    const open = medianCpu(OPEN_LOOP);
    const dd = medianCpu(DD);
    await t.stop();
    const perOpen = ((open - baseOpen) / OPENS) * 1e6;
    const perSyscall = ((dd - baseDd) / DD_SYSCALLS) * 1e6;
    log(`${name.padEnd(20)} open loop ${open.toFixed(2)} s (+${perOpen.toFixed(2)} us per open), dd ${dd.toFixed(2)} s (+${perSyscall.toFixed(2)} us per read/write)`);
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

log(`# hostguard trace benchmark (${new Date().toISOString()}, load ${spawnSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).stdout.trim()})`);
const sections: Record<string, () => Promise<void>> = { capture, overhead, loss, idle };
for (const name of values.sections.split(',')) {
  const section = sections[name];
  if (!section) throw new Error(`--sections: unknown section '${name}'; sections: ${Object.keys(sections).join(', ')}`);
  await section();
}
