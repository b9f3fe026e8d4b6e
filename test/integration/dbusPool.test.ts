// The D-Bus connection pool against real dbus-daemon children: one connection carries many calls, a
// restarted bus is reconnected to, a call written before its connection broke is never run again,
// idle connections close, and root's connections stay separate per uid.
import { spawn } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, type Socket, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { notifyDesktop } from '../../src/alert/channels/dbus.ts';
import { dbusChannel } from '../../src/alert/channels/dbusAlerts.ts';
import { CallUnanswered } from '../../src/alert/channels/dbusErrors.ts';
import { BusPool } from '../../src/alert/channels/dbusPool.ts';
import type { Alert } from '../../src/alert/model.ts';
import { type NotifyAnswer, type NotifyCall, type StartedDaemon, serveNotifications, startDaemon, uniqueNames } from '../helpers/dbusDaemons.ts';

const NOBODY = 65534;
const isRoot = process.geteuid?.() === 0;

interface Bus {
  daemon: StartedDaemon;
  server: Awaited<ReturnType<typeof serveNotifications>>;
}

let dir: string;
const buses: Bus[] = [];
const pools: BusPool[] = [];

async function startBus(socketPath = join(dir, 'bus'), answer?: NotifyAnswer, uid?: number): Promise<Bus> {
  const ids = uid === undefined ? {} : { uid, gid: uid };
  const daemon = await startDaemon(['--session', `--address=unix:path=${socketPath}`], ids);
  const bus = { daemon, server: await serveNotifications(daemon.address, uid, answer) };
  buses.push(bus);
  return bus;
}

function newPool(idleMs?: number): BusPool {
  const pool = new BusPool(idleMs === undefined ? {} : { idleMs });
  pools.push(pool);
  return pool;
}

function errorOf(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: Error) => error,
  );
}

