// Benchmark of the daemon's API: `npm run bench -- api [--seconds 20] [--connections 100] [--rate 10000] [--days 2] [--tool wrk|autocannon]
// [--paths /api/v1/metrics/current,/metrics,/health] [--bin PATH] [--log-level LEVEL] [--quick] [--ws 2000] [--floor]
// [--against PATH [--rounds 3]] [--fixture]`.
// Starts `hostguard serve` (bin/hostguard.js, as installed, or --bin: another build's, to compare) on a
// history of --days simulated days, then req/s and latency of each of --paths at --connections for --seconds (closed
// loop: each connection sends its next request when the answer arrives) with wrk (Debian wrk; C, so
// the load generator takes less of the 2 CPUs) or autocannon; the latency of /api/v1/metrics/current
// at a fixed --rate (open loop, autocannon); and how late sampling ticks run (a second daemon sampling
// every 100 ms) while 30-day history queries run back to back. --quick: the closed-loop runs only.
// --ws N: N WebSocket handshakes, 10 at a time, each until the first snapshot arrives (0: none).
// --floor: then the same wrk run against node:http and a bare fastify route answering the daemon's
// /api/v1/metrics/current body as a constant (bench/lib/floorServer.ts): what HTTP costs here at all.
// CPU per request is the server's CPU time (all threads, and the event loop alone) over the requests
// answered: the figure the load of other processes on this machine disturbs least.
// --against PATH: instead, this build and the build of PATH (its bin/hostguard.js), and the floors with
// --floor, each loaded by its own wrk at the same moment, --rounds times, on the first of --paths: the
// comparison that the machine's load, changing from one run to the next, disturbs least.
// --fixture: the daemons read test/fixtures' /proc, /sys and /etc, so every build serves the same body.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import WebSocket from 'ws';
import { Snapshotter } from '../src/collect/snapshotter.ts';
import { SqliteStore } from '../src/store/sqlite/sqliteStore.ts';
import { SnapshotSimulator } from '../test/helpers/simulatedSnapshots.ts';
import { describeRun, type Load, type LoadResult, type Measured, measure, perRequestUs, wrk } from './lib/load.ts';
import { median, percentile } from './lib/stats.ts';

const haveWrk = spawnSync('wrk', ['--version']).error === undefined;
const { values } = parseArgs({ options: { seconds: { type: 'string', default: '20' }, connections: { type: 'string', default: '100' }, rate: { type: 'string', default: '10000' }, days: { type: 'string', default: '2' }, tool: { type: 'string', default: haveWrk ? 'wrk' : 'autocannon' }, paths: { type: 'string', default: '/api/v1/metrics/current,/metrics,/health' }, bin: { type: 'string' }, 'log-level': { type: 'string' }, quick: { type: 'boolean', default: false }, floor: { type: 'boolean', default: false }, against: { type: 'string' }, rounds: { type: 'string', default: '3' }, fixture: { type: 'boolean', default: false }, ws: { type: 'string', default: '2000' } } });
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const rate = Number(values.rate);
const days = Number(values.days);
if (!(seconds >= 1) || !(connections >= 1) || !(rate >= 1) || !(days > 0) || !(Number(values.rounds) >= 1) || !['wrk', 'autocannon'].includes(values.tool) || (values.tool === 'wrk' && !haveWrk)) {
  process.stderr.write('bench api: --seconds, --connections, --rate and --rounds must be at least 1, --days above 0, --tool wrk (installed: apt-get install wrk) or autocannon\n');
  process.exit(2);
}

const out = (line: string): boolean => process.stdout.write(`${line}\n`);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const loadavg = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const BIN = values.bin ?? fileURLToPath(new URL('../bin/hostguard.js', import.meta.url));
// HOSTGUARD_LOG_LEVEL only when asked: a build from before [log] would refuse the variable.
const daemonEnv = { ...process.env, ...(values['log-level'] === undefined ? {} : { HOSTGUARD_LOG_LEVEL: values['log-level'] }) };
const dir = mkdtempSync(join(tmpdir(), 'hostguard-bench-api-'));
const db = join(dir, 'hostguard.db');
const daemons: ChildProcess[] = [];

