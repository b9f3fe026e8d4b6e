// Benchmark of the SQLite store: `npm run bench -- store [--days 30] [--interval 2] [--template live|builtin] [--part all|snapshots|events] [--keep]`.
// Snapshots: loads --days of simulated snapshots (one every --interval seconds) with rollups and
// retention running as it goes, then prints: load time, file size, bytes per snapshot of the raw
// tier, the daemon's one-snapshot insert latency, 24 h / 30 d history latency at 1,000 points, and
// how late a 100 ms sampling tick runs while 30-day queries run back to back.
// Events (bench/lib/eventBench.ts): insert rate in batches of 500, bytes per event, the newest 100
// of a filter among 1 M events, and budgeted retention.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { parseArgs } from 'node:util';
import { Snapshotter } from '../src/collect/snapshotter.ts';
import type { MetricsSnapshot } from '../src/collect/types.ts';
import { openReader } from '../src/store/sqlite/database.ts';
import { SqliteReader } from '../src/store/sqlite/reader.ts';
import { SqliteStore } from '../src/store/sqlite/sqliteStore.ts';
import type { HistoryQuery, RetentionSettings } from '../src/store/store.ts';
import { SnapshotSimulator, templateSnapshot } from '../test/helpers/simulatedSnapshots.ts';
import { benchEvents } from './lib/eventBench.ts';
import { median, percentile } from './lib/stats.ts';

const { values } = parseArgs({ options: { days: { type: 'string', default: '30' }, interval: { type: 'string', default: '2' }, template: { type: 'string', default: 'live' }, part: { type: 'string', default: 'all' }, keep: { type: 'boolean', default: false } } });
const days = Number(values.days);
const intervalMs = Number(values.interval) * 1000;
if (!(days > 0) || !(intervalMs >= 100) || !['live', 'builtin'].includes(values.template) || !['all', 'snapshots', 'events'].includes(values.part)) {
  process.stderr.write('bench store: --days must be > 0, --interval at least 0.1 (seconds), --template live or builtin, --part all, snapshots or events\n');
  process.exit(2);
}

