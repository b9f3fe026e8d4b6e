// Benchmark of the alert system (npm run bench -- alerts [--count N] [--budget-seconds S] [--rounds R]
// [--channels json-files,syslog,webhook,dbus,script] [--with-script]): N alerts through the local
// channels (JSON files, syslog to a local socket, a loopback webhook, D-Bus on a private session bus;
// the script channel only when asked for), first alone, then beside a dead
// webhook that accepts connections and never answers. Prints alerts/s and delivery counts per channel,
// the healthy channels' latency with and without the dead one, and how late 100 ms timers run meanwhile:
// one on the alert system's own event loop, one in a worker thread as the daemon's sampler runs.
// Every alert has its own key and the per-minute cap is lifted, so noise control lets all N through.
// The receivers run in a child process (this script with --receivers), as they would on a real host.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, type Socket, createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { type AlertChannel, DEFAULT_DELIVERY, type DeliveryStatus } from '../src/alert/channel.ts';
import { dbusChannel } from '../src/alert/channels/dbusAlerts.ts';
import { jsonFilesChannel } from '../src/alert/channels/jsonFiles.ts';
import { scriptChannel } from '../src/alert/channels/script.ts';
import { syslogChannel } from '../src/alert/channels/syslogAlerts.ts';
import { webhookChannel } from '../src/alert/channels/webhook.ts';
import type { Alert } from '../src/alert/model.ts';
import { AlertSystem, type ConfiguredChannel } from '../src/alert/system.ts';
import { serveNotifications, startDaemon } from '../test/helpers/dbusDaemons.ts';
import { startReceiver } from '../test/helpers/syslogReceiver.ts';
import { median, percentile } from './lib/stats.ts';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '10000' },
    'budget-seconds': { type: 'string', default: '120' },
    channels: { type: 'string', default: 'json-files,syslog,webhook,dbus' },
    rounds: { type: 'string', default: '1' },
    'with-script': { type: 'boolean', default: false },
    receivers: { type: 'boolean', default: false },
  },
});

interface Endpoints {
  webhookUrl: string;
  deadUrl: string;
  logSocket: string;
  busAddress: string;
}
type Counts = Record<'webhook' | 'deadConnections' | 'notifications' | 'foreignNotifications' | 'syslog', number>;

// --receivers: start every receiver, print their addresses, answer "counts" on stdin, stop at EOF.
async function serveReceivers(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hg-bench-receivers-'));
  let webhook = 0;
  const http = createHttpServer((req, res) => {
    req.resume().on('end', () => {
      webhook++;
      res.writeHead(204).end();
    });
  });
  const held: Socket[] = [];
  const dead = createServer((socket) => {
    socket.on('error', () => undefined);
    held.push(socket);
  });
  await Promise.all([http, dead].map((server) => new Promise<void>((done) => server.listen(0, '127.0.0.1', done))));
  const log = await startReceiver(join(dir, 'log.sock'));
  const bus = await startDaemon(['--session']);
  const notifications = await serveNotifications(bus.address);
  // A logged-in graphical user's process, as far as the D-Bus channel's session scan can tell.
  const holder = spawn('sleep', ['3600'], { env: { DISPLAY: ':99', DBUS_SESSION_BUS_ADDRESS: bus.address }, stdio: 'ignore' });
  const port = (server: typeof http | typeof dead): number => (server.address() as AddressInfo).port;
  const endpoints: Endpoints = { webhookUrl: `http://127.0.0.1:${port(http)}/hook`, deadUrl: `http://127.0.0.1:${port(dead)}/hook`, logSocket: join(dir, 'log.sock'), busAddress: bus.address };
  console.log(JSON.stringify(endpoints));
  const lines = createInterface({ input: process.stdin });
  for await (const _line of lines) {
    // The bus is found by scanning /proc, so another program doing the same may notify it too.
    const ours = notifications.calls.filter((call) => /^bench \d+$/.test(call.summary)).length;
    const counts: Counts = { webhook, deadConnections: held.length, notifications: ours, foreignNotifications: notifications.calls.length - ours, syslog: log.datagrams.length };
    console.log(JSON.stringify(counts));
  }
  holder.kill('SIGKILL');
  notifications.client.close();
  await bus.stop();
  await log.stop();
  for (const socket of held) socket.destroy();
  http.closeAllConnections();
  await Promise.all([http, dead].map((server) => new Promise((done) => server.close(done))));
  rmSync(dir, { recursive: true, force: true });
}

