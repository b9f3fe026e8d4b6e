// Benchmark of the graduated response (npm run bench -- graduated [--runs N] [--waves N]
// [--stagger MS] [--policies leader-first,tiered,table] [--bare-runs N] [--guard-args '...']):
// three workers allocate 320 MiB, hold it 1 s and free it, in a 768 MiB memory cgroup, without
// hostguard and with `hostguard guard --graduated --cgroup --policy P` for each policy. Runs are
// interleaved round by round (one worker alone, unguarded, then each policy in a rotating order),
// so load from other work on the machine hits all alike; each run's slowdown is against the
// alone run of its round. Prints completed waves, kernel OOM kills, guard kills, lost workers,
// total time and slowdown, time each worker spent throttled and paused, how fast targets were
// restored at NORMAL, the guard's CPU, and the load average beside every run.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { memoryCgroupSupport } from '../test/helpers/cgroup.ts';
import type { GuardEventRecord } from '../test/helpers/guardProcess.ts';
import { type ScenarioResult, runScenario } from '../test/helpers/graduatedScenario.ts';
import { median, processCpuSeconds } from './lib/stats.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    waves: { type: 'string', default: '5' },
    stagger: { type: 'string', default: '400' },
    policies: { type: 'string', default: 'leader-first' },
    'bare-runs': { type: 'string' },
    'guard-args': { type: 'string', default: '' },
  },
});
const RUNS = Number(values.runs);
const POLICIES = values.policies.split(',').filter(Boolean);
const BARE_RUNS = Number(values['bare-runs'] ?? values.runs);
const EXTRA_GUARD_ARGS = values['guard-args'].split(' ').filter(Boolean);
const WAVES = Number(values.waves);
const STAGGER_MS = Number(values.stagger);
const WORKERS = 3;

interface Row {
  // One-minute load average when the run ended, and the alone time of its round.
  load: number;
  aloneMs: number;
  wavesDone: number;
  oomKills: number;
  guardKills: number;
  lostWorkers: number;
  totalMs: number;
  throttledMs: number[];
  pausedMs: number[];
  // Longest time from a fall to NORMAL to the last resume it caused.
  worstRestoreMs: number;
  guardCpuSeconds: number;
}

// For each fall to NORMAL: how long until the last target controlled at that moment resumed.
function worstRestoreMs(events: GuardEventRecord[]): number {
  const controlled = new Set<string>();
  let worst = 0;
  let normalAtMs: number | undefined;
  for (const e of events) {
    const atMs = Date.parse(e.time);
    const key = (e.target as { key?: string } | undefined)?.key;
    if (e.type === 'level') normalAtMs = e.to === 'NORMAL' && controlled.size > 0 ? atMs : undefined;
    if ((e.type === 'throttle' || e.type === 'pause') && key) controlled.add(key);
    if (e.type === 'resume' && key) {
      controlled.delete(key);
      if (normalAtMs !== undefined) worst = Math.max(worst, atMs - normalAtMs);
      if (controlled.size === 0) normalAtMs = undefined;
    }
  }
  return worst;
}

function rowOf(result: ScenarioResult, guardCpuSeconds: number, aloneMs: number): Row {
  return {
    load: loadavg()[0] ?? 0,
    aloneMs,
    wavesDone: result.workers.reduce((sum, w) => sum + w.wavesDone, 0),
    oomKills: result.oomKills,
    guardKills: result.guardKills,
    lostWorkers: result.workers.filter((w) => w.wavesDone < WAVES).length,
    totalMs: result.totalMs,
    throttledMs: result.workers.map((w) => w.throttledMs),
    pausedMs: result.workers.map((w) => w.pausedMs),
    worstRestoreMs: worstRestoreMs(result.events),
    guardCpuSeconds,
  };
}

// A ledger of the benchmark's own, not the system's /run/hostguard.
const ledgerDir = mkdtempSync(join(tmpdir(), 'hg-bench-graduated-'));
process.on('exit', () => rmSync(ledgerDir, { recursive: true, force: true }));

async function runOnce(policy: string | undefined, aloneMs: number): Promise<Row> {
  let cpu = 0;
  const guardArgs = ['--ledger', join(ledgerDir, 'ledger.json'), ...(policy ? ['--policy', policy] : []), ...EXTRA_GUARD_ARGS];
  const result = await runScenario({ guarded: policy !== undefined, waves: WAVES, staggerMs: STAGGER_MS, guardArgs, timeoutMs: 300_000, beforeGuardStops: (pid) => (cpu = processCpuSeconds(pid)) });
  return rowOf(result, cpu, aloneMs);
}

const seconds = (ms: number): string => (ms / 1000).toFixed(1);

const HEADER = '  run  load  waves  OOM kills  guard kills  lost workers  total s  alone s  slowdown  throttled s (w0,w1,w2)  paused s (w0,w1,w2)  restore ms  guard CPU s';

