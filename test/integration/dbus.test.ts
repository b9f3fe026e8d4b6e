// D-Bus channel against real dbus-daemon children: earlyoom's signal, desktop notifications, root
// notifying another user's session bus, session bus discovery on the real /proc, and failures.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { type Server, type Socket, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { emitEarlyoomSignal, findSessionBuses, notifyDesktop } from '../../src/alert/channels/dbus.ts';
import type { DbusMessage } from '../../src/alert/channels/dbusConnection.ts';
import { type Listener, type NotifyCall, type StartedDaemon, listen, serveNotifications, startDaemon, writeSystemBusConfig } from '../helpers/dbusDaemons.ts';

const NOBODY = 65534;
const isRoot = process.geteuid?.() === 0;
const earlyoomMatch = "type='signal',interface='net.nuetzlich.SystemNotifications',member='Notify'";

function withEnv<T>(name: string, value: string | undefined, run: () => Promise<T>): Promise<T> {
  const saved = process.env[name];
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
  return run().finally(() => {
    if (saved === undefined) delete process.env[name];
    else process.env[name] = saved;
  });
}

function errorOf(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: Error) => error,
  );
}

describe('emitEarlyoomSignal on a system-style bus', () => {
  let dir: string;
  let daemon: StartedDaemon;
  let listener: Listener;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hostguard-dbus-system-'));
    daemon = await startDaemon([`--config-file=${writeSystemBusConfig(dir)}`]);
    listener = await listen(daemon.address, earlyoomMatch);
  });
  afterAll(async () => {
    listener?.close();
    await daemon?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("arrives exactly as earlyoom's dbus-send command sends it", async () => {
    await emitEarlyoomSignal('Low memory! Killing process 4242 firefox', { busAddress: daemon.address });
    const ours = await listener.next((m) => m.body?.[1] === 'Low memory! Killing process 4242 firefox');
    await promisify(execFile)('dbus-send', ['--system', '/', 'net.nuetzlich.SystemNotifications.Notify', 'string:earlyoom', 'string:from dbus-send'], {
      env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: daemon.address },
    });
    const theirs = await listener.next((m) => m.body?.[1] === 'from dbus-send');
    const shape = (m: DbusMessage) => ({ type: m.type, path: m.path, interface: m.interface, member: m.member, signature: m.signature, destination: m.destination, title: m.body?.[0] });
    expect(shape(ours)).toEqual({ type: 4, path: '/', interface: 'net.nuetzlich.SystemNotifications', member: 'Notify', signature: 'ss', destination: undefined, title: 'earlyoom' });
    expect(shape(ours)).toEqual(shape(theirs));
    expect(ours.body).toEqual(['earlyoom', 'Low memory! Killing process 4242 firefox']);
  });

  it('uses DBUS_SYSTEM_BUS_ADDRESS when no address is given', async () => {
    await withEnv('DBUS_SYSTEM_BUS_ADDRESS', daemon.address, () => emitEarlyoomSignal('via environment'));
    expect((await listener.next((m) => m.body?.[1] === 'via environment')).body).toEqual(['earlyoom', 'via environment']);
  });

  it('keeps non-ASCII text and replaces NUL, which D-Bus strings cannot carry', async () => {
    await emitEarlyoomSignal('caf\u00e9 \u2014 a\0b\nline two', { busAddress: daemon.address });
    const message = await listener.next((m) => String(m.body?.[1]).startsWith('caf'));
    expect(message.body?.[1]).toBe('caf\u00e9 \u2014 a b\nline two');
  });
});

