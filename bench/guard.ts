// Benchmark of the OOM guard (npm run bench -- guard [--runs N] [--idle-seconds N] [--procs N]):
// reaction to hogs in a 512 MiB cgroup, kernel OOM kills, idle CPU and RSS, and victim selection
// among many processes side by side with earlyoom when it is installed.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { exited, memoryCgroupSupport } from '../test/helpers/cgroup.ts';
import { GuardedCgroup } from '../test/helpers/guardProcess.ts';
import { median, percentile, processCpuSeconds, processRssBytes } from './lib/stats.ts';

// The installed command, as users run it (compiled dist/ when current).
const OOM_GUARD = fileURLToPath(new URL('../bin/oom-guard.js', import.meta.url));

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    'idle-seconds': { type: 'string', default: '60' },
    procs: { type: 'string', default: '1000' },
  },
});
const RUNS = Number(values.runs);
const IDLE_SECONDS = Number(values['idle-seconds']);
const EXTRA_PROCS = Number(values.procs);
const MiB = 1024 * 1024;
const LIMIT = 512 * MiB;
const TERM_BYTES = 0.1 * LIMIT;
const KILL_BYTES = 0.05 * LIMIT;

interface Chunk {
  mib: number;
  epochMs: number;
}

interface RunResult {
  signalToExitMs: number | undefined;
  termCrossToSignalMs: number | undefined;
  termCrossToDeathMs: number | undefined;
  killCrossToDeathMs: number | undefined;
  signal: string | null;
}

function workingSetBytes(dir: string): number {
  const usage = Number(readFileSync(join(dir, 'memory.usage_in_bytes'), 'utf8'));
  const inactive = Number(/^total_inactive_file (\d+)$/m.exec(readFileSync(join(dir, 'memory.stat'), 'utf8'))?.[1] ?? 0);
  return usage - inactive;
}

// One hog run: when did its allocations cross the SIGTERM and SIGKILL limits, and when did it die?
async function hogRun(scope: GuardedCgroup, rateMiBs: number): Promise<RunResult> {
  const hog = scope.hog(['--total-mib', '1024', '--rate-mib-s', String(rateMiBs), '--chunk-mib', '2', '--progress']);
  const chunks: Chunk[] = [];
  let baseline: number | undefined;
  let buffered = '';
  hog.stdout?.on('data', (d: Buffer) => {
    buffered += d.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const event = JSON.parse(line) as { event: string; mib?: number; epochMs: number };
      if (event.event === 'start') baseline = workingSetBytes(scope.cgroup.dir);
      if (event.event === 'chunk' && event.mib !== undefined) chunks.push({ mib: event.mib, epochMs: event.epochMs });
    }
  });
  const { signal } = await exited(hog);
  const deathMs = performance.timeOrigin + performance.now();
  const base = baseline ?? 0;
  const crossing = (limitBytes: number): number | undefined => chunks.find((c) => base + c.mib * MiB >= LIMIT - limitBytes)?.epochMs;
  const term = crossing(TERM_BYTES);
  const kill = crossing(KILL_BYTES);
  await scope.guard.waitFor((e) => e.type === 'exit' && (e.victim as { pid: number }).pid === hog.pid, 5000).catch(() => undefined);
  const strike = scope.guard.events.find((e) => (e.type === 'term' || e.type === 'kill') && (e.victim as { pid: number }).pid === hog.pid);
  const signalMs = strike ? Date.parse(strike.time) : undefined;
  const exit = scope.guard.events.find((e) => e.type === 'exit' && (e.victim as { pid: number }).pid === hog.pid);
  return {
    signalToExitMs: exit ? Number(exit.afterMs) : undefined, termCrossToSignalMs: term === undefined || signalMs === undefined ? undefined : signalMs - term, termCrossToDeathMs: term === undefined ? undefined : deathMs - term, killCrossToDeathMs: kill === undefined ? undefined : deathMs - kill, signal };
}

function summarize(label: string, results: RunResult[], oomKills: number): void {
  const term = results.map((r) => r.termCrossToDeathMs).filter((v): v is number => v !== undefined);
  const kill = results.map((r) => r.killCrossToDeathMs).filter((v): v is number => v !== undefined);
  const signalled = results.map((r) => r.termCrossToSignalMs).filter((v): v is number => v !== undefined);
  const killedByGuard = results.filter((r) => r.signal === 'SIGTERM' || r.signal === 'SIGKILL').length;
  console.log(`\n${label}: ${results.length} runs, ${killedByGuard} killed by the guard, ${oomKills} kernel OOM kills`);
  console.log(`  SIGTERM limit crossed -> signal sent: median ${median(signalled).toFixed(1)} ms, worst ${Math.max(...signalled).toFixed(1)} ms`);
  const exits = results.map((r) => r.signalToExitMs).filter((v): v is number => v !== undefined);
  console.log(`  signal sent -> exit seen by the guard: median ${median(exits).toFixed(1)} ms, worst ${Math.max(...exits).toFixed(1)} ms`);
  console.log(`  SIGTERM limit crossed -> hog dead: median ${median(term).toFixed(1)} ms, worst ${Math.max(...term).toFixed(1)} ms`);
  if (kill.length > 0) {
    console.log(`  SIGKILL limit crossed in ${kill.length} runs -> hog dead: median ${median(kill).toFixed(1)} ms, worst ${Math.max(...kill).toFixed(1)} ms`);
  } else {
    console.log('  SIGKILL limit never reached: every hog died at the SIGTERM limit');
  }
}

