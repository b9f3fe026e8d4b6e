// Benchmark of /metrics rendering: `npm run bench -- exposition [--scrapes 2000] [--http-seconds 10]`.
// The same snapshot of this host (every collector) and the same daemon status rendered by the
// hand-written exposition of src/serve/metricTable.ts and by prom-client (each family a prom-client
// Gauge or Counter whose collect() reads the source at scrape time, the prom-client idiom for values
// owned elsewhere): time per scrape, bytes, and bytes allocated per scrape (heap growth between forced
// collections, over batches in which no other collection ran); then req/s of each way served by
// fastify on loopback to wrk (100 connections, one thread), when wrk is installed.
import { spawn, spawnSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { PerformanceObserver } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import Fastify from 'fastify';
import { Counter, Gauge, Histogram as PromHistogram, Registry } from 'prom-client';
import { Snapshotter } from '../src/collect/snapshotter.ts';
import { renderFamilies } from '../src/serve/exposition.ts';
import { DAEMON_METRICS, type Family, SNAPSHOT_METRICS, type SnapshotSource } from '../src/serve/metricTable.ts';
import { daemonRegistry } from '../src/serve/promDaemon.ts';
import { newDaemonStatus } from '../src/serve/status.ts';
import { readProcStat } from '../src/sys/readHost.ts';
import { median, percentile } from './lib/stats.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const { values } = parseArgs({ options: { scrapes: { type: 'string', default: '2000' }, 'http-seconds': { type: 'string', default: '10' } } });
const scrapes = Number(values.scrapes);
const out = (line: string): boolean => process.stdout.write(`${line}\n`);

function hostSource(): SnapshotSource {
  const snapshotter = new Snapshotter({ topProcesses: 10 });
  snapshotter.collect();
  const snapshot = snapshotter.collect();
  snapshotter.close();
  const stat = readProcStat('/proc', 100);
  return { snapshot, ...(stat.ok ? { cpuSeconds: stat.value.perCpu.flatMap((times, cpu) => (times ? [{ cpu, times }] : [])) } : {}) };
}

const source = hostSource();
const status = newDaemonStatus({ version: '0.1.0', startTimeMs: Date.now(), hostId: 'bench', level: 'normal', intervalMs: 5000, storeKind: 'sqlite', collectors: ['cpu', 'memory', 'disks', 'network', 'temperatures', 'processes', 'usb', 'pressure'] });
for (const seconds of [0.004, 0.012, 0.03, 0.2]) status.sampler.collectionDuration.observe(seconds);
for (const route of ['/api/v1/metrics/current', '/metrics', '/health']) for (const code of [200, 400, 404]) status.httpRequestsTotal.set(`${route} ${code}`, 7);

// The label names each family uses on this host (the table declares none; prom-client needs them).
function labelNames<S>(family: Family<S>, from: S): string[] {
  if (family.type === 'histogram') return [];
  return [...new Set(family.samples(from).flatMap((s) => Object.keys(s.labels ?? {})))];
}

function register<S>(registry: Registry, families: ReadonlyArray<Family<S>>, from: S): void {
  for (const family of families) {
    const names = labelNames(family, from);
    if (family.type === 'histogram') {
      const h = family.histogram(from);
      const metric = new PromHistogram({ name: family.name, help: family.help, buckets: [...h.boundsSeconds], registers: [registry] });
      for (const seconds of [0.004, 0.012, 0.03, 0.2]) metric.observe(seconds);
      continue;
    }
    const samples = family.samples;
    if (family.type === 'gauge') {
      new Gauge({ name: family.name, help: family.help, labelNames: names, registers: [registry], collect() {
        this.reset();
        for (const s of samples(from)) this.set(s.labels ?? {}, s.value);
      } });
    } else {
      new Counter({ name: family.name, help: family.help, labelNames: names, registers: [registry], collect() {
        this.reset();
        for (const s of samples(from)) this.inc(s.labels ?? {}, s.value);
      } });
    }
  }
}

const snapshotRegistry = new Registry();
register(snapshotRegistry, SNAPSHOT_METRICS, source);
const tableDaemon = new Registry();
register(tableDaemon, DAEMON_METRICS, status);
const promDaemon = daemonRegistry(status, { defaultCollectors: false });
const both = Registry.merge([snapshotRegistry, tableDaemon]);

let gcRuns = 0;
new PerformanceObserver((list) => (gcRuns += list.getEntries().length)).observe({ entryTypes: ['gc'] });

async function measure(name: string, scrape: () => string | Promise<string>): Promise<void> {
  for (let i = 0; i < 200; i++) await scrape();
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < scrapes; i++) {
    const started = performance.now();
    bytes = Buffer.byteLength(await scrape());
    times.push((performance.now() - started) * 1000);
  }
  const allocations: number[] = [];
  for (let batch = 0; batch < 20 && allocations.length < 8; batch++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
    const runsBefore = gcRuns;
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 10; i++) await scrape();
    const after = process.memoryUsage().heapUsed;
    await new Promise((resolve) => setImmediate(resolve));
    if (gcRuns === runsBefore + 1) allocations.push((after - before) / 10);
  }
  const allocated = allocations.length === 0 ? 'n/a' : `${Math.round(median(allocations) / 1024)} KiB`;
  out(`${name.padEnd(58)} median ${median(times).toFixed(0).padStart(5)} us, p99 ${percentile(times, 99).toFixed(0).padStart(5)} us; ${bytes} bytes; allocated per scrape ${allocated}`);
}