describe('notifyDesktop on a session bus', () => {
  let dir: string;
  let daemon: StartedDaemon;
  let server: { calls: NotifyCall[]; client: { close(): void } };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hostguard-dbus-session-'));
    daemon = await startDaemon(['--session', `--address=unix:path=${join(dir, 'bus')}`]);
    server = await serveNotifications(daemon.address);
  });
  afterAll(async () => {
    server?.client.close();
    await daemon?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers summary, body, app name and urgency, and returns the id the server gave', async () => {
    const id = await notifyDesktop('Memory low', 'Killed 4242 (firefox)', { busAddress: daemon.address, urgency: 'critical', appName: 'oom-guard' });
    const call = server.calls.at(-1);
    expect(id).toBe(1000 + server.calls.length - 1);
    expect(call).toMatchObject({ appName: 'oom-guard', replacesId: 0, summary: 'Memory low', body: 'Killed 4242 (firefox)', actions: [], expireTimeoutMs: -1 });
    expect(call?.hints.get('urgency')).toBe(2);
  });

  it('sends urgency 0 for low and 1 by default, with the default app name, from DBUS_SESSION_BUS_ADDRESS', async () => {
    const lowId = await notifyDesktop('low', 'b', { busAddress: daemon.address, urgency: 'low' });
    const defaultId = await withEnv('DBUS_SESSION_BUS_ADDRESS', daemon.address, () => notifyDesktop('default', 'b'));
    expect(defaultId).toBe(lowId + 1);
    const byId = (summary: string) => server.calls.find((c) => c.summary === summary);
    expect(byId('low')?.hints.get('urgency')).toBe(0);
    expect(byId('default')?.hints.get('urgency')).toBe(1);
    expect(byId('default')?.appName).toBe('hostguard');
  });

  it('rejects with the error name when no notification server runs on the bus', async () => {
    const other = await startDaemon(['--session', `--address=unix:abstract=hostguard-test-${process.pid}-${Date.now()}`]);
    try {
      const error = await errorOf(notifyDesktop('s', 'b', { busAddress: other.address }));
      expect(error.message).toContain(`D-Bus ${other.address}:`);
      expect(error.message).toContain('org.freedesktop.DBus.Error.ServiceUnknown');
    } finally {
      await other.stop();
    }
  });

  it('reaches a bus on an abstract socket', async () => {
    const other = await startDaemon(['--session', `--address=unix:abstract=hostguard-test-${process.pid}-${Date.now()}`]);
    const abstractListener = await listen(other.address, earlyoomMatch);
    try {
      await emitEarlyoomSignal('over an abstract socket', { busAddress: other.address });
      expect((await abstractListener.next((m) => m.member === 'Notify')).body).toEqual(['earlyoom', 'over an abstract socket']);
    } finally {
      abstractListener.close();
      await other.stop();
    }
  });
});

