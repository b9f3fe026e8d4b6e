// Benchmark of the collectors: `npm run bench -- collect [--minutes N] [--extra 1000,100] [--samples N]`.
// With N extra sleeping processes: one full collection (median, p95), the process collector alone,
// and the CPU seconds of sampling every second for --minutes, extrapolated per hour and as % of a core,
// split by collector.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Snapshotter, type SnapshotterOptions, environmentFor } from '../src/collect/snapshotter.ts';
import { collectorNames, collectorRegistry } from '../src/collect/registry.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    extra: { type: 'string', default: '1000,100' },
    samples: { type: 'string', default: '200' },
  },
});
const minutes = Number(values.minutes);
const samples = Number(values.samples);
const extras = values.extra.split(',').map(Number);
if (!(minutes > 0) || !(samples > 0) || extras.some((n) => !Number.isInteger(n) || n < 0)) {
  process.stderr.write('bench collect: --minutes and --samples must be positive, --extra a list of process counts like 1000,100\n');
  process.exit(2);
}

const children: ChildProcess[] = [];
function killChildren(): void {
  for (const child of children.splice(0)) if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
}
process.on('exit', killChildren);
process.on('SIGINT', () => process.exit(130));
// SIGTERM too (kill, timeout): the exit handler then stops what the bench started.
process.on('SIGTERM', () => process.exit(143));

async function setExtraProcesses(count: number): Promise<void> {
  while (children.length > count) {
    const child = children.pop();
    if (child?.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  }
  while (children.length < count) children.push(spawn('sleep', ['3600'], { stdio: 'ignore' }));
  await new Promise((resolve) => setTimeout(resolve, 1000));
}

// utime + stime of this process from /proc/self/stat, in seconds (USER_HZ = 100 here).
function cpuSeconds(): number {
  const text = readFileSync('/proc/self/stat', 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// Times collect() over `samples` calls 20 ms apart (so rates have an interval), after one warm-up call.
async function timeCollections(options: SnapshotterOptions): Promise<{ median: number; p95: number }> {
  const snapshotter = new Snapshotter(options);
  snapshotter.collect();
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    await sleep(20);
    const start = performance.now();
    snapshotter.collect();
    times.push(performance.now() - start);
  }
  snapshotter.close();
  times.sort((a, b) => a - b);
  return { median: percentile(times, 50), p95: percentile(times, 95) };
}

interface SamplingCost {
  // CPU seconds of the whole process over the run: /proc/self/stat (10 ms ticks) and getrusage (us)
  statSeconds: number;
  rusageSeconds: number;
  // per collector: CPU microseconds and wall milliseconds per tick, mean over the run
  perCollector: Array<{ name: string; cpuMicros: number; wallMs: number }>;
}

// Runs every default collector once a second, as Snapshotter does (registry order, same
// environment), timing each with process.cpuUsage() so the cost can be split by collector.
async function costOfSampling(): Promise<SamplingCost> {
  const env = environmentFor({});
  const running = collectorRegistry.filter((d) => d.defaultEnabled).map((d) => ({ name: d.name, collector: d.create(env), cpuMicros: 0, wallMs: 0 }));
  const collectAll = (): void => {
    const tick = { monotonicMs: performance.now(), wallMs: Date.now() };
    for (const r of running) {
      const cpuBefore = process.cpuUsage();
      const wallBefore = performance.now();
      try {
        r.collector.collect(tick);
      } catch {
        // the snapshot would record it; the cost is what is measured here
      }
      r.wallMs += performance.now() - wallBefore;
      const cpu = process.cpuUsage(cpuBefore);
      r.cpuMicros += cpu.user + cpu.system;
    }
  };
  collectAll();
  for (const r of running) Object.assign(r, { cpuMicros: 0, wallMs: 0 });
  const statBefore = cpuSeconds();
  const rusageBefore = process.cpuUsage();
  const ticks = Math.round(minutes * 60);
  for (let i = 0; i < ticks; i++) {
    await sleep(1000);
    collectAll();
  }
  const rusage = process.cpuUsage(rusageBefore);
  const statSeconds = cpuSeconds() - statBefore;
  for (const r of running) r.collector.close();
  return {
    statSeconds,
    rusageSeconds: (rusage.user + rusage.system) / 1e6,
    perCollector: running.map((r) => ({ name: r.name, cpuMicros: r.cpuMicros / ticks, wallMs: r.wallMs / ticks })),
  };
}

// The machine's load around each figure: other work on the host inflates both time and CPU.
function load(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

const processesOnly = { enabled: Object.fromEntries(collectorNames.map((name) => [name, name === 'processes'])) };

for (const extra of extras) {
  await setExtraProcesses(extra);
  const total = new Snapshotter(processesOnly).collect().processes?.total ?? 0;
  process.stdout.write(`\n== ${extra} extra sleeping processes (${total} processes in all; load average ${load()})\n`);
  const full = await timeCollections({});
  process.stdout.write(`full collection      median ${full.median.toFixed(2)} ms   p95 ${full.p95.toFixed(2)} ms   (${samples} samples)\n`);
  const proc = await timeCollections(processesOnly);
  process.stdout.write(`process collector    median ${proc.median.toFixed(2)} ms   p95 ${proc.p95.toFixed(2)} ms\n`);
  const cost = await costOfSampling();
  const seconds = minutes * 60;
  const share = (used: number): string => `${used.toFixed(2)} CPU s -> ${((used / seconds) * 3600).toFixed(1)} CPU s per hour, ${((used / seconds) * 100).toFixed(2)} % of one core`;
  process.stdout.write(`1 s sampling for ${minutes} min: ${share(cost.rusageSeconds)} (getrusage); /proc/self/stat: ${share(cost.statSeconds)} (load average after: ${load()})\n`);
  let insideMicros = 0;
  for (const c of cost.perCollector) {
    insideMicros += c.cpuMicros;
    process.stdout.write(`  ${c.name.padEnd(13)} ${(c.cpuMicros / 1000).toFixed(3)} ms CPU   ${c.wallMs.toFixed(3)} ms wall   per tick\n`);
  }
  process.stdout.write(`  ${'all'.padEnd(13)} ${(insideMicros / 1000).toFixed(3)} ms CPU per tick inside collect(), ${(insideMicros / 1e4).toFixed(3)} % of one core\n`);
}
killChildren();