function stopAll(): void {
  for (const child of daemons) if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
process.on('exit', stopAll);
process.on('SIGINT', () => process.exit(130));
// SIGTERM too (kill, timeout): the exit handler then stops what the bench started.
process.on('SIGTERM', () => process.exit(143));

// --days of snapshots every 2 s, written the way the daemon's store keeps them (rollups included).
async function prefill(): Promise<number> {
  const intervalMs = 2000;
  const total = Math.round((days * 86_400_000) / intervalMs);
  const snapshotter = new Snapshotter();
  snapshotter.collect();
  await sleep(1000);
  const template = snapshotter.collect();
  snapshotter.close();
  const startMs = Date.now() - total * intervalMs;
  let nowMs = startMs;
  const simulator = new SnapshotSimulator({ startMs, intervalMs, template });
  const store = new SqliteStore({ path: db, hostId: template.system?.hostname ?? 'bench', clock: { now: () => nowMs } });
  const retention = { rawSeconds: 7 * 86_400, minuteSeconds: 30 * 86_400, hourSeconds: 365 * 86_400, eventSeconds: 30 * 86_400, alertSeconds: 365 * 86_400 };
  for (let index = 0; index < total; index += 1800) {
    const batch = Array.from({ length: Math.min(1800, total - index) }, (_, i) => simulator.snapshot(index + i));
    nowMs = batch.at(-1)?.timestampMs ?? nowMs;
    await store.insertSnapshots(batch);
    while (!(await store.runRetention(retention, 200)).complete);
  }
  await store.close();
  return total;
}

// A port nobody listens on now: bind port 0 on loopback, note the port, let it go.
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

// On a port chosen here, so that any build and any log level (which may not print the start line)
// is found the same way: by asking until it answers.
const FIXTURES = fileURLToPath(new URL('../test/fixtures/', import.meta.url));
const fixtureArgs = values.fixture ? ['--proc-root', `${FIXTURES}collect-proc`, '--sys-root', `${FIXTURES}collect-sys`, '--etc-root', `${FIXTURES}collect-etc`] : [];

async function startDaemon(config: string, bin = BIN): Promise<{ child: ChildProcess; url: string }> {
  const file = join(dir, `config-${daemons.length}.toml`);
  writeFileSync(file, config);
  const port = await freePort();
  const child = spawn(process.execPath, [bin, 'serve', '--listen', `127.0.0.1:${port}`, '--db', db, '--config', file, ...fixtureArgs], { cwd: dir, env: daemonEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  daemons.push(child);
  // The first 64 KiB of its output, for the error below (at debug level every request is a line).
  let output = '';
  const read = (chunk: Buffer): void => {
    if (output.length < 65_536) output += chunk.toString();
  };
  child.stdout?.on('data', read);
  child.stderr?.on('data', read);
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`hostguard serve exited with ${child.exitCode}:\n${output}`);
    const status = await fetch(`${url}/api/v1/metrics/current`).then((r) => r.status, () => 0);
    if (status === 200) return { child, url };
    await sleep(50);
  }
}

async function stopDaemon(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

function cannon(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

async function autocannonLoad(url: string, durationSeconds: number): Promise<LoadResult> {
  const r = await cannon({ url, connections, duration: durationSeconds });
  return { requestsPerSecond: r.requests.average, total: r.requests.total, failed: r.errors + r.timeouts + r.non2xx, p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max, bytesPerAnswer: r.throughput.average / Math.max(1, r.requests.average) };
}

const load: Load = values.tool === 'wrk' ? wrk(connections) : autocannonLoad;

async function closedLoop(base: string, path: string, pid: number, label = path): Promise<void> {
  await load(`${base}${path}`, 2);
  out(describeRun(label, values.tool, await measure(load, `${base}${path}`, pid, seconds), loadavg()));
}

// A floor server answering body at /current (see --floor).
async function startFloor(kind: 'http' | 'fastify', body: Buffer): Promise<{ child: ChildProcess; url: string; label: string }> {
  const bodyFile = join(dir, 'current.json');
  writeFileSync(bodyFile, body);
  const script = fileURLToPath(new URL('./lib/floorServer.ts', import.meta.url));
  const child = spawn(process.execPath, [script, kind, bodyFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  daemons.push(child);
  const port = await new Promise<string>((resolve) => child.stdout?.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())));
  return { child, url: `http://127.0.0.1:${port}/current`, label: `floor, ${kind === 'http' ? 'node:http' : 'bare fastify route'}, the same ${body.length} bytes` };
}

// The floors: the daemon's current body as a constant, from node:http and from a bare fastify route.
async function floors(body: Buffer): Promise<void> {
  for (const kind of ['http', 'fastify'] as const) {
    const floor = await startFloor(kind, body);
    await load(floor.url, 2);
    out(describeRun(floor.label, values.tool, await measure(load, floor.url, floor.child.pid ?? 0, seconds), loadavg()));
    await stopDaemon(floor.child);
  }
}

// --against: every server loaded at the same moment, each by its own wrk, --rounds times.
async function together(path: string, against: string): Promise<void> {
  const servers: Array<{ label: string; pid: number; url: string }> = [];
  for (const [label, bin] of [[`this build (${BIN})`, BIN], [`against (${against})`, against]] as const) {
    const { child, url } = await startDaemon('', bin);
    servers.push({ label, pid: child.pid ?? 0, url: `${url}${path}` });
  }
  if (values.floor) {
    const body = Buffer.from(await (await fetch(servers[0]?.url ?? '')).arrayBuffer());
    for (const kind of ['http', 'fastify'] as const) {
      const floor = await startFloor(kind, body);
      servers.push({ label: floor.label, pid: floor.child.pid ?? 0, url: floor.url });
    }
  }
  const runs = servers.map((): Measured[] => []);
  for (let round = 1; round <= Number(values.rounds); round++) {
    await Promise.all(servers.map((server) => load(server.url, 2)));
    const measured = await Promise.all(servers.map((server) => measure(load, server.url, server.pid, seconds)));
    measured.forEach((m, i) => {
      runs[i]?.push(m);
      out(`round ${round}, together: ${describeRun(servers[i]?.label ?? '', values.tool, m, loadavg())}`);
    });
  }
  servers.forEach((server, i) => {
    const rows = runs[i] ?? [];
    const med = (pick: (m: Measured) => number): number => median(rows.map(pick));
    out(`median of ${rows.length}, ${server.label}: ${Math.round(med((m) => m.requestsPerSecond))} req/s, p50 ${med((m) => m.p50).toFixed(2)} ms, p99 ${med((m) => m.p99).toFixed(2)} ms; ${med((m) => perRequestUs(m.cpuSeconds, m)).toFixed(1)} us per request (main thread ${med((m) => perRequestUs(m.loopCpuSeconds, m)).toFixed(1)} us)`);
  });
}

async function openLoop(base: string, path: string): Promise<void> {
  const r = await cannon({ url: `${base}${path}`, connections, duration: seconds, overallRate: rate });
  out(`${path} at a fixed ${rate} req/s (autocannon; its own event loop adds to the latency it measures): ${Math.round(r.requests.average)} req/s served, latency p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, p99.9 ${r.latency.p99_9} ms, max ${r.latency.max} ms, ${r.errors + r.timeouts + r.non2xx} failed`);
}

// One client: connect to /ws, wait for the snapshot sent on connect, close; milliseconds.
function wsRoundTrip(url: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('message', () => {
      resolve(performance.now() - started);
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

async function handshakes(base: string, count: number): Promise<void> {
  const url = `${base.replace('http:', 'ws:')}/ws`;
  const times: number[] = [];
  const started = performance.now();
  await Promise.all(Array.from({ length: 10 }, async () => {
    while (times.length < count) times.push(await wsRoundTrip(url));
  }));
  const perSecond = times.length / ((performance.now() - started) / 1000);
  out(`/ws: ${times.length} clients, 10 at a time, each from connect to the first snapshot: ${Math.round(perSecond)} per second, p50 ${median(times).toFixed(2)} ms, p99 ${percentile(times, 99).toFixed(2)} ms`);
}

interface Lateness {
  maxSeconds: number;
  over100ms: number;
  ticks: number;
}
async function lateness(url: string): Promise<Lateness> {
  const status = (await (await fetch(`${url}/api/v1/monitoring/status`)).json()) as { sampler: { tickLateness: Lateness } };
  return status.sampler.tickLateness;
}

async function latenessUnderQueries(): Promise<void> {
  const sampling = ['idle', 'normal', 'intensive', 'critical'].map((level) => `[sampler.${level}]\ninterval = "100ms"\n`).join('');
  const { child, url } = await startDaemon(sampling);
  await sleep(3000);
  const idle = await lateness(url);
  const times: number[] = [];
  const until = performance.now() + 10_000;
  const queries = ['30d', '24h', '7d'].map((span) => `${url}/api/v1/metrics/history?start=-${span}&max_points=1000`);
  await Promise.all(
    [0, 1, 2, 3].map(async (worker) => {
      for (let i = worker; performance.now() < until; i++) {
        const t = performance.now();
        const response = await fetch(queries[i % queries.length] ?? url);
        await response.arrayBuffer();
        times.push(performance.now() - t);
      }
    }),
  );
  const busy = await lateness(url);
  await stopDaemon(child);
  out(`tick lateness, sampling every 100 ms: idle 3 s max ${(idle.maxSeconds * 1000).toFixed(0)} ms; while ${times.length} history queries (30 d, 24 h, 7 d at 1,000 points, 4 at a time) ran for 10 s: max ${(busy.maxSeconds * 1000).toFixed(0)} ms, ${busy.over100ms} of ${busy.ticks} ticks later than 100 ms (target: none); query latency median ${median(times).toFixed(0)} ms, p95 ${percentile(times, 95).toFixed(0)} ms`);
}

out(`bench api: ${BIN}, ${connections} connections, ${seconds} s per run, node ${process.version}, ${availableParallelism()} CPUs, load average ${loadavg()}${values['log-level'] ? `, log level ${values['log-level']}` : ''}`);
const prefilled = await prefill();
if (values.against !== undefined) {
  out(`history: ${days} simulated days at 2 s (${prefilled} snapshots) in ${db}`);
  await together(values.paths.split(',')[0] ?? '/api/v1/metrics/current', values.against);
  out(`load average at the end: ${loadavg()}`);
  process.exit(0);
}
out(`history: ${days} simulated days at 2 s (${prefilled} snapshots) in ${db}`);
const daemon = await startDaemon('');
const pid = daemon.child.pid ?? 0;
for (const path of values.paths.split(',')) await closedLoop(daemon.url, path, pid);
if (Number(values.ws) > 0) await handshakes(daemon.url, Number(values.ws));
if (!values.quick) await openLoop(daemon.url, '/api/v1/metrics/current');
const status = (await (await fetch(`${daemon.url}/api/v1/monitoring/status`)).json()) as { sampler: { level: string; collections: number; collectionSeconds: { mean: number; max: number } } };
out(`sampler during the runs: level ${status.sampler.level}, ${status.sampler.collections} collections, mean ${(status.sampler.collectionSeconds.mean * 1000).toFixed(0)} ms, max ${(status.sampler.collectionSeconds.max * 1000).toFixed(0)} ms each, in the sampling thread`);
const currentBody = values.floor ? Buffer.from(await (await fetch(`${daemon.url}/api/v1/metrics/current`)).arrayBuffer()) : undefined;
await stopDaemon(daemon.child);
if (currentBody) await floors(currentBody);
if (!values.quick) await latenessUnderQueries();
out(`load average at the end: ${loadavg()}`);
