// D-Bus notifications: earlyoom's system-bus signal and desktop notifications on users' session buses.
//
// Library choice: @homebridge/dbus-native over dbus-next. `npm view` (2026-11) shows
// @homebridge/dbus-native published 0.7.9 in 2026-08 after a run of 0.7.x fixes, with current
// dependencies (long 5, xml2js 0.6); dbus-next's newest release, 0.10.2, depends on xml2js 0.4 and
// event-stream 3.3.4, and its maintainers have not released since. Both are pure JavaScript.
// The connection code and the library are imported on first use, so a guard that never notifies
// loads neither (importing this file costs only the /proc reader behind findSessionBuses).
import type { BusSession, ConnectOptions, DbusMessage } from './dbusConnection.ts';
import { DbusErrorReply } from './dbusErrors.ts';
import type { BusPool } from './dbusPool.ts';

export { findSessionBuses, type SessionBus } from './dbusSessions.ts';

export const DEFAULT_TIMEOUT_MS = 2000;
export const DEFAULT_SYSTEM_BUS_ADDRESS = 'unix:path=/run/dbus/system_bus_socket';
export const EARLYOOM_SIGNAL = { path: '/', interface: 'net.nuetzlich.SystemNotifications', member: 'Notify', title: 'earlyoom' } as const;

export type Urgency = 'low' | 'normal' | 'critical';
const URGENCY_BYTE: Record<Urgency, number> = { low: 0, normal: 1, critical: 2 };

// D-Bus strings may not contain NUL; a process name or command line could.
function dbusString(text: string): string {
  return text.replaceAll('\0', ' ');
}

function busDriverCall(member: string): DbusMessage {
  return { destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus', member };
}

// On the pool's kept-open connection when a pool is given (the alert channel), else on a connection
// of its own (the guard, which notifies rarely and must not keep sockets open).
async function onBus<T>(address: string, options: ConnectOptions, pool: BusPool | undefined, use: (session: BusSession) => Promise<T>, abort?: AbortSignal): Promise<T> {
  if (pool) return pool.run(address, options, use, abort);
  const { withBus } = await import('./dbusConnection.ts');
  return withBus(address, options, use);
}

// Sends what `dbus-send --system / net.nuetzlich.SystemNotifications.Notify string:earlyoom string:BODY`
// sends, so bridges such as systembus-notify show it. Resolves once the bus has routed the signal.
export async function emitEarlyoomSignal(body: string, options: { busAddress?: string; timeoutMs?: number; pool?: BusPool; abort?: AbortSignal } = {}): Promise<void> {
  const address = options.busAddress || process.env.DBUS_SYSTEM_BUS_ADDRESS || DEFAULT_SYSTEM_BUS_ADDRESS;
  await onBus(address, { timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS }, options.pool, async (session) => {
    session.signal(EARLYOOM_SIGNAL.path, EARLYOOM_SIGNAL.interface, EARLYOOM_SIGNAL.member, 'ss', [EARLYOOM_SIGNAL.title, dbusString(body)]);
    // The bus handles one connection's messages in order: once GetId is answered, the signal was routed.
    await session.call(busDriverCall('GetId'));
  }, options.abort);
}

export interface DesktopNotifyOptions {
  // Defaults to DBUS_SESSION_BUS_ADDRESS.
  busAddress?: string;
  urgency?: Urgency;
  appName?: string;
  timeoutMs?: number;
  // The bus owner's uid (from findSessionBuses). Root connects with this effective uid, because a
  // session bus admits only its owner. Defaults to this process's effective uid.
  uid?: number;
  // Reuse the pool's connection to this bus (as this uid) instead of opening one for this call.
  pool?: BusPool;
  // Ends the call early (with a pool only): the alert system's per-attempt timeout or shutdown.
  abort?: AbortSignal;
}

// Calls org.freedesktop.Notifications.Notify and resolves with the notification id the server returns.
export async function notifyDesktop(summary: string, body: string, options: DesktopNotifyOptions = {}): Promise<number> {
  const address = options.busAddress || process.env.DBUS_SESSION_BUS_ADDRESS || '';
  if (address === '') {
    throw new Error('D-Bus session bus: no address; pass busAddress (see findSessionBuses) or set DBUS_SESSION_BUS_ADDRESS');
  }
  const urgency = options.urgency ?? 'normal';
  const connectOptions = { timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, ...(options.uid === undefined ? {} : { uid: options.uid }) };
  return onBus(address, connectOptions, options.pool, async (session) => {
    const values = await session.call({
      destination: 'org.freedesktop.Notifications',
      path: '/org/freedesktop/Notifications',
      interface: 'org.freedesktop.Notifications',
      member: 'Notify',
      signature: 'susssasa{sv}i',
      // app_name, replaces_id, app_icon, summary, body, actions, hints, expire_timeout (-1: server default)
      body: [dbusString(options.appName ?? 'hostguard'), 0, '', dbusString(summary), dbusString(body), [], [['urgency', ['y', URGENCY_BYTE[urgency]]]], -1],
    });
    const id = values[0];
    // an answer, just not one we can read: it arrived, so it is not retried
    if (typeof id !== 'number') throw new DbusErrorReply(`org.freedesktop.Notifications.Notify returned ${JSON.stringify(values)}, not a notification id`);
    return id;
  }, options.abort);
}
