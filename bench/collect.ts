// Benchmark of the collectors: `npm run bench -- collect [--minutes N] [--extra 1000,100] [--samples N]`.
// With N extra sleeping processes: one full collection (median, p95), the process collector alone,
// and the CPU seconds of sampling every second for --minutes, extrapolated per hour and as % of a core.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Snapshotter, type SnapshotterOptions } from '../src/collect/snapshotter.ts';
import { collectorNames } from '../src/collect/registry.ts';

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

async function cpuOfSampling(options: SnapshotterOptions): Promise<number> {
  const snapshotter = new Snapshotter(options);
  snapshotter.collect();
  const before = cpuSeconds();
  const ticks = Math.round(minutes * 60);
  for (let i = 0; i < ticks; i++) {
    await sleep(1000);
    snapshotter.collect();
  }
  const used = cpuSeconds() - before;
  snapshotter.close();
  return used;
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
  const used = await cpuOfSampling({});
  const seconds = minutes * 60;
  process.stdout.write(
    `1 s sampling for ${minutes} min: ${used.toFixed(2)} CPU s -> ${((used / seconds) * 3600).toFixed(1)} CPU s per hour, ${((used / seconds) * 100).toFixed(2)} % of one core (load average after: ${load()})\n`,
  );
}
killChildren();