const seriesCount = (text: string): number => text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
const full = renderFamilies(SNAPSHOT_METRICS, source) + renderFamilies(DAEMON_METRICS, status);
out(`bench exposition: node ${process.version}; this host's snapshot: ${seriesCount(full)} series (${seriesCount(renderFamilies(SNAPSHOT_METRICS, source))} from the snapshot), ${scrapes} scrapes each`);
const cachedSnapshotPart = Buffer.from(renderFamilies(SNAPSHOT_METRICS, source));
await measure('table, everything rendered at each scrape', () => renderFamilies(SNAPSHOT_METRICS, source) + renderFamilies(DAEMON_METRICS, status));
await measure('table, snapshot part cached per snapshot (the daemon today)', () => cachedSnapshotPart.toString('latin1') + renderFamilies(DAEMON_METRICS, status));
await measure('prom-client, everything collected at each scrape', () => both.metrics());
await measure('prom-client, daemon series only (src/serve/promDaemon.ts)', () => promDaemon.metrics());
await measure('table snapshot part cached + prom-client daemon series', async () => cachedSnapshotPart.toString('latin1') + (await promDaemon.metrics()));
const withDefaults = daemonRegistry(status);
await measure('  the same with process_* and nodejs_* (the daemon now)', async () => cachedSnapshotPart.toString('latin1') + (await withDefaults.metrics()));

// req/s of each way behind fastify, as /metrics answers (cached Buffer pieces concatenated, text/plain).
const ways: Record<string, () => Promise<Buffer>> = {
  table: async () => Buffer.concat([cachedSnapshotPart, Buffer.from(renderFamilies(DAEMON_METRICS, status))]),
  'table+prom-client': async () => Buffer.concat([cachedSnapshotPart, Buffer.from(await promDaemon.metrics())]),
  'prom-client': async () => Buffer.from(await both.metrics()),
};
const httpSeconds = Number(values['http-seconds']);
if (spawnSync('wrk', ['--version']).error === undefined && httpSeconds > 0) {
  const app = Fastify();
  for (const [name, body] of Object.entries(ways)) app.get(`/${name}`, async (_request, reply) => reply.type('text/plain; version=0.0.4; charset=utf-8').send(await body()));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  for (const name of Object.keys(ways)) {
    const child = spawn('wrk', ['-t1', '-c100', `-d${httpSeconds}s`, '--latency', `http://127.0.0.1:${port}/${name}`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    await new Promise((resolve) => child.once('exit', resolve));
    const p = (label: string): string => new RegExp(`${label}\\s+([\\d.]+\\w+)`).exec(text)?.[1] ?? '?';
    out(`/metrics as ${name.padEnd(18)} ${Math.round(Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1])).toString().padStart(6)} req/s, p50 ${p('50%')}, p99 ${p('99%')} (wrk, 100 connections, ${httpSeconds} s; ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} load)`);
  }
  await app.close();
}
