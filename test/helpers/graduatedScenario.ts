// The graduated-response proof, shared by its integration test and bench/graduated.ts: three wave
// workers in a 768 MiB memory cgroup, with or without `hostguard guard --graduated --cgroup`.
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TestCgroup, exited } from './cgroup.ts';
import { GuardProcess, type GuardEventRecord } from './guardProcess.ts';

export const WAVE_WORKER = fileURLToPath(new URL('./waveWorker.ts', import.meta.url));
const MiB = 1024 * 1024;

export interface ScenarioOptions {
  guarded: boolean;
  waves: number;
  workers?: number;
  limitBytes?: number;
  waveMiB?: number;
  holdMs?: number;
  // Worker i starts i * staggerMs after the first: three workers starting in the same millisecond
  // pass 75 % together at 182 MiB each, where no order of completion fits (see docs/graduated.md).
  staggerMs?: number;
  guardArgs?: string[];
  // Stop as soon as the kernel OOM-kills one worker (the unguarded run in tests).
  stopAtFirstOomKill?: boolean;
  // Called with the guard's pid just before it is stopped (benchmarks read its CPU time).
  beforeGuardStops?: (pid: number) => void;
  timeoutMs?: number;
}

export interface WorkerResult {
  pid: number;
  wavesDone: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  elapsedMs: number | undefined;
  throttledMs: number;
  pausedMs: number;
}

export interface WorkerLine {
  worker: number;
  event: string;
  epochMs: number;
  [key: string]: unknown;
}

export interface ScenarioResult {
  workers: WorkerResult[];
  // Every line the workers printed (start, wave, done), in arrival order.
  workerLines: WorkerLine[];
  oomKills: number;
  guardKills: number;
  totalMs: number;
  events: GuardEventRecord[];
  guardStderr: string;
}

function follow(worker: ChildProcess, index: number, lines: WorkerLine[]): { waves: () => number; elapsedMs: () => number | undefined } {
  let waves = 0;
  let elapsedMs: number | undefined;
  let buffered = '';
  worker.stdout?.on('data', (data: Buffer) => {
    buffered += data.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const line of parts) {
      const event = JSON.parse(line) as { event: string; wave?: number; elapsedMs?: number; epochMs: number };
      lines.push({ worker: index, ...event });
      if (event.event === 'wave') waves = event.wave ?? waves;
      if (event.event === 'done') elapsedMs = event.elapsedMs;
    }
  });
  return { waves: () => waves, elapsedMs: () => elapsedMs };
}

// Time each worker spent throttled or paused, summed from the guard's resume events.
function stoppedTimes(events: GuardEventRecord[], pid: number | undefined): { throttledMs: number; pausedMs: number } {
  let throttledMs = 0;
  let pausedMs = 0;
  for (const e of events) {
    const target = e.target as { pid?: number } | undefined;
    if (e.type !== 'resume' || target?.pid !== pid) continue;
    throttledMs += Number(e.throttledMs);
    pausedMs += Number(e.pausedMs);
  }
  return { throttledMs, pausedMs };
}

async function untilOomKill(cgroup: TestCgroup, workers: ChildProcess[]): Promise<void> {
  while (cgroup.oomKills() === 0 && workers.some((w) => w.exitCode === null && w.signalCode === null)) await new Promise((r) => setTimeout(r, 20));
}

export async function runScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const cgroup = TestCgroup.create(options.guarded ? 'hg-grad' : 'hg-grad-bare', options.limitBytes ?? 768 * MiB);
  let guard: GuardProcess | undefined;
  try {
    if (options.guarded) {
      guard = new GuardProcess(['--cgroup', cgroup.dir, '-r', '0', '--graduated', ...(options.guardArgs ?? [])]);
      await guard.waitFor((e) => e.type === 'start');
    }
    const count = options.workers ?? 3;
    const started = performance.now();
    const workers: ChildProcess[] = [];
    const followers: Array<ReturnType<typeof follow>> = [];
    const workerLines: WorkerLine[] = [];
    for (let i = 0; i < count; i++) {
      const args = ['--expose-gc', '--no-concurrent-array-buffer-sweeping', WAVE_WORKER, '--waves', String(options.waves), '--mib', String(options.waveMiB ?? 320), '--hold-ms', String(options.holdMs ?? 1000), '--start-delay-ms', String(i * (options.staggerMs ?? 400)), '--title', `hg-wave-${i}`];
      const worker = cgroup.spawnInside(process.execPath, args);
      workers.push(worker);
      followers.push(follow(worker, i, workerLines));
    }
    const all = Promise.all(workers.map((w) => exited(w)));
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), options.timeoutMs ?? 120_000).unref());
    const outcome = await Promise.race([options.stopAtFirstOomKill ? untilOomKill(cgroup, workers) : all, timeout]);
    if (outcome === 'timeout') throw new Error(`scenario timed out; waves ${followers.map((f) => f.waves()).join(',')}; guard: ${guard?.stderr.slice(-2000)}`);
    const totalMs = performance.now() - started;
    if (guard?.child.pid !== undefined) options.beforeGuardStops?.(guard.child.pid);
    await guard?.stop();
    const exits = await Promise.race([all, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 50))]);
    const events = guard?.events ?? [];
    return {
      workers: workers.map((w, i) => ({
        pid: w.pid ?? 0,
        wavesDone: followers[i]?.waves() ?? 0,
        code: exits?.[i]?.code ?? w.exitCode,
        signal: exits?.[i]?.signal ?? w.signalCode,
        elapsedMs: followers[i]?.elapsedMs(),
        ...stoppedTimes(events, w.pid),
      })),
      workerLines,
      oomKills: cgroup.oomKills(),
      guardKills: events.filter((e) => e.type === 'term' || e.type === 'kill').length,
      totalMs,
      events,
      guardStderr: guard?.stderr ?? '',
    };
  } finally {
    await guard?.stop();
    await cgroup.destroy();
  }
}