// Polls `check` until it holds; the deadline only stops a broken test from hanging.
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadlineMs = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadlineMs) throw new Error(`not within 10 s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hostguard-dbus-pool-'));
});
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
  for (const bus of buses.splice(0)) {
    bus.server.client.close();
    await bus.daemon.stop();
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('one connection per bus', () => {
  it('carries 100 concurrent notifications over one connection the bus saw once', async () => {
    const bus = await startBus();
    const before = await uniqueNames(bus.server.client);
    const pool = newPool();
    const ids = await Promise.all(Array.from({ length: 100 }, (_, i) => notifyDesktop(`n${i}`, 'b', { busAddress: bus.daemon.address, pool })));
    expect(new Set(ids).size).toBe(100);
    expect(bus.server.calls.length).toBe(100);
    const senders = new Set(bus.server.calls.map((c) => c.sender));
    expect(senders.size).toBe(1);
    // Exactly one connection more than before on the bus, and it is the one every call came from.
    const added = (await uniqueNames(bus.server.client)).filter((name) => !before.includes(name));
    expect(added).toEqual([...senders]);
    expect(pool.stats).toEqual({ opened: 1, open: 1, reconnects: 0 });
  });

  it('without a pool, each notification is a connection of its own (what the pool saves)', async () => {
    const bus = await startBus();
    for (let i = 0; i < 3; i++) await notifyDesktop(`n${i}`, 'b', { busAddress: bus.daemon.address });
    expect(new Set(bus.server.calls.map((c) => c.sender)).size).toBe(3);
  });

  it('keeps the connection when the notification server is slow: the call times out, the next one reuses it', async () => {
    const bus = await startBus(undefined, (call, id) => (call.summary === 'slow' ? new Promise<number>(() => undefined) : id));
    const pool = newPool();
    const error = await errorOf(notifyDesktop('slow', 'b', { busAddress: bus.daemon.address, pool, timeoutMs: 300 }));
    expect(error.message).toBe(`D-Bus ${bus.daemon.address}: no answer within 300 ms while calling org.freedesktop.Notifications.Notify, after it was sent`);
    expect(error.cause).toBeInstanceOf(CallUnanswered);
    await notifyDesktop('fast', 'b', { busAddress: bus.daemon.address, pool });
    const [slow, fast] = bus.server.calls;
    expect(fast?.sender).toBe(slow?.sender);
    expect(pool.stats).toEqual({ opened: 1, open: 1, reconnects: 0 });
  });

  it('reports an error reply without dropping the connection', async () => {
    const bus = await startBus(undefined, () => Object.assign(new Error('server says no'), { dbusName: 'org.example.Error.No' }));
    const pool = newPool();
    const error = await errorOf(notifyDesktop('x', 'b', { busAddress: bus.daemon.address, pool }));
    expect(error.message).toContain('org.example.Error.No: server says no');
    expect(pool.stats).toEqual({ opened: 1, open: 1, reconnects: 0 });
  });
});

// A unix-socket relay in front of a real bus that can cut every connection it carries.
async function relay(busSocket: string): Promise<{ address: string; cutOnNextWrite(): void; server: Server }> {
  const path = join(dir, 'relay');
  const pairs: Array<{ client: Socket; upstream: Socket; cut: boolean }> = [];
  const server = createServer((client) => {
    const upstream = connect(busSocket);
    const pair = { client, upstream, cut: false };
    pairs.push(pair);
    client.on('data', (data) => {
      // The client's next message is lost with the connection, as when a bus dies under a call.
      if (pair.cut) {
        client.destroy();
        upstream.destroy();
      } else upstream.write(data);
    });
    upstream.on('data', (data) => client.write(data));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((done) => server.listen(path, done));
  return {
    address: `unix:path=${path}`,
    cutOnNextWrite: () => pairs.forEach((pair) => (pair.cut = true)),
    server,
  };
}

describe('broken connections', () => {
  it('never runs again a call written before the connection broke (its outcome is unknown); the next call opens a new connection', async () => {
    const bus = await startBus();
    const proxy = await relay(join(dir, 'bus'));
    const pool = newPool();
    try {
      await notifyDesktop('first', 'b', { busAddress: proxy.address, pool });
      proxy.cutOnNextWrite();
      const error = await errorOf(notifyDesktop('second', 'b', { busAddress: proxy.address, pool }));
      expect(error.cause).toBeInstanceOf(CallUnanswered);
      expect(error.message).toContain('the connection closed after org.freedesktop.Notifications.Notify was sent, before its answer');
      // Not run again: a second copy could have shown twice had the first reached the server.
      expect(pool.stats.reconnects).toBe(0);
      await notifyDesktop('third', 'b', { busAddress: proxy.address, pool });
      expect(bus.server.calls.map((c) => c.summary)).toEqual(['first', 'third']);
      expect(bus.server.calls[0]?.sender).not.toBe(bus.server.calls[1]?.sender);
      expect(pool.stats).toEqual({ opened: 2, open: 1, reconnects: 0 });
    } finally {
      proxy.server.close();
    }
  });

  it('reaches a bus that was killed and restarted at the same address', async () => {
    const first = await startBus();
    const pool = newPool();
    await notifyDesktop('before', 'b', { busAddress: first.daemon.address, pool });
    first.server.client.close();
    await first.daemon.stop('SIGKILL');
    const second = await startBus();
    expect(second.daemon.address.split(',')[0]).toBe(first.daemon.address.split(',')[0]);
    await notifyDesktop('after', 'b', { busAddress: first.daemon.address, pool });
    expect(second.server.calls.map((c) => c.summary)).toEqual(['after']);
    expect(pool.stats.opened).toBe(2);
    expect(pool.stats.open).toBe(1);
  });
});

describe('idle connections and close()', () => {
  it('closes a connection idle for idleMs, and opens a new one when needed again', async () => {
    const bus = await startBus();
    const pool = newPool(300);
    await notifyDesktop('one', 'b', { busAddress: bus.daemon.address, pool });
    const sender = bus.server.calls[0]?.sender ?? '';
    expect(await uniqueNames(bus.server.client)).toContain(sender);
    await eventually(async () => !(await uniqueNames(bus.server.client)).includes(sender), 'the bus dropped the idle connection');
    expect(pool.stats.open).toBe(0);
    await notifyDesktop('two', 'b', { busAddress: bus.daemon.address, pool });
    expect(bus.server.calls[1]?.sender).not.toBe(sender);
    expect(pool.stats).toEqual({ opened: 2, open: 1, reconnects: 0 });
  });

  it("the channel's close() ends its connections, and later sends fail", async () => {
    const bus = await startBus();
    const holder = spawn('sleep', ['60'], { env: { DISPLAY: ':98', DBUS_SESSION_BUS_ADDRESS: bus.daemon.address }, stdio: 'ignore' });
    try {
      await new Promise((done) => holder.once('spawn', done));
      const channel = dbusChannel();
      const alert = { id: 'a1', type: 'ANOMALY', severity: 'critical', title: 'closing', message: 'm', host: 'h', timeMs: Date.now(), context: {}, dedupKey: 'k', state: 'firing', repeatCount: 0 } satisfies Alert;
      await channel.send(alert, 'fired', new AbortController().signal, { number: 1, last: true, targets: new Map() });
      const call = bus.server.calls.find((c) => c.summary === 'closing');
      expect(await uniqueNames(bus.server.client)).toContain(call?.sender);
      await channel.close();
      await eventually(async () => !(await uniqueNames(bus.server.client)).includes(call?.sender ?? ''), 'the bus saw the connection close');
      const error = await errorOf(channel.send(alert, 'fired', new AbortController().signal, { number: 1, last: true, targets: new Map() }));
      expect(error.message).toContain('the D-Bus connection pool was closed');
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('an idle pooled connection does not keep a process alive', async () => {
    const bus = await startBus();
    const script = join(dir, 'notify-and-return.ts');
    const dbusModule = resolve('src/alert/channels/dbus.ts');
    const poolModule = resolve('src/alert/channels/dbusPool.ts');
    writeFileSync(
      script,
      `import { notifyDesktop } from ${JSON.stringify(dbusModule)};\nimport { BusPool } from ${JSON.stringify(poolModule)};\n` +
        `await notifyDesktop('from a child', 'b', { busAddress: ${JSON.stringify(bus.daemon.address)}, pool: new BusPool({ idleMs: 600_000 }) });\n`,
    );
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    const code = await new Promise<number | null>((done) => {
      // Far below the 600 s idle period: the child returns once its call is answered.
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('exit', (exitCode) => {
        clearTimeout(timer);
        done(exitCode);
      });
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(bus.server.calls.map((c: NotifyCall) => c.summary)).toEqual(['from a child']);
  });
});

describe.skipIf(!isRoot)('per-uid connections (needs root: the bus runs as nobody)', () => {
  it("reuses nobody's connection for nobody, and never lends it to root", async () => {
    chownSync(dir, NOBODY, NOBODY);
    const bus = await startBus(join(dir, 'bus'), undefined, NOBODY);
    const pool = newPool();
    await notifyDesktop('one', 'b', { busAddress: bus.daemon.address, uid: NOBODY, pool });
    const error = await errorOf(notifyDesktop('as root', 'b', { busAddress: bus.daemon.address, pool }));
    expect(error.message).toContain('a session bus admits only its owner');
    await notifyDesktop('two', 'b', { busAddress: bus.daemon.address, uid: NOBODY, pool });
    expect(bus.server.calls.map((c) => c.summary)).toEqual(['one', 'two']);
    expect(bus.server.calls[0]?.sender).toBe(bus.server.calls[1]?.sender);
    expect(process.geteuid?.()).toBe(0);
    expect(pool.stats.open).toBe(1);
  });
});
