// Benchmark of the graduated response (npm run bench -- graduated [--runs N] [--waves N]
// [--stagger MS]): three workers allocate 320 MiB, hold it 1 s and free it, in a 768 MiB memory
// cgroup, N runs without hostguard and N with `hostguard guard --graduated --cgroup`. Prints
// completed waves, kernel OOM kills, guard kills, lost workers, total time and slowdown, time each
// worker spent throttled and paused, how fast targets were restored at NORMAL, and the guard's CPU.
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
  },
});
const RUNS = Number(values.runs);
const WAVES = Number(values.waves);
const STAGGER_MS = Number(values.stagger);
const WORKERS = 3;

interface Row {
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

function rowOf(result: ScenarioResult, guardCpuSeconds: number): Row {
  return {
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

async function runOnce(guarded: boolean): Promise<Row> {
  let cpu = 0;
  const guardArgs = ['--ledger', join(ledgerDir, 'ledger.json')];
  const result = await runScenario({ guarded, waves: WAVES, staggerMs: STAGGER_MS, guardArgs, timeoutMs: 300_000, beforeGuardStops: (pid) => (cpu = processCpuSeconds(pid)) });
  return rowOf(result, cpu);
}

const seconds = (ms: number): string => (ms / 1000).toFixed(1);

function print(label: string, rows: Row[], aloneMs: number): void {
  const expected = WAVES * WORKERS;
  console.log(`\n${label}:`);
  console.log('  run  waves  OOM kills  guard kills  lost workers  total s  slowdown  throttled s (w0,w1,w2)  paused s (w0,w1,w2)  restore ms  guard CPU s');
  rows.forEach((r, i) => {
    const cols = [
      String(i + 1).padStart(5),
      `${r.wavesDone}/${expected}`.padStart(6),
      String(r.oomKills).padStart(10),
      String(r.guardKills).padStart(12),
      String(r.lostWorkers).padStart(13),
      seconds(r.totalMs).padStart(8),
      `${(r.totalMs / aloneMs).toFixed(2)}x`.padStart(9),
      r.throttledMs.map(seconds).join(',').padStart(23),
      r.pausedMs.map(seconds).join(',').padStart(20),
      String(r.worstRestoreMs).padStart(11),
      r.guardCpuSeconds.toFixed(2).padStart(12),
    ];
    console.log(cols.join(' '));
  });
  const complete = rows.filter((r) => r.lostWorkers === 0);
  console.log(`  runs losing at least one worker: ${rows.length - complete.length}/${rows.length}; kernel OOM kills: ${rows.reduce((s, r) => s + r.oomKills, 0)}; guard kills: ${rows.reduce((s, r) => s + r.guardKills, 0)}`);
  console.log(`  waves completed: ${rows.reduce((s, r) => s + r.wavesDone, 0)}/${expected * rows.length}; median total ${seconds(median(rows.map((r) => r.totalMs)))} s, median slowdown ${(median(rows.map((r) => r.totalMs)) / aloneMs).toFixed(2)}x`);
}

const support = memoryCgroupSupport();
if (!support.ok) {
  console.log(`skipping the graduated benchmark: ${support.reason}`);
  process.exit(0);
}
console.log(`graduated benchmark: ${WORKERS} workers x ${WAVES} waves of 320 MiB held 1 s, started ${STAGGER_MS} ms apart, in a 768 MiB ${support.version === 1 ? 'v1' : 'v2'} memory cgroup; ${RUNS} runs each way`);
console.log(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (the machine is shared: times vary with it)`);
// The reference: one worker alone in the cgroup, its waves at full speed.
const alone: number[] = [];
for (let i = 0; i < 3; i++) alone.push((await runScenario({ guarded: false, waves: WAVES, workers: 1 })).totalMs);
const aloneMs = median(alone) + (WORKERS - 1) * STAGGER_MS;
console.log(`one worker alone: median ${seconds(median(alone))} s for ${WAVES} waves; slowdown below is total time / ${seconds(aloneMs)} s (alone + the start stagger)`);
const bare: Row[] = [];
const guarded: Row[] = [];
for (let i = 0; i < RUNS; i++) {
  bare.push(await runOnce(false));
  guarded.push(await runOnce(true));
}
print('without hostguard', bare, aloneMs);
print('with hostguard guard --graduated --cgroup', guarded, aloneMs);
const restore = Math.max(...guarded.map((r) => r.worstRestoreMs));
console.log(`\nworst time from a fall to NORMAL to the last target resumed: ${restore} ms (check interval 1000 ms)`);
console.log(`load average at end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