const DAY_MS = 86_400_000;
const RETENTION: RetentionSettings = { rawSeconds: 7 * 86_400, minuteSeconds: 30 * 86_400, hourSeconds: 365 * 86_400, eventSeconds: 30 * 86_400, alertSeconds: 365 * 86_400 };
const dir = mkdtempSync(join(tmpdir(), 'hostguard-bench-store-'));
const path = join(dir, 'hostguard.db');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const out = (line: string): boolean => process.stdout.write(`${line}\n`);
const mib = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MiB`;

async function template(): Promise<MetricsSnapshot> {
  if (values.template === 'builtin') return templateSnapshot();
  const snapshotter = new Snapshotter();
  snapshotter.collect();
  await sleep(1000);
  const snapshot = snapshotter.collect();
  snapshotter.close();
  return snapshot;
}

const total = Math.round((days * DAY_MS) / intervalMs);
const endMs = Math.floor(Date.now() / 60_000) * 60_000;
const startMs = endMs - total * intervalMs;
let nowMs = startMs;
const simulator = new SnapshotSimulator({ startMs, intervalMs, template: await template() });
const clock = { now: () => nowMs };

// 1. Load: one transaction per simulated hour, rollups and retention after each, as a daemon would run them.
async function load(store: SqliteStore): Promise<{ seconds: number; retentionSeconds: number }> {
  const perBatch = Math.max(1, Math.round(3_600_000 / intervalMs));
  const began = performance.now();
  let retentionMs = 0;
  for (let index = 0; index < total; index += perBatch) {
    const batch: MetricsSnapshot[] = [];
    for (let i = index; i < Math.min(total, index + perBatch); i++) batch.push(simulator.snapshot(i));
    nowMs = batch.at(-1)?.timestampMs ?? nowMs;
    await store.insertSnapshots(batch);
    const t = performance.now();
    while (!(await store.runRetention(RETENTION, 200)).complete);
    retentionMs += performance.now() - t;
    if ((index / perBatch) % 48 === 0) process.stderr.write(`\rloaded ${((index / total) * 100).toFixed(0)} %`);
  }
  process.stderr.write('\r');
  return { seconds: (performance.now() - began) / 1000, retentionSeconds: retentionMs / 1000 };
}

// 2. The daemon's path: one snapshot, one transaction.
async function insertLatency(store: SqliteStore, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = total; i < total + count; i++) {
    const snapshot = simulator.snapshot(i);
    nowMs = snapshot.timestampMs;
    const t = performance.now();
    await store.insertSnapshot(snapshot);
    times.push(performance.now() - t);
  }
  return times;
}

function sizes(): void {
  const db = new DatabaseSync(path, { readOnly: true });
  const tables = db.prepare("SELECT name, sum(pgsize) AS bytes FROM dbstat WHERE name NOT LIKE 'sqlite_%' GROUP BY name ORDER BY bytes DESC").all() as Array<{ name: string; bytes: number }>;
  const count = (table: string): number => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  const pages = db.prepare('SELECT page_count * page_size AS bytes, freelist_count * page_size AS free FROM pragma_page_count, pragma_freelist_count, pragma_page_size').get() as { bytes: number; free: number };
  const rawRows = count('raw');
  const recentRows = count('recent');
  const bytesOf = (name: string): number => tables.find((t) => t.name === name)?.bytes ?? 0;
  db.close();
  out(`file: ${mib(pages.bytes)} (${mib(pages.free)} of it free pages, reused by later inserts)`);
  out(`tables: ${tables.map((t) => `${t.name} ${mib(t.bytes)}`).join(', ')}`);
  out(`raw tier: ${rawRows} snapshots, ${(bytesOf('raw') / rawRows).toFixed(1)} bytes each (target <= 300)`);
  out(`raw tier with the recent window of whole snapshots (${recentRows} deflated, ${(bytesOf('recent') / Math.max(1, recentRows)).toFixed(0)} bytes each): ${((bytesOf('raw') + bytesOf('recent')) / rawRows).toFixed(1)} bytes per snapshot`);
  out(`whole file per raw-tier snapshot (rollups and episodes included): ${((pages.bytes - pages.free) / rawRows).toFixed(1)} bytes`);
}

const query = (spanMs: number): HistoryQuery => ({ startMs: nowMs - spanMs, endMs: nowMs, fields: [], maxPoints: 1000 });

async function timeQueries(store: SqliteStore, label: string, spanMs: number, runs: number): Promise<void> {
  const times: number[] = [];
  let points = 0;
  let tier = '';
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const result = await store.history(query(spanMs));
    times.push(performance.now() - t);
    tier = result.tier;
    points = Math.max(...Object.values(result.series).map((p) => p.length));
  }
  out(`history ${label} at 1,000 points (${tier} tier, ${points} points per series): median ${median(times).toFixed(1)} ms, p95 ${percentile(times, 95).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms`);
}

// How late a tick scheduled every 100 ms runs (each tick inserts a snapshot), for `ms`.
async function tickLateness(store: SqliteStore, ms: number, index: { next: number }): Promise<number[]> {
  const late: number[] = [];
  const until = performance.now() + ms;
  let due = performance.now() + 100;
  while (performance.now() < until) {
    await sleep(Math.max(0, due - performance.now()));
    late.push(performance.now() - due);
    const snapshot = simulator.snapshot(index.next++);
    nowMs = snapshot.timestampMs;
    await store.insertSnapshot(snapshot);
    // rollups and retention every 10 s, on the sampling thread as the daemon runs them
    if (index.next % 100 === 0) await store.runRetention(RETENTION, 50);
    due += 100;
  }
  return late;
}

const summary = (late: number[]): string => `p50 ${median(late).toFixed(1)} ms, p99 ${percentile(late, 99).toFixed(1)} ms, max ${Math.max(...late).toFixed(1)} ms over ${late.length} ticks`;

// The snapshot part: load, sizes, history latency, tick lateness.
async function benchSnapshots(): Promise<void> {
  out(`bench store: ${days} days at ${intervalMs / 1000} s = ${total} snapshots (${values.template} template, simulated values), file ${path}`);
  let store = new SqliteStore({ path, hostId: 'bench', clock });
  const loaded = await load(store);
  out(`load: ${loaded.seconds.toFixed(1)} s (${Math.round(total / loaded.seconds)} snapshots/s in one-hour transactions), of which rollups and retention ${loaded.retentionSeconds.toFixed(1)} s`);
  const latency = await insertLatency(store, 2000);
  out(`one-snapshot insert (the daemon's path, deflate of the whole snapshot included): median ${median(latency).toFixed(3)} ms, p99 ${percentile(latency, 99).toFixed(3)} ms`);
  while (!(await store.runRetention(RETENTION, 50)).complete);
  await store.close();
  sizes();

  store = new SqliteStore({ path, hostId: 'bench', clock });
  await store.history(query(60_000));
  await timeQueries(store, '24 h', DAY_MS, 30);
  await timeQueries(store, '7 d', 7 * DAY_MS, 10);
  await timeQueries(store, '30 d', 30 * DAY_MS, 10);
  await timeQueries(store, '8 h (the longest span read from raw rows at 1,000 points)', 8 * 3_600_000, 10);

  const index = { next: total + 2000 };
  out(`tick lateness, idle: ${summary(await tickLateness(store, 5000, index))}`);
  let querying = true;
  let queries = 0;
  const background = (async () => {
    while (querying) {
      await store.history(query(30 * DAY_MS));
      queries++;
    }
  })();
  const busy = await tickLateness(store, 10_000, index);
  querying = false;
  await background;
  out(`tick lateness while ${queries} 30-day queries ran in the worker: ${summary(busy)} (target: none later than 100 ms)`);
  await store.close();

  // The same queries on this thread: the CPU time they cost (wall time above includes waiting for
  // a core when the machine is busy), and how long they would block sampling if run here.
  const reader = new SqliteReader(openReader(path));
  for (const [label, spanMs] of [['24 h', DAY_MS], ['30 d', 30 * DAY_MS]] as const) {
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      const before = process.threadCpuUsage();
      await reader.history(query(spanMs));
      const used = process.threadCpuUsage(before);
      wall.push(performance.now() - t);
      cpu.push((used.user + used.system) / 1000);
    }
    out(`history ${label} on the calling thread: CPU median ${median(cpu).toFixed(1)} ms, wall median ${median(wall).toFixed(1)} ms (what sampling would wait without the worker)`);
  }
  reader.close();
}

out(`load average at the start: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} on ${availableParallelism()} CPUs`);
if (values.part !== 'events') await benchSnapshots();
if (values.part !== 'snapshots') await benchEvents(dir, out);
out(`load average at the end: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} on ${availableParallelism()} CPUs`);
if (values.keep) out(`kept ${dir}`);
else rmSync(dir, { recursive: true, force: true });
