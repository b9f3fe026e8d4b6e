// One run of the alert benchmark: N alerts through the healthy channels (and maybe one dead
// channel), raised as fast as possible (a storm) or at a fixed rate; measures each healthy
// channel's deliveries, the process's CPU time, and how late 100 ms timers fire meanwhile.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type AlertChannel, DEFAULT_DELIVERY, type DeliveryStatus } from '../../src/alert/channel.ts';
import { dbusChannel } from '../../src/alert/channels/dbusAlerts.ts';
import { jsonFilesChannel } from '../../src/alert/channels/jsonFiles.ts';
import { scriptChannel } from '../../src/alert/channels/script.ts';
import { syslogChannel } from '../../src/alert/channels/syslogAlerts.ts';
import { webhookChannel } from '../../src/alert/channels/webhook.ts';
import { AlertSystem } from '../../src/alert/system.ts';
import type { Counts, Endpoints, Receivers } from './alertReceivers.ts';

const uid = process.geteuid?.() ?? 0;

function script(dir: string, name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

export const HEALTHY: Record<string, (endpoints: Endpoints, dir: string) => AlertChannel> = {
  // the default cap of 1,000 files, so the folder is pruned as it would be on a host
  'json-files': (_endpoints, dir) => jsonFilesChannel({ directory: join(dir, 'json') }),
  syslog: (endpoints) => syslogChannel({ socketPath: endpoints.logSocket, tag: 'hostguard-bench' }),
  webhook: (endpoints) => webhookChannel({ name: 'webhook', url: endpoints.webhookUrl }),
  // only the bench's own bus: a /proc scan could find other programs' buses on a shared machine
  dbus: (endpoints) => dbusChannel({ findBuses: () => [{ address: endpoints.busAddress, uid }] }),
  script: (_endpoints, dir) => scriptChannel({ name: 'script', path: script(dir, 'hook.sh', 'cat > /dev/null') }),
};

// A channel whose receiver never answers: each delivery waits for its timeout, then its retries.
// `none`: no dead channel in either run of a pair, a control that shows the noise of the comparison.
export const DEAD: Record<string, ((endpoints: Endpoints, dir: string) => AlertChannel) | undefined> = {
  none: undefined,
  webhook: (endpoints) => webhookChannel({ name: 'dead-webhook', url: endpoints.deadUrl }),
  // exec: the timeout's SIGKILL reaches the sleep itself, not a shell that leaves it behind
  script: (_endpoints, dir) => scriptChannel({ name: 'dead-script', path: script(dir, 'hang.sh', 'exec sleep 60') }),
  dbus: (endpoints) => dbusChannel({ name: 'dead-dbus', findBuses: () => [{ address: endpoints.deadBusAddress, uid }] }),
};

// A sampler-like timer: due every 100 ms (a setTimeout chain, as the sampler schedules its ticks);
// records how late each tick fires. On a busy machine a tick is also late while the thread waits
// for a CPU, so a 5 ms probe on the same thread notes its CPU time as it goes: the CPU time the
// thread used between the last probe before the tick was due and the tick bounds the part of the
// lateness its own work can explain. Serialized into a worker thread: no imports.
export interface Lateness {
  lateMs: number[];
  ownBoundMs: number[];
}

export function startTimer(): { take: () => Lateness; stop: () => void } {
  const taken: Lateness = { lateMs: [], ownBoundMs: [] };
  const cpuMs = (): number => {
    const used = process.threadCpuUsage();
    return (used.user + used.system) / 1000;
  };
  const probes: Array<{ atMs: number; cpuMs: number }> = [];
  const probe = setInterval(() => {
    probes.push({ atMs: performance.now(), cpuMs: cpuMs() });
    if (probes.length > 64) probes.splice(0, 32);
  }, 5);
  let dueMs = performance.now() + 100;
  const tick = (): void => {
    const now = performance.now();
    const lateMs = Math.max(0, now - dueMs);
    const before = probes.filter((p) => p.atMs <= dueMs).at(-1);
    taken.lateMs.push(lateMs);
    taken.ownBoundMs.push(before ? Math.min(lateMs, cpuMs() - before.cpuMs) : lateMs);
    dueMs = now + 100;
    timer = setTimeout(tick, 100);
  };
  let timer = setTimeout(tick, 100);
  const take = (): Lateness => ({ lateMs: taken.lateMs.splice(0), ownBoundMs: taken.ownBoundMs.splice(0) });
  return {
    take,
    stop: () => {
      clearTimeout(timer);
      clearInterval(probe);
    },
  };
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

export interface ChannelFigures {
  name: string;
  sent: number;
  failed: number;
  firstFailure?: string;
  perSecond: number;
  serviceMs: number[];
  endToEndMs: number[];
}

export interface RunResult {
  seconds: number;
  complete: boolean;
  channels: ChannelFigures[];
  // CPU time of the whole process and of the alert system's thread, in ms, during the run
  processCpuMs: number;
  threadCpuMs: number;
  sentTotal: number;
  main: Lateness;
  worker: Lateness;
  received: Counts;
  deadStatuses: Record<string, number>;
  load: string;
}

export interface RunOptions {
  names: string[];
  count: number;
  // alerts per second; 0: all at once (yielding every 100), a storm
  ratePerSecond: number;
  dead?: string;
  budgetMs: number;
}

interface Ended {
  status: DeliveryStatus;
  alertTimeMs: number;
}

function figuresOf(name: string, statuses: Ended[], startedMs: number): ChannelFigures {
  const sent = statuses.filter((s) => s.status.status === 'sent');
  const failed = statuses.filter((s) => s.status.status !== 'sent');
  const endMs = sent.reduce((end, s) => Math.max(end, s.status.timeMs + s.status.durationMs), startedMs + 1);
  return {
    name,
    sent: sent.length,
    failed: failed.length,
    ...(failed[0] ? { firstFailure: `${failed[0].status.status}: ${failed[0].status.reason ?? ''}` } : {}),
    perSecond: sent.length / ((endMs - startedMs) / 1000),
    serviceMs: sent.map((s) => s.status.durationMs),
    endToEndMs: sent.map((s) => s.status.timeMs + s.status.durationMs - s.alertTimeMs),
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
export const loadText = (): string => loadavg().map((l) => l.toFixed(1)).join(' ');

// Raises `count` alerts: at `ratePerSecond` (in 10 ms batches), or all at once yielding every 100.
async function raiseAll(alerts: AlertSystem, options: RunOptions, label: string): Promise<void> {
  const startedMs = performance.now();
  for (let i = 0; i < options.count; i++) {
    if (options.ratePerSecond > 0) {
      const dueMs = startedMs + (1000 * i) / options.ratePerSecond;
      const waitMs = dueMs - performance.now();
      if (waitMs > 10) await sleep(waitMs);
    } else if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
    alerts.raise({ type: 'ANOMALY', severity: 'warning', title: `bench ${i}`, message: 'synthetic', dedupKey: `bench:${label}:${i}` });
  }
}

// What lives across runs: the healthy channels (warm connections and children, so no run pays for
// connecting), their folder, and the worker-thread timer.
// The dead channels too are made once (on first use) and kept: on a host a channel lives as long as
// the daemon, so its start-up (the script channel's thread, say) is not a cost per alert.
export interface Bench {
  receivers: Receivers;
  dir: string;
  healthy: Map<string, AlertChannel>;
  dead(kind: string): AlertChannel | undefined;
  worker: ReturnType<typeof workerTimer>;
  close(): Promise<void>;
}

export function openBench(receivers: Receivers, names: string[]): Bench {
  const dir = mkdtempSync(join(tmpdir(), 'hg-bench-alerts-'));
  const healthy = new Map(names.map((name) => [name, HEALTHY[name]!(receivers.endpoints, dir)] as const));
  const dead = new Map<string, AlertChannel>();
  const worker = workerTimer();
  return {
    receivers,
    dir,
    healthy,
    dead(kind) {
      const make = DEAD[kind];
      if (!make) return undefined;
      if (!dead.has(kind)) dead.set(kind, make(receivers.endpoints, dir));
      return dead.get(kind);
    },
    worker,
    async close() {
      await worker.stop();
      await Promise.all([...healthy.values(), ...dead.values()].map((c) => c.close?.()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// The healthy channel without its close(): the run's AlertSystem.close() must leave it open.
const kept = (channel: AlertChannel): AlertChannel => ({ name: channel.name, send: (...args) => channel.send(...args) });

export async function runOnce(bench: Bench, options: RunOptions, label: string): Promise<RunResult> {
  const healthy = options.names.map((name) => kept(bench.healthy.get(name)!));
  const keptDead = options.dead ? bench.dead(options.dead) : undefined;
  const dead = keptDead ? kept(keptDead) : undefined;
  const channels = [...healthy, ...(dead ? [dead] : [])].map((channel) => ({ channel, policy: DEFAULT_DELIVERY }));
  // a sub-millisecond clock, so per-delivery times below 1 ms do not round to 0 or 1
  const nowMs = (): number => performance.timeOrigin + performance.now();
  // The default history (500), as in the daemon; statuses are collected as they end.
  const alerts = new AlertSystem({ host: 'bench', noise: { rateLimitMs: 60_000, maxPerMinute: Number.MAX_SAFE_INTEGER }, channels, nowMs });
  const names = healthy.map((c) => c.name);
  const ended = new Map<string, Ended[]>([...names, dead?.name ?? ''].map((name) => [name, []]));
  alerts.subscribeDeliveries((alert, status) => ended.get(status.channel)?.push({ status, alertTimeMs: alert.timeMs }));
  const before = await bench.receivers.counts();
  await bench.worker.take();
  const timer = startTimer();
  const [cpu, threadCpu] = [process.cpuUsage(), process.threadCpuUsage()];
  const startedMs = nowMs();
  await raiseAll(alerts, options, label);
  const complete = (): boolean => names.every((name) => ended.get(name)!.length >= options.count);
  while (!complete() && nowMs() - startedMs < options.budgetMs) await sleep(20);
  const seconds = (nowMs() - startedMs) / 1000;
  const [cpuUsed, threadUsed] = [process.cpuUsage(cpu), process.threadCpuUsage(threadCpu)];
  timer.stop();
  const lateness = { main: timer.take(), worker: await bench.worker.take() };
  const after = await bench.receivers.counts();
  const received = Object.fromEntries(Object.entries(after).map(([key, value]) => [key, value - before[key as keyof Counts]])) as Counts;
  const figures = names.map((name) => figuresOf(name, ended.get(name)!, startedMs));
  const deadStatuses: Record<string, number> = {};
  for (const { status } of dead ? ended.get(dead.name)! : []) deadStatuses[status.status] = (deadStatuses[status.status] ?? 0) + 1;
  // The dead channel's backlog ends here (queued deliveries fail at once, attempts are aborted:
  // scripts killed, requests and calls abandoned), while the channel itself stays open.
  await alerts.close(2000);
  return {
    seconds,
    complete: complete(),
    channels: figures,
    processCpuMs: (cpuUsed.user + cpuUsed.system) / 1000,
    threadCpuMs: (threadUsed.user + threadUsed.system) / 1000,
    sentTotal: figures.reduce((sum, c) => sum + c.sent, 0),
    ...lateness,
    received,
    deadStatuses,
    load: loadText(),
  };
}