describe('failures name the bus and the reason, and never hang', () => {
  let dir: string;
  const servers: Server[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hostguard-dbus-fail-'));
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function fakeBus(name: string, onConnection: (socket: Socket) => void): Promise<string> {
    const path = join(dir, name);
    const server = createServer(onConnection);
    servers.push(server);
    return new Promise((resolve) => server.listen(path, () => resolve(`unix:path=${path}`)));
  }

  it('rejects at once when the socket does not exist', async () => {
    const address = `unix:path=${join(dir, 'missing')}`;
    const error = await errorOf(emitEarlyoomSignal('x', { busAddress: address, timeoutMs: 60_000 }));
    expect(error.message).toBe(`D-Bus ${address}: socket ${join(dir, 'missing')}: connect ENOENT ${join(dir, 'missing')}`);
  });

  it('rejects after timeoutMs when the bus accepts but never answers', async () => {
    const sockets: Socket[] = [];
    const address = await fakeBus('silent', (socket) => sockets.push(socket));
    const startedMs = Date.now();
    const error = await errorOf(notifyDesktop('s', 'b', { busAddress: address, timeoutMs: 300 }));
    expect(error.message).toMatch(/^D-Bus unix:path=\S+silent: no answer within 300 ms while connecting and authenticating as uid \d+$/);
    // Bounded by the 300 ms deadline rather than the 30 s test timeout (a loose check, not a benchmark).
    expect(Date.now() - startedMs).toBeLessThan(5000);
    for (const socket of sockets) socket.destroy();
  });

  it('rejects when the bus refuses authentication', async () => {
    const address = await fakeBus('refusing', (socket) => socket.once('data', () => socket.write('REJECTED EXTERNAL\r\n')));
    const error = await errorOf(emitEarlyoomSignal('x', { busAddress: address }));
    expect(error.message).toMatch(/refused EXTERNAL authentication as uid \d+ \(it answered 'REJECTED EXTERNAL'\)/);
  });

  it('rejects an address it cannot use, saying what is accepted', async () => {
    const error = await errorOf(emitEarlyoomSignal('x', { busAddress: 'tcp:host=127.0.0.1,port=1' }));
    expect(error.message).toContain("transport 'tcp'");
    expect(error.message).toContain("accepted: 'unix:path=");
  });

  it('rejects notifyDesktop without any session bus address', async () => {
    const error = await withEnv('DBUS_SESSION_BUS_ADDRESS', undefined, () => errorOf(notifyDesktop('s', 'b')));
    expect(error.message).toContain('no address');
  });
});

describe.skipIf(!isRoot)("root reaching another user's session bus (needs root: it starts processes as nobody)", () => {
  let dir: string;
  let daemon: StartedDaemon;
  let server: { calls: NotifyCall[]; client: { close(): void } };
  const children: ChildProcess[] = [];
  let runtimeSocket: Server | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hostguard-dbus-nobody-'));
    chownSync(dir, NOBODY, NOBODY);
    daemon = await startDaemon(['--session', `--address=unix:path=${join(dir, 'bus')}`], { uid: NOBODY, gid: NOBODY });
    server = await serveNotifications(daemon.address, NOBODY);
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    if (runtimeSocket) await new Promise((resolve) => runtimeSocket?.close(resolve));
    server?.client.close();
    await daemon?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a bus refuses EXTERNAL auth for a uid other than the socket owner, so root must switch its euid', async () => {
    const socket = connect(join(dir, 'bus'));
    const answer = await new Promise<string>((resolve, reject) => {
      socket.once('error', reject);
      socket.once('connect', () => socket.write(`\0AUTH EXTERNAL ${Buffer.from(String(NOBODY)).toString('hex')}\r\n`));
      socket.once('data', (data) => resolve(data.toString()));
    });
    socket.destroy();
    expect(answer).toBe('REJECTED EXTERNAL\r\n');
  });

  it("is refused as root, and says that a session bus admits only its owner", async () => {
    const error = await errorOf(notifyDesktop('s', 'b', { busAddress: daemon.address }));
    expect(error.message).toContain(`D-Bus ${daemon.address}:`);
    expect(error.message).toContain('a session bus admits only its owner');
  });

  it("delivers a notification as the bus owner's uid and restores root's euid", async () => {
    const id = await notifyDesktop('as nobody', 'body', { busAddress: daemon.address, uid: NOBODY });
    expect(server.calls.find((c) => c.summary === 'as nobody')).toBeDefined();
    expect(id).toBeGreaterThanOrEqual(1000);
    expect(process.geteuid?.()).toBe(0);
  });

  function startAsNobody(env: Record<string, string>): Promise<ChildProcess> {
    const child = spawn('sleep', ['60'], { uid: NOBODY, gid: NOBODY, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: 'ignore' });
    children.push(child);
    // 'spawn' fires after exec, when /proc/PID/environ shows the new environment.
    return new Promise((resolve, reject) => {
      child.once('spawn', () => resolve(child));
      child.once('error', reject);
    });
  }

  it('findSessionBuses finds buses in the real /proc, and the one it finds can be notified', async () => {
    const runtimeDir = join(dir, 'runtime');
    mkdirSync(runtimeDir);
    runtimeSocket = createServer();
    await new Promise<void>((resolve) => runtimeSocket?.listen(join(runtimeDir, 'bus'), resolve));
    const noDisplayAddress = `unix:path=${join(dir, 'no-display-bus')}`;
    await startAsNobody({ DISPLAY: ':97', DBUS_SESSION_BUS_ADDRESS: daemon.address });
    await startAsNobody({ WAYLAND_DISPLAY: 'wayland-97', XDG_RUNTIME_DIR: runtimeDir });
    await startAsNobody({ DBUS_SESSION_BUS_ADDRESS: noDisplayAddress });

    const buses = findSessionBuses();
    expect(buses).toContainEqual({ uid: NOBODY, address: daemon.address });
    expect(buses).toContainEqual({ uid: NOBODY, address: `unix:path=${join(runtimeDir, 'bus')}` });
    expect(buses.map((bus) => bus.address)).not.toContain(noDisplayAddress);

    const found = buses.find((bus) => bus.address === daemon.address);
    await notifyDesktop('found in /proc', 'body', { busAddress: found?.address ?? '', uid: found?.uid ?? -1 });
    expect(server.calls.map((c) => c.summary)).toContain('found in /proc');
  });
});