async function reactionBench(): Promise<void> {
  for (const [label, rate] of [['1 GiB/s hog', 1024], ['full-speed hog', 0]] as const) {
    const scope = await GuardedCgroup.start(LIMIT);
    try {
      const results: RunResult[] = [];
      for (let i = 0; i < RUNS; i++) {
        results.push(await hogRun(scope, rate));
        await sleep(100);
      }
      summarize(label, results, scope.cgroup.oomKills());
    } finally {
      await scope.stop();
    }
  }
}

// CPU and RSS of a long-running command after a warm-up, over IDLE_SECONDS.
async function idleCost(command: string, args: string[]): Promise<{ cpuSeconds: number; wallSeconds: number; rss: number; hwm: number }> {
  const child = spawn(command, args, { stdio: 'ignore' });
  await sleep(20_000);
  const pid = child.pid!;
  const cpuStart = processCpuSeconds(pid);
  const wallStart = performance.now();
  await sleep(IDLE_SECONDS * 1000);
  const cpuSeconds = processCpuSeconds(pid) - cpuStart;
  const wallSeconds = (performance.now() - wallStart) / 1000;
  const { rss, hwm } = processRssBytes(pid);
  child.kill('SIGTERM');
  await exited(child);
  return { cpuSeconds, wallSeconds, rss, hwm };
}

function printIdle(label: string, cost: { cpuSeconds: number; wallSeconds: number; rss: number; hwm: number }): void {
  const perHour = (cost.cpuSeconds / cost.wallSeconds) * 3600;
  const percent = (cost.cpuSeconds / cost.wallSeconds) * 100;
  console.log(`  ${label}: ${perHour.toFixed(2)} CPU s per hour = ${percent.toFixed(4)} % of one core; RSS ${(cost.rss / MiB).toFixed(1)} MiB (peak ${(cost.hwm / MiB).toFixed(1)} MiB)`);
}

async function idleBench(): Promise<void> {
  console.log(`\nidle cost on this host after a 20 s warm-up, over ${IDLE_SECONDS} s:`);
  const [byDefault, quiet] = await Promise.all([idleCost(process.execPath, [OOM_GUARD]), idleCost(process.execPath, [OOM_GUARD, '-r', '0'])]);
  printIdle('hostguard guard (defaults, a report line every second)', byDefault);
  printIdle('hostguard guard -r 0', quiet);
  if (spawnSync('which', ['earlyoom']).status === 0) {
    // --dryrun: earlyoom polls the same way but can never kill anything on this machine.
    printIdle('earlyoom --dryrun (defaults otherwise)', await idleCost('earlyoom', ['--dryrun']));
  }
}

// Collects "selecting victim took N ms" lines from a dry-run guard's output.
async function selectionTimes(command: string, args: string[], samples: number): Promise<number[]> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const times: number[] = [];
  const collect = (d: Buffer): void => {
    for (const m of d.toString().matchAll(/selecting victim took (\d+\.\d+) ms/g)) times.push(Number(m[1]));
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  for (let i = 0; i < 300 && times.length < samples && child.exitCode === null; i++) await sleep(100);
  child.kill('SIGTERM');
  await exited(child);
  return times;
}

async function selectionBench(): Promise<void> {
  const sleepers: ChildProcess[] = [];
  for (let i = 0; i < EXTRA_PROCS; i++) sleepers.push(spawn('sleep', ['600'], { stdio: 'ignore' }));
  await sleep(1000);
  try {
    // -m 99 / -s 100 hold on any idle host, so a dry-run guard selects a victim on every round.
    const ours = await selectionTimes(process.execPath, [OOM_GUARD, '--dryrun', '-d', '-m', '99,99', '-s', '100,100', '-r', '0'], 15);
    console.log(`\nvictim selection with ${EXTRA_PROCS} extra sleeping processes (${ours.length} rounds):`);
    console.log(`  hostguard: median ${median(ours).toFixed(3)} ms, p95 ${percentile(ours, 95).toFixed(3)} ms`);
    const earlyoom = spawnSync('which', ['earlyoom']).status === 0;
    if (!earlyoom) {
      console.log('  earlyoom: not installed (apt-get install earlyoom) - no side-by-side figure');
      return;
    }
    const theirs = await selectionTimes('earlyoom', ['--dryrun', '-d', '-m', '99,99', '-s', '100,100', '-r', '0'], 15);
    const version = spawnSync('earlyoom', ['-v'], { encoding: 'utf8' }).stderr.trim().split('\n')[0];
    console.log(`  ${version} --dryrun -d: median ${median(theirs).toFixed(3)} ms, p95 ${percentile(theirs, 95).toFixed(3)} ms`);
    console.log(`  ratio hostguard/earlyoom (median): ${(median(ours) / median(theirs)).toFixed(2)}`);
  } finally {
    for (const s of sleepers) s.kill('SIGKILL');
  }
}

const support = memoryCgroupSupport();
if (support.ok) {
  console.log(`guard benchmark: ${RUNS} runs per hog kind in a 512 MiB ${support.version === 1 ? 'v1' : 'v2'} memory cgroup`);
  await reactionBench();
} else {
  console.log(`skipping the reaction benchmark: ${support.reason}`);
}
await idleBench();
await selectionBench();
