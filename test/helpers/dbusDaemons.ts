// Test helpers: real dbus-daemon children, a fake notification server and a signal listener.
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BusClient, type DbusMessage, SIGNAL_MESSAGE_TYPE, openBusClient } from '../../src/alert/channels/dbusConnection.ts';

export interface StartedDaemon {
  pid: number;
  address: string;
  // SIGTERM by default; SIGKILL stands in for a bus that crashed.
  stop(signal?: NodeJS.Signals): Promise<void>;
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    if (child.pid !== undefined) process.kill(child.pid, signal);
  });
}

// Starts `dbus-daemon ARGS --nofork --print-address` and resolves with the address it prints.
export function startDaemon(args: string[], ids: { uid?: number; gid?: number } = {}): Promise<StartedDaemon> {
  const child = spawn('dbus-daemon', [...args, '--nofork', '--print-address'], { stdio: ['ignore', 'pipe', 'pipe'], ...ids });
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      void stopChild(child);
      reject(new Error(`dbus-daemon ${args.join(' ')} printed no address within 5 s; stderr: ${stderr}`));
    }, 5000);
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    child.stdout.on('data', (data: Buffer) => {
      stdout += data.toString();
      const end = stdout.indexOf('\n');
      if (end < 0 || child.pid === undefined) return;
      clearTimeout(timer);
      resolve({ pid: child.pid, address: stdout.slice(0, end).trim(), stop: (signal) => stopChild(child, signal) });
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`dbus-daemon ${args.join(' ')} exited with ${code}; stderr: ${stderr}`));
    });
  });
}

// The policy of Debian's /usr/share/dbus-1/system.conf (signals allowed, method calls only to the bus
// driver), listening on a socket in `dir` instead of /run/dbus, with no user switch or pid file.
export function writeSystemBusConfig(dir: string): string {
  const path = join(dir, 'system.conf');
  writeFileSync(
    path,
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=${join(dir, 'system_bus_socket')}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
  </policy>
</busconfig>
`,
  );
  return path;
}

export interface Listener {
  messages: DbusMessage[];
  next(predicate: (message: DbusMessage) => boolean): Promise<DbusMessage>;
  close(): void;
}

// A second connection that subscribes with AddMatch and records every signal it receives.
export async function listen(address: string, match: string): Promise<Listener> {
  const client = await openBusClient(address, { timeoutMs: 5000 });
  const messages: DbusMessage[] = [];
  const waiters: Array<{ predicate: (message: DbusMessage) => boolean; resolve: (message: DbusMessage) => void }> = [];
  client.bus.connection.on('message', (message: DbusMessage) => {
    if (message.type !== SIGNAL_MESSAGE_TYPE) return;
    messages.push(message);
    for (const waiter of waiters.filter((w) => w.predicate(message))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(message);
    }
  });
  await client.session.call({ destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus', member: 'AddMatch', signature: 's', body: [match] });
  return {
    messages,
    next(predicate) {
      const seen = messages.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
    close: () => client.close(),
  };
}

export interface NotifyCall {
  appName: string;
  replacesId: number;
  icon: string;
  summary: string;
  body: string;
  actions: unknown[];
  hints: Map<string, unknown>;
  expireTimeoutMs: number;
  // The caller's unique connection name (":1.N"): one per connection the bus accepted.
  sender: string;
}

// Answers a Notify call with a notification id (or an Error, or never, to test failures).
export type NotifyAnswer = (call: NotifyCall, id: number) => number | Error | Promise<number | Error>;

interface ServingBus {
  setMethodCallHandler(path: string, iface: string, member: string, handler: [(...args: unknown[]) => unknown, string]): void;
}

// dbus-native hands a variant over as [[type tree], [value]]; the value is all a test looks at.
function variantValue(variant: unknown): unknown {
  return Array.isArray(variant) && Array.isArray(variant[1]) ? variant[1][0] : variant;
}

// Claims org.freedesktop.Notifications on the bus and answers Notify with ids 1000, 1001, ...
// (or as `answer` says).
export async function serveNotifications(address: string, uid?: number, answer: NotifyAnswer = (_call, id) => id): Promise<{ calls: NotifyCall[]; client: BusClient }> {
  const client = await openBusClient(address, { timeoutMs: 5000, ...(uid === undefined ? {} : { uid }) });
  const calls: NotifyCall[] = [];
  const serving = client.bus as unknown as ServingBus;
  serving.setMethodCallHandler('/org/freedesktop/Notifications', 'org.freedesktop.Notifications', 'Notify', [
    // The library passes the message itself after the arguments.
    (appName, replacesId, icon, summary, body, actions, hints, expireTimeoutMs, message) => {
      const hintMap = new Map((hints as Array<[string, unknown]>).map(([key, value]) => [key, variantValue(value)]));
      const sender = (message as DbusMessage).sender ?? '';
      const call = { appName, replacesId, icon, summary, body, actions, hints: hintMap, expireTimeoutMs, sender } as NotifyCall;
      calls.push(call);
      return answer(call, 1000 + calls.length - 1);
    },
    'u',
  ]);
  // Flag 4: DO_NOT_QUEUE. Reply 1: we are the primary owner.
  const [reply] = await client.session.call({ destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus', member: 'RequestName', signature: 'su', body: ['org.freedesktop.Notifications', 4] });
  if (reply !== 1) throw new Error(`RequestName org.freedesktop.Notifications answered ${String(reply)}, not 1 (primary owner)`);
  return { calls, client };
}

// The unique names (":1.N") of the connections the bus has now, asked over `client`.
export async function uniqueNames(client: BusClient): Promise<string[]> {
  const [names] = await client.session.call({ destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus', member: 'ListNames' });
  return (names as string[]).filter((name) => name.startsWith(':'));
}