// The receivers' child process, and a way to ask it what arrived.
async function startReceivers(): Promise<{ endpoints: Endpoints; counts(): Promise<Counts>; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [process.argv[1] ?? '', '--receivers'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async <T>(): Promise<T> => {
    const line = (await lines.next()).value as string | undefined;
    if (line === undefined) throw new Error(`the receivers' process (pid ${child.pid}) ended early`);
    return JSON.parse(line) as T;
  };
  const endpoints = await next<Endpoints>();
  return {
    endpoints,
    counts: () => {
      child.stdin.write('counts\n');
      return next<Counts>();
    },
    stop: () =>
      new Promise<void>((done) => {
        child.once('exit', () => done());
        child.stdin.end();
      }),
  };
}

// A sampler-like timer: due every 100 ms (a setTimeout chain, as the sampler schedules its ticks), it
// records how late each tick fires. On a busy machine a tick is also late while the thread waits for
// a CPU; the thread's own CPU time since the last tick bounds the part its own work can explain
// (a tick cannot be held up by more work than the thread did), so `ownBoundMs` separates the two.
interface Lateness {
  lateMs: number[];
  ownBoundMs: number[];
}

function startTimer(): { take: () => Lateness; stop: () => void } {
  const taken: Lateness = { lateMs: [], ownBoundMs: [] };
  let dueMs = performance.now() + 100;
  let cpu = process.threadCpuUsage();
  const tick = (): void => {
    const now = performance.now();
    const lateMs = Math.max(0, now - dueMs);
    const used = process.threadCpuUsage(cpu);
    cpu = process.threadCpuUsage();
    taken.lateMs.push(lateMs);
    taken.ownBoundMs.push(Math.min(lateMs, (used.user + used.system) / 1000));
    dueMs = now + 100;
    timer = setTimeout(tick, 100);
  };
  let timer = setTimeout(tick, 100);
  const take = (): Lateness => ({ lateMs: taken.lateMs.splice(0), ownBoundMs: taken.ownBoundMs.splice(0) });
  return { take, stop: () => clearTimeout(timer) };
}

// The same timer in a worker thread, where the daemon's sampler runs.
function workerTimer(): { take: () => Promise<Lateness>; stop: () => Promise<number> } {
  const source = `const { parentPort } = require('node:worker_threads'); const timer = (${startTimer.toString()})();
    parentPort.on('message', () => parentPort.postMessage(timer.take()));`;
  const worker = new Worker(source, { eval: true });
  return {
    take: () =>
      new Promise((done) => {
        worker.once('message', done);
        worker.postMessage('take');
      }),
    stop: () => worker.terminate(),
  };
}

interface ChannelFigures {
  name: string;
  sent: number;
  failed: number;
  firstFailure?: string;
  perSecond: number;
  serviceMs: number[];
  endToEndMs: number[];
}

interface PhaseResult {
  label: string;
  seconds: number;
  complete: boolean;
  channels: ChannelFigures[];
  main: Lateness;
  worker: Lateness;
  received: Counts;
}

type Receivers = Awaited<ReturnType<typeof startReceivers>>;

type ClosableChannel = AlertChannel & { close?: () => Promise<void> };

// Every channel of a run, stopped when the run ends: its backlog then fails at once instead of
// running on (the dead webhook for hours, a slow channel past the budget) into the following runs.
function stoppable(channel: ClosableChannel): ClosableChannel & { stop(): void; drain(): Promise<unknown> } {
  let stopped = false;
  let stop = (): void => undefined;
  const over = new Promise<never>((_resolve, reject) => (stop = () => reject(new Error('the run is over'))));
  over.catch(() => undefined);
  const inFlight = new Set<Promise<void | string>>();
  return {
    name: channel.name,
    send(alert, event, signal, attempt) {
      if (stopped) return Promise.reject(new Error('the run is over'));
      const work = channel.send(alert, event, signal, attempt);
      inFlight.add(work);
      work.then(
        () => inFlight.delete(work),
        () => inFlight.delete(work),
      );
      return Promise.race([work, over]);
    },
    stop() {
      stopped = true;
      stop();
    },
    // Sends already begun, so a folder is not removed while a late write recreates it.
    drain: () => Promise.allSettled([...inFlight]),
    ...(channel.close ? { close: channel.close } : {}),
  };
}
const CHANNELS: Record<string, (endpoints: Endpoints, dir: string) => ClosableChannel> = {
  'json-files': (_endpoints, dir) => jsonFilesChannel({ directory: join(dir, 'json'), maxFiles: 1_000_000 }),
  syslog: (endpoints) => syslogChannel({ socketPath: endpoints.logSocket, tag: 'hostguard-bench' }),
  webhook: (endpoints) => webhookChannel({ name: 'webhook', url: endpoints.webhookUrl }),
  dbus: () => dbusChannel(),
  script: (_endpoints, dir) => {
    const script = join(dir, 'hook.sh');
    writeFileSync(script, '#!/bin/sh\ncat > /dev/null\n');
    chmodSync(script, 0o755);
    return scriptChannel({ path: script });
  },
};

function chosenChannels(): string[] {
  const names = values.channels.split(',').filter((name) => name !== '');
  if (values['with-script'] && !names.includes('script')) names.push('script');
  const unknown = names.filter((name) => !(name in CHANNELS));
  if (unknown.length > 0 || names.length === 0) throw new Error(`--channels ${values.channels}: expected some of ${Object.keys(CHANNELS).join(', ')}`);
  return names;
}

function healthyChannels(endpoints: Endpoints, dir: string): ClosableChannel[] {
  return chosenChannels().map((name) => CHANNELS[name]!(endpoints, dir));
}

// How far the healthy channels have got: alerts every healthy channel has a final status for.
function settledUpTo(alerts: AlertSystem, raised: Alert[], names: string[], from: number): number {
  let index = from;
  for (; index < raised.length; index++) {
    const ended = new Set(alerts.deliveries(raised[index]!.id).map((s) => s.channel));
    if (!names.every((name) => ended.has(name))) break;
  }
  return index;
}

function figuresOf(name: string, statuses: Array<{ status: DeliveryStatus; alert: Alert }>, startedMs: number): ChannelFigures {
  const sent = statuses.filter((s) => s.status.status === 'sent');
  const failed = statuses.filter((s) => s.status.status !== 'sent');
  const endMs = Math.max(startedMs + 1, ...sent.map((s) => s.status.timeMs + s.status.durationMs));
  return {
    name,
    sent: sent.length,
    failed: failed.length,
    ...(failed[0] ? { firstFailure: failed[0].status.reason ?? failed[0].status.status } : {}),
    perSecond: sent.length / ((endMs - startedMs) / 1000),
    serviceMs: sent.map((s) => s.status.durationMs),
    endToEndMs: sent.map((s) => s.status.timeMs + s.status.durationMs - s.alert.timeMs),
  };
}

async function runPhase(label: string, receivers: Receivers, count: number, withDead: boolean, budgetMs: number): Promise<PhaseResult> {
  const dir = mkdtempSync(join(tmpdir(), 'hg-bench-alerts-'));
  const healthy = healthyChannels(receivers.endpoints, dir).map(stoppable);
  const dead = stoppable(webhookChannel({ name: 'dead-webhook', url: receivers.endpoints.deadUrl }));
  const all = withDead ? [...healthy, dead] : healthy;
  const configured: ConfiguredChannel[] = all.map((channel) => ({ channel, policy: DEFAULT_DELIVERY }));
  // A sub-millisecond clock, so per-delivery times below 1 ms do not round to 0 or 1.
  const nowMs = (): number => performance.timeOrigin + performance.now();
  const alerts = new AlertSystem({ host: 'bench', noise: { rateLimitMs: 60_000, maxPerMinute: Number.MAX_SAFE_INTEGER }, channels: configured, historySize: count, nowMs });
  const names = healthy.map((c) => c.name);
  const before = await receivers.counts();
  const worker = workerTimer();
  await worker.take();
  const timer = startTimer();
  const startedMs = nowMs();
  const raised: Alert[] = [];
  for (let i = 0; i < count; i++) {
    raised.push(alerts.raise({ type: 'ANOMALY', severity: 'warning', title: `bench ${i}`, message: 'synthetic', dedupKey: `bench:${label}:${i}` }));
    // Yield now and then, as alerts arrive between samples rather than in one synchronous burst.
    if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
  }
  // The dead channel never ends its backlog, so completion means the healthy channels' statuses.
  let settled = 0;
  while ((settled = settledUpTo(alerts, raised, names, settled)) < count && nowMs() - startedMs < budgetMs) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const seconds = (nowMs() - startedMs) / 1000;
  timer.stop();
  const lateness = { main: timer.take(), worker: await worker.take() };
  await worker.stop();
  const after = await receivers.counts();
  const received = Object.fromEntries(Object.entries(after).map(([key, value]) => [key, value - before[key as keyof Counts]])) as Counts;
  const channels = names.map((name) => {
    const statuses = raised.flatMap((alert) => alerts.deliveries(alert.id).flatMap((status) => (status.channel === name ? [{ status, alert }] : [])));
    return figuresOf(name, statuses, startedMs);
  });
  for (const channel of all) channel.stop();
  await alerts.idle();
  await Promise.all(all.map((c) => c.drain()));
  await Promise.all(healthy.map((c) => c.close?.()));
  rmSync(dir, { recursive: true, force: true });
  return { label, seconds, complete: settled === count, channels, ...lateness, received };
}

const ms = (list: number[]): string => `median ${median(list).toFixed(1)}, p99 ${percentile(list, 99).toFixed(1)}, max ${Math.max(...list).toFixed(1)} ms`;

function printPhase(result: PhaseResult, count: number): void {
  const overall = result.complete ? `${(count / result.seconds).toFixed(0)} alerts/s overall (${result.seconds.toFixed(2)} s until every healthy delivery ended)` : `INCOMPLETE after the ${result.seconds.toFixed(0)} s budget`;
  console.log(`\n${result.label}: ${overall}`);
  for (const c of result.channels) {
    const share = ((100 * c.sent) / count).toFixed(c.sent === count ? 0 : 1);
    const failure = c.firstFailure ? `; ${c.failed} failed, first: ${c.firstFailure}` : '';
    console.log(`  ${c.name.padEnd(11)} ${String(c.sent).padStart(6)}/${count} sent (${share} %)${failure}, ${c.perSecond.toFixed(0)} alerts/s`);
    console.log(`  ${''.padEnd(11)} per delivery ${ms(c.serviceMs)}; raise to delivered ${ms(c.endToEndMs)}`);
  }
  for (const [where, late] of [["the alert system's thread", result.main] as const, ['a worker thread', result.worker] as const]) {
    console.log(`  100 ms timer lateness on ${where}: ${ms(late.lateMs)} (${late.lateMs.length} ticks)`);
    console.log(`    of which its own work can explain at most: ${ms(late.ownBoundMs)}`);
  }
  const r = result.received;
  const foreign = r.foreignNotifications > 0 ? ` (and ${r.foreignNotifications} from another program)` : '';
  console.log(`  received: webhook ${r.webhook}, D-Bus notifications ${r.notifications}${foreign}, syslog datagrams ${r.syslog}; new connections to the dead webhook ${r.deadConnections}`);
}

const percentChange = (from: number, to: number): string => `${to >= from ? '+' : ''}${(100 * (to / from - 1)).toFixed(0)} %`;

// Per channel and round: median raise-to-delivered latency, median per-delivery time and alerts/s,
// without and with the dead webhook, then the median change over the rounds.
function printComparison(pairs: Array<[PhaseResult, PhaseResult]>): void {
  console.log('\nhealthy channels, without -> with the dead webhook:');
  for (const name of pairs[0]?.[0].channels.map((c) => c.name) ?? []) {
    const changes: number[] = [];
    for (const [round, [base, dead]] of pairs.entries()) {
      const b = base.channels.find((c) => c.name === name);
      const d = dead.channels.find((c) => c.name === name);
      if (!b || !d) continue;
      const [be, de, bs, ds] = [median(b.endToEndMs), median(d.endToEndMs), median(b.serviceMs), median(d.serviceMs)];
      changes.push(de / be - 1);
      const line = `raise to delivered ${be.toFixed(1)} -> ${de.toFixed(1)} ms (${percentChange(be, de)}), per delivery ${bs.toFixed(2)} -> ${ds.toFixed(2)} ms (${percentChange(bs, ds)}), ${b.perSecond.toFixed(0)} -> ${d.perSecond.toFixed(0)} alerts/s`;
      console.log(`  ${name.padEnd(11)} round ${round + 1}: ${line}`);
    }
    const sorted = changes.sort((a, b) => a - b);
    const middle = (sorted[Math.floor((sorted.length - 1) / 2)]! + sorted[Math.ceil((sorted.length - 1) / 2)]!) / 2;
    if (pairs.length > 1) console.log(`  ${name.padEnd(11)} median change of raise to delivered over ${pairs.length} rounds: ${percentChange(1, 1 + middle)}`);
  }
}

async function main(): Promise<void> {
  const count = Number(values.count);
  const budgetMs = Number(values['budget-seconds']) * 1000;
  const rounds = Number(values.rounds);
  if (!Number.isInteger(count) || count <= 0) throw new Error(`--count ${values.count}: expected a positive whole number`);
  if (!(budgetMs > 0)) throw new Error(`--budget-seconds ${values['budget-seconds']}: expected a positive number of seconds`);
  if (!Number.isInteger(rounds) || rounds <= 0) throw new Error(`--rounds ${values.rounds}: expected a positive whole number`);
  const receivers = await startReceivers();
  const load = (): string => loadavg().map((l) => l.toFixed(1)).join(' ');
  try {
    console.log(`alerts benchmark: ${count} alerts per run, distinct keys, no per-minute cap, default delivery policy; budget ${budgetMs / 1000} s per run`);
    console.log(`  ${cpus().length} CPUs, load average ${load()} at the start`);
    await runPhase('warm-up', receivers, Math.min(500, count), false, budgetMs);
    const pairs: Array<[PhaseResult, PhaseResult]> = [];
    for (let round = 1; round <= rounds; round++) {
      const base = await runPhase(`round ${round}, healthy channels only`, receivers, count, false, budgetMs);
      printPhase(base, count);
      const dead = await runPhase(`round ${round}, healthy channels + a dead webhook`, receivers, count, true, budgetMs);
      printPhase(dead, count);
      pairs.push([base, dead]);
    }
    printComparison(pairs);
    console.log(`\nload average ${load()} at the end`);
  } finally {
    await receivers.stop();
  }
}

if (values.receivers) await serveReceivers();
else await main();
