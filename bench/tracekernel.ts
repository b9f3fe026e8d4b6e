// Benchmark of the tracer's BPF programs by tracepoint (npm run bench -- tracekernel [--configs
// opens,io,files] [--opens N] [--dd-syscalls N] [--reps N]): for each probe selection, the run time
// of the programs on each tracepoint, per run and per syscall of the open loop and of dd, from the
// kernel's BPF run-time statistics. Unlike the CPU time a loop gains (bench trace), these figures
// hardly move with load from other processes; they leave out the tracepoint dispatch itself (see the
// floor configuration of bench trace). Root, bpftool (to name each program's tracepoint) and python3.
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { Tracer } from '../src/trace/tracer.ts';
import { bpftraceSupport } from '../test/helpers/bpftrace.ts';
import { findExecutable } from '../src/trace/executable.ts';
import { median } from './lib/stats.ts';
import { CONFIGS, CONFIG_NAMES, type Workload, cpuTimes, enableBpfStats, loadavg, workloads } from './lib/traceRuns.ts';

const { values } = parseArgs({
  options: {
    configs: { type: 'string', default: 'opens,io,files' },
    opens: { type: 'string', default: '200000' },
    'dd-syscalls': { type: 'string', default: '2000000' },
    reps: { type: 'string', default: '3' },
  },
});
const WORKLOADS = workloads(Number(values.opens), Number(values['dd-syscalls']));
const REPS = Number(values.reps);

const support = bpftraceSupport();
const missing = !support.ok ? support.reason : !findExecutable('bpftool') ? 'bpftool is not installed (apt-get install bpftool)' : undefined;
if (missing !== undefined) {
  process.stderr.write(`bench tracekernel: ${missing}\n`);
  process.exit(1);
}

interface Totals {
  ns: number;
  runs: number;
}

// Run time and count of every BPF program on the machine, by program id (zero while statistics are off).
function programTotals(): Map<number, Totals> {
  const programs = JSON.parse(execFileSync('bpftool', ['prog', 'show', '--json'], { encoding: 'utf8' })) as Array<{ id: number; run_time_ns?: number; run_cnt?: number }>;
  return new Map(programs.map((p) => [p.id, { ns: p.run_time_ns ?? 0, runs: p.run_cnt ?? 0 }]));
}

// The tracepoint (or other event) each program of a process is attached to, by program id.
function attachments(pid: number): Map<number, string> {
  const links = JSON.parse(execFileSync('bpftool', ['perf', 'show', '--json'], { encoding: 'utf8' })) as Array<{ pid: number; prog_id: number; fd_type: string; tracepoint?: string }>;
  return new Map(links.filter((l) => l.pid === pid).map((l) => [l.prog_id, l.tracepoint ?? l.fd_type]));
}

// Per tracepoint: nanoseconds per run and runs per syscall of one loop.
type Breakdown = Map<string, { nsPerRun: number; runsPerSyscall: number }>;

function measure(w: Workload, attached: Map<number, string>): Breakdown {
  const before = programTotals();
  cpuTimes(w.command);
  const after = programTotals();
  const byEvent = new Map<string, Totals>();
  for (const [id, event] of attached) {
    const a = after.get(id);
    const b = before.get(id);
    if (!a || !b) continue;
    const sum = byEvent.get(event) ?? { ns: 0, runs: 0 };
    sum.ns += a.ns - b.ns;
    sum.runs += a.runs - b.runs;
    byEvent.set(event, sum);
  }
  return new Map([...byEvent].filter(([, t]) => t.runs > 0).map(([event, t]) => [event, { nsPerRun: t.ns / t.runs, runsPerSyscall: t.runs / w.syscalls }]));
}

function report(w: Workload, reps: Breakdown[]): string {
  const events = new Set(reps.flatMap((r) => [...r.keys()]));
  const rows = [...events].map((event) => {
    const nsPerRun = median(reps.map((r) => r.get(event)?.nsPerRun ?? 0));
    const runs = median(reps.map((r) => r.get(event)?.runsPerSyscall ?? 0));
    return { event, nsPerRun, runs, perSyscall: nsPerRun * runs };
  });
  // what runs less than once per 5 syscalls of the loop is other activity (heartbeats, ticks, other
  // processes' signals; the programs see the whole machine)
  const own = rows.filter((r) => r.runs >= 0.2).sort((a, b) => b.perSyscall - a.perSyscall);
  const total = own.reduce((sum, r) => sum + r.perSyscall, 0);
  const detail = own.map((r) => `${r.event} ${r.nsPerRun.toFixed(0)} ns per run x ${r.runs.toFixed(2)}`).join(', ');
  return `  ${w.name.padEnd(9)} ${total.toFixed(0)} ns of BPF per ${w.unit}: ${detail || 'no program ran'}`;
}

async function config(key: string): Promise<void> {
  const probes = CONFIGS[key];
  if (!probes) throw new Error(`--configs: unknown configuration '${key}'; configurations: ${Object.keys(CONFIGS).join(', ')}`);
  const results = WORKLOADS.map(() => [] as Breakdown[]);
  const loads: string[] = [];
  for (let rep = 0; rep < REPS; rep++) {
    const tracer = new Tracer({ mode: 'ebpf', probes });
    await tracer.start();
    const disableStats = await enableBpfStats();
    try {
      const pid = tracer.stats().bpftracePid;
      if (pid === undefined || !disableStats) throw new Error('no bpftrace pid, or the BPF run-time statistics could not be turned on (python3 on x86-64 needed)');
      const attached = attachments(pid);
      WORKLOADS.forEach((w, i) => results[i]?.push(measure(w, attached)));
    } finally {
      disableStats?.();
      await tracer.stop();
    }
    loads.push(loadavg().split(' ')[0] ?? '');
  }
  process.stdout.write(`${CONFIG_NAMES[key] ?? key} (${REPS} runs, median; load ${loads.join(', ')})\n`);
  WORKLOADS.forEach((w, i) => process.stdout.write(`${report(w, results[i] ?? [])}\n`));
}

process.stdout.write(`# BPF run time of the tracer's programs by tracepoint (${new Date().toISOString()}, load ${loadavg()})\n`);
for (const key of values.configs.split(',')) await config(key);
