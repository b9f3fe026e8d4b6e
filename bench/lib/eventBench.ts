// The host-event part of `npm run bench -- store`: inserts in batches of 500 on the calling thread
// (as the daemon does), the bytes each event takes in the file, the newest 100 of a filter among
// 1 M events through the query worker, and budgeted retention deleting the oldest tenth.
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import type { EventQuery, RetentionSettings } from '../../src/store/store.ts';
import { simulatedEvents } from '../../test/helpers/simulatedEvents.ts';
import { median, percentile } from './stats.ts';

const BATCH = 500;
const TIMED_EVENTS = 100_000;
const TOTAL_EVENTS = 1_000_000;
// one event every 2 s: 1 M events span 23 days, inside the default 30-day retention
const SPACING_MS = 2000;

type Out = (line: string) => void;

// Bytes of the event table and its indexes, and of the whole file, per event.
function sizes(path: string, out: Out): void {
  const db = new DatabaseSync(path, { readOnly: true });
  const objects = db.prepare("SELECT name, sum(pgsize) AS bytes FROM dbstat WHERE name = 'event' OR name LIKE 'event_%' OR name LIKE 'sqlite_autoindex_event%' GROUP BY name ORDER BY bytes DESC").all() as Array<{ name: string; bytes: number }>;
  const events = (db.prepare('SELECT count(*) AS n FROM event').get() as { n: number }).n;
  const file = db.prepare('SELECT page_count * page_size AS bytes, freelist_count * page_size AS free FROM pragma_page_count, pragma_freelist_count, pragma_page_size').get() as { bytes: number; free: number };
  const body = (db.prepare('SELECT avg(length(body)) AS b FROM event').get() as { b: number }).b;
  db.close();
  const tableAndIndexes = objects.reduce((sum, o) => sum + o.bytes, 0);
  out(`  ${events} events: ${(tableAndIndexes / events).toFixed(1)} bytes each in the table and its indexes (${objects.map((o) => `${o.name} ${(o.bytes / events).toFixed(1)}`).join(', ')}); JSON body ${body.toFixed(0)} bytes on average`);
  out(`  whole file ${(file.bytes / 1048576).toFixed(1)} MiB = ${((file.bytes - file.free) / events).toFixed(1)} bytes per event`);
}

// Wall time and CPU time of each batch (the machine may be busy: CPU time is what the batch costs).
async function insert(store: SqliteStore, from: number, to: number, startMs: number): Promise<{ wallMs: number[]; cpuMs: number[] }> {
  const wallMs: number[] = [];
  const cpuMs: number[] = [];
  for (let index = from; index < to; index += BATCH) {
    const events = simulatedEvents(index, Math.min(to, index + BATCH), { startMs, host: 'bench', spacingMs: SPACING_MS });
    const t = performance.now();
    const before = process.threadCpuUsage();
    await store.saveEvents(events);
    const used = process.threadCpuUsage(before);
    wallMs.push(performance.now() - t);
    cpuMs.push((used.user + used.system) / 1000);
  }
  return { wallMs, cpuMs };
}

const batchSummary = (b: { wallMs: number[]; cpuMs: number[] }): string =>
  `wall median ${median(b.wallMs).toFixed(2)} ms, p99 ${percentile(b.wallMs, 99).toFixed(2)} ms, max ${Math.max(...b.wallMs).toFixed(2)} ms; CPU median ${median(b.cpuMs).toFixed(2)} ms, p99 ${percentile(b.cpuMs, 99).toFixed(2)} ms`;

async function timeQuery(store: SqliteStore, label: string, query: EventQuery, out: Out): Promise<void> {
  const times: number[] = [];
  let found = 0;
  for (let run = 0; run < 30; run++) {
    const t = performance.now();
    found = (await store.events(query)).length;
    times.push(performance.now() - t);
  }
  out(`  ${label}: ${found} events, median ${median(times).toFixed(2)} ms, p95 ${percentile(times, 95).toFixed(2)} ms`);
}

