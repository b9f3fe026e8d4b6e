// The alert benchmark's receivers, run in a child process as they would be on a real host: a
// webhook that answers 204, a "dead" webhook (a loopback TCP server that accepts and never answers),
// a unix datagram socket standing in for /dev/log, a private session bus with a notification server,
// and a second bus whose notification server never answers (a dead D-Bus name).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { serveNotifications, startDaemon } from '../../test/helpers/dbusDaemons.ts';
import { startReceiver } from '../../test/helpers/syslogReceiver.ts';

export interface Endpoints {
  webhookUrl: string;
  deadUrl: string;
  logSocket: string;
  busAddress: string;
  deadBusAddress: string;
}
export type Counts = Record<'webhook' | 'deadConnections' | 'notifications' | 'deadNotifications' | 'syslog', number>;

const portOf = (server: Server | ReturnType<typeof createHttpServer>): number => (server.address() as AddressInfo).port;

// The child's side: start every receiver, print the endpoints, answer each stdin line with the
// counts so far, stop everything at end of input.
export async function serveReceivers(): Promise<void> {
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
  const bus = await startDaemon(['--session', `--address=unix:path=${join(dir, 'bus')}`]);
  const notifications = await serveNotifications(bus.address);
  const deadBus = await startDaemon(['--session', `--address=unix:path=${join(dir, 'dead-bus')}`]);
  const deadServer = await serveNotifications(deadBus.address, undefined, () => new Promise<number>(() => undefined));
  const endpoints: Endpoints = {
    webhookUrl: `http://127.0.0.1:${portOf(http)}/hook`,
    deadUrl: `http://127.0.0.1:${portOf(dead)}/hook`,
    logSocket: join(dir, 'log.sock'),
    busAddress: bus.address,
    deadBusAddress: deadBus.address,
  };
  console.log(JSON.stringify(endpoints));
  for await (const _line of createInterface({ input: process.stdin })) {
    const counts: Counts = { webhook, deadConnections: held.length, notifications: notifications.calls.length, deadNotifications: deadServer.calls.length, syslog: log.datagrams.length };
    console.log(JSON.stringify(counts));
  }
  notifications.client.close();
  deadServer.client.close();
  await Promise.all([bus.stop(), deadBus.stop(), log.stop()]);
  for (const socket of held) socket.destroy();
  http.closeAllConnections();
  await Promise.all([http, dead].map((server) => new Promise((done) => server.close(done))));
  rmSync(dir, { recursive: true, force: true });
}

export interface Receivers {
  endpoints: Endpoints;
  counts(): Promise<Counts>;
  stop(): Promise<void>;
}

// The parent's side: start this script again with --receivers, and ask it what arrived.
export async function startReceivers(script: string): Promise<Receivers> {
  const child = spawn(process.execPath, [script, '--receivers'], { stdio: ['pipe', 'pipe', 'inherit'] });
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