function line(r: Row, index: number): string {
  const expected = WAVES * WORKERS;
  return [
    String(index + 1).padStart(5),
    r.load.toFixed(1).padStart(5),
    `${r.wavesDone}/${expected}`.padStart(6),
    String(r.oomKills).padStart(10),
    String(r.guardKills).padStart(12),
    String(r.lostWorkers).padStart(13),
    seconds(r.totalMs).padStart(8),
    seconds(r.aloneMs).padStart(8),
    `${(r.totalMs / r.aloneMs).toFixed(2)}x`.padStart(9),
    r.throttledMs.map(seconds).join(',').padStart(23),
    r.pausedMs.map(seconds).join(',').padStart(20),
    String(r.worstRestoreMs).padStart(11),
    r.guardCpuSeconds.toFixed(2).padStart(12),
  ].join(' ');
}

function print(label: string, rows: Row[]): void {
  const expected = WAVES * WORKERS;
  console.log(`\n${label}:`);
  console.log(HEADER);
  rows.forEach((r, i) => console.log(line(r, i)));
  const complete = rows.filter((r) => r.lostWorkers === 0);
  // A run that lost a worker finished early for that reason: its time says nothing of the slowdown.
  const slowdowns = complete.map((r) => r.totalMs / r.aloneMs);
  const slowdown = slowdowns.length === 0 ? 'no run kept every worker' : `${median(slowdowns).toFixed(2)}x (${Math.min(...slowdowns).toFixed(2)}-${Math.max(...slowdowns).toFixed(2)}x) over the ${slowdowns.length} runs that kept every worker`;
  const sum = (f: (r: Row) => number): number => rows.reduce((s, r) => s + f(r), 0);
  console.log(`  runs losing at least one worker: ${rows.length - complete.length}/${rows.length}; lost workers: ${sum((r) => r.lostWorkers)}; kernel OOM kills: ${sum((r) => r.oomKills)}; guard kills: ${sum((r) => r.guardKills)}`);
  console.log(`  waves completed: ${sum((r) => r.wavesDone)}/${expected * rows.length}; median total ${seconds(median(rows.map((r) => r.totalMs)))} s; slowdown median ${slowdown}; worst restore ${Math.max(...rows.map((r) => r.worstRestoreMs))} ms; guard CPU ${Math.min(...rows.map((r) => r.guardCpuSeconds)).toFixed(2)}-${Math.max(...rows.map((r) => r.guardCpuSeconds)).toFixed(2)} s`);
}

const support = memoryCgroupSupport();
if (!support.ok) {
  console.log(`skipping the graduated benchmark: ${support.reason}`);
  process.exit(0);
}
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
console.log(`graduated benchmark: ${WORKERS} workers x ${WAVES} waves of 320 MiB held 1 s, started ${STAGGER_MS} ms apart, in a 768 MiB ${support.version === 1 ? 'v1' : 'v2'} memory cgroup; ${RUNS} rounds: one worker alone, ${BARE_RUNS > 0 ? 'unguarded, ' : ''}then --policy ${POLICIES.join(', ')} in a rotating order${EXTRA_GUARD_ARGS.length > 0 ? `; guard args ${EXTRA_GUARD_ARGS.join(' ')}` : ''}`);
console.log(`load average at start: ${load()} (the machine is shared: times vary with it)`);
console.log(`slowdown = total time / (one worker alone in the same round + ${seconds((WORKERS - 1) * STAGGER_MS)} s of start stagger)`);
const bare: Row[] = [];
const byPolicy = new Map<string, Row[]>(POLICIES.map((p) => [p, []]));
const alone: number[] = [];
for (let round = 0; round < RUNS; round++) {
  // The reference: one worker alone in the cgroup, its waves at full speed, in this round's load.
  const aloneMs = (await runScenario({ guarded: false, waves: WAVES, workers: 1 })).totalMs + (WORKERS - 1) * STAGGER_MS;
  alone.push(aloneMs);
  console.log(`round ${round + 1}: alone ${seconds(aloneMs)} s (with stagger), load ${load()}`);
  if (round < BARE_RUNS) {
    bare.push(await runOnce(undefined, aloneMs));
    console.log(`  unguarded    ${line(bare.at(-1) as Row, round)}`);
  }
  for (let k = 0; k < POLICIES.length; k++) {
    const policy = POLICIES[(round + k) % POLICIES.length] as string;
    const rows = byPolicy.get(policy) as Row[];
    rows.push(await runOnce(policy, aloneMs));
    console.log(`  ${policy.padEnd(12)} ${line(rows.at(-1) as Row, rows.length - 1)}`);
  }
}
console.log(`\none worker alone, with the stagger: median ${seconds(median(alone))} s (${seconds(Math.min(...alone))}-${seconds(Math.max(...alone))})`);
if (bare.length > 0) print('without hostguard', bare);
for (const [policy, rows] of byPolicy) print(`with hostguard guard --graduated --cgroup --policy ${policy}`, rows);
console.log(`\ncheck interval 1000 ms; load average at end: ${load()}`);