export async function benchEvents(dir: string, out: Out): Promise<void> {
  const path = join(dir, 'events.db');
  const startMs = Date.now() - TOTAL_EVENTS * SPACING_MS;
  let nowMs = Date.now();
  const open = (): SqliteStore => new SqliteStore({ path, hostId: 'bench', clock: { now: () => nowMs } });
  let store = open();
  out(`host events: ${TIMED_EVENTS} timed, then up to ${TOTAL_EVENTS}, batches of ${BATCH}, one event every ${SPACING_MS / 1000} s of simulated time (exec/exit pairs, 2 % guard signals, 0.1 % OOM victims and trace losses)`);
  const began = performance.now();
  const timed = await insert(store, 0, TIMED_EVENTS, startMs);
  const seconds = (performance.now() - began) / 1000;
  out(`  insert: ${Math.round(TIMED_EVENTS / seconds)} events/s (generating them included); one batch of ${BATCH} on the calling thread: ${batchSummary(timed)}`);
  await store.close();
  sizes(path, out);

  store = open();
  const rest = await insert(store, TIMED_EVENTS, TOTAL_EVENTS, startMs);
  out(`  insert up to ${TOTAL_EVENTS}: ${Math.round((TOTAL_EVENTS - TIMED_EVENTS) / (rest.wallMs.reduce((a, b) => a + b, 0) / 1000))} events/s in saveEvents; batches ${batchSummary(rest)}`);
  await store.close();
  sizes(path, out);

  store = open();
  out(`  newest 100 among ${TOTAL_EVENTS} (through the query worker):`);
  await timeQuery(store, 'no filter', { limit: 100 }, out);
  await timeQuery(store, "type 'exec' (47 % of events)", { types: ['exec'], limit: 100 }, out);
  await timeQuery(store, "type 'guard_signal' (2 %)", { types: ['guard_signal'], limit: 100 }, out);
  await timeQuery(store, "type 'oom_victim' (0.1 %)", { types: ['oom_victim'], limit: 100 }, out);
  await timeQuery(store, "types 'guard_signal', 'oom_victim', 'trace_loss'", { types: ['guard_signal', 'oom_victim', 'trace_loss'], limit: 100 }, out);
  await timeQuery(store, 'one pid', { pid: 10_000 + TOTAL_EVENTS / 4, limit: 100 }, out);
  await timeQuery(store, "type 'exec' in one hour a week ago", { types: ['exec'], startMs: Date.now() - 7 * 86_400_000, endMs: Date.now() - 7 * 86_400_000 + 3_600_000, limit: 100 }, out);
  await timeQuery(store, "comm 'make' (10 %, no index: a scan of the time index)", { comm: 'make', limit: 100 }, out);
  await timeQuery(store, "comm 'make' and type 'oom_victim'", { comm: 'make', types: ['oom_victim'], limit: 100 }, out);

  // Retention: the oldest tenth expires; the daemon's budget of 50 ms per run.
  const settings: RetentionSettings = { rawSeconds: 7 * 86_400, minuteSeconds: 30 * 86_400, hourSeconds: 365 * 86_400, eventSeconds: 30 * 86_400, alertSeconds: 365 * 86_400 };
  nowMs = startMs + (TOTAL_EVENTS / 10) * SPACING_MS + settings.eventSeconds * 1000;
  const runs: number[] = [];
  let deleted = 0;
  for (let complete = false; !complete; ) {
    const t = performance.now();
    const report = await store.runRetention(settings, 50);
    runs.push(performance.now() - t);
    deleted += report.deletedRows;
    complete = report.complete;
  }
  const total = runs.reduce((a, b) => a + b, 0);
  out(`  retention: ${deleted} expired events deleted in ${runs.length} runs of budget 50 ms (first ${runs[0]?.toFixed(1)} ms, median ${median(runs).toFixed(1)} ms, p95 ${percentile(runs, 95).toFixed(1)} ms, longest ${Math.max(...runs).toFixed(1)} ms), ${Math.round(deleted / (total / 1000))} events/s`);
  await store.close();
}
