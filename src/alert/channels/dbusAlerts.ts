// Alerts as desktop notifications on the session bus of each logged-in graphical user, and
// optionally as earlyoom's system-bus signal for the bridges that already listen to it. One kept-open
// connection per (bus, uid) carries every alert (dbusPool.ts); close() ends them.
import type { AlertChannel } from '../channel.ts';
import type { AlertSeverity } from '../model.ts';
import { type SessionBus, type Urgency, emitEarlyoomSignal, findSessionBuses, notifyDesktop } from './dbus.ts';
import { BusPool } from './dbusPool.ts';

const URGENCY: Record<AlertSeverity, Urgency> = { info: 'low', warning: 'normal', critical: 'critical' };

export interface DbusAlertOptions {
  systemSignal?: boolean;
  // Where to look for users' session buses; tests point it at their own processes.
  procRoot?: string;
  systemBusAddress?: string;
  // How long a connection may sit unused before it is closed; default 60 s.
  idleMs?: number;
}

// Finding session buses reads every process's environment: once per this period is enough.
const SESSION_SCAN_MS = 10_000;

export function dbusChannel(options: DbusAlertOptions = {}): AlertChannel & { close(): Promise<void>; readonly pool: BusPool } {
  const pool = new BusPool(options.idleMs === undefined ? {} : { idleMs: options.idleMs });
  let buses: SessionBus[] = [];
  let scannedMs = -Infinity;
  const sessionBuses = (): SessionBus[] => {
    if (Date.now() - scannedMs >= SESSION_SCAN_MS) {
      buses = findSessionBuses(options.procRoot);
      scannedMs = Date.now();
    }
    return buses;
  };
  return {
    name: 'dbus',
    pool,
    async send(alert, event, abort) {
      const summary = event === 'resolved' ? `Resolved: ${alert.title}` : alert.title;
      const deliveries: Array<Promise<unknown>> = sessionBuses().map((bus) =>
        notifyDesktop(summary, alert.message, { busAddress: bus.address, uid: bus.uid, urgency: URGENCY[alert.severity], pool }),
      );
      if (options.systemSignal) {
        deliveries.push(emitEarlyoomSignal(`${summary}: ${alert.message}`, { pool, ...(options.systemBusAddress ? { busAddress: options.systemBusAddress } : {}) }));
      }
      if (deliveries.length === 0) throw new Error('no graphical session bus found and the system signal is off');
      const results = await Promise.allSettled(deliveries);
      abort.throwIfAborted();
      const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failures.length === results.length) throw new Error(failures.map((f) => (f.reason as Error).message).join('; '));
    },
    close: () => pool.close(),
  };
}
