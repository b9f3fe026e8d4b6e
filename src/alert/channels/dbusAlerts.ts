// Alerts as desktop notifications on the session bus of each logged-in graphical user, and
// optionally as earlyoom's system-bus signal for the bridges that already listen to it. One kept-open
// connection per (bus, uid) carries every alert (dbusPool.ts); close() ends them.
//
// Retries (the shared delivery wrapper in ../channel.ts does the backoff): each bus is a target of
// its own. A target whose call was never written (no connection, the bus restarting) is retried, and
// only that target: buses that already showed the alert are not told twice. A Notify that was
// written and then lost its connection or its deadline before the answer is `unknown`, never
// retried: the server may have shown it, and a second copy is what the retry would cost.
import { type AlertChannel, type DeliveryAttempt, OutcomeUnknownError, type TargetOutcome, TransientError } from '../channel.ts';
import type { AlertSeverity } from '../model.ts';
import { type SessionBus, type Urgency, emitEarlyoomSignal, findSessionBuses, notifyDesktop } from './dbus.ts';
import { CallUnanswered, DbusErrorReply } from './dbusErrors.ts';
import { BusPool } from './dbusPool.ts';

const URGENCY: Record<AlertSeverity, Urgency> = { info: 'low', warning: 'normal', critical: 'critical' };

export interface DbusAlertOptions {
  // The channel's name in delivery statuses; default "dbus".
  name?: string;
  systemSignal?: boolean;
  // Where to look for users' session buses; tests point it at their own processes.
  procRoot?: string;
  // Instead of scanning procRoot (tests that must not notify other programs' buses).
  findBuses?: () => SessionBus[];
  systemBusAddress?: string;
  // How long a connection may sit unused before it is closed; default 60 s.
  idleMs?: number;
  // Deadline of one call, connecting included (default 2 s); the attempt's own timeout also applies.
  callTimeoutMs?: number;
}

// Finding session buses reads every process's environment: once per this period is enough.
const SESSION_SCAN_MS = 10_000;

type Verdict = 'retry' | 'failed' | 'unknown';

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = error; e !== undefined && chain.length < 5; e = (e as { cause?: unknown }).cause) chain.push(e);
  return chain;
}

// An error reply means the call arrived and was refused; a call written but unanswered may have
// been acted on; anything else happened before the call was written (connecting, a closed
// connection, the bus not listening yet), so trying again is safe.
function verdictOf(error: unknown): Verdict {
  const chain = causes(error);
  if (chain.some((e) => e instanceof CallUnanswered)) return 'unknown';
  if (chain.some((e) => e instanceof DbusErrorReply)) return 'failed';
  return 'retry';
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

// What the attempt's settled targets add up to: sent (with a note when some bus missed it),
// unknown, or failed.
function conclude(targets: Map<string, TargetOutcome>): string | undefined {
  const all = [...targets.values()];
  const missed = [...targets].filter(([, o]) => o.status !== 'sent').map(([key, o]) => `${key}: ${o.status}: ${o.reason ?? ''}`);
  const sent = all.filter((o) => o.status === 'sent').length;
  if (sent === all.length) return undefined;
  if (sent > 0) return `sent to ${sent} of ${all.length} buses; ${missed.join('; ')}`;
  if (all.some((o) => o.status === 'unknown')) throw new OutcomeUnknownError(`outcome unknown, not retried (the notification may have been shown): ${missed.join('; ')}`);
  throw new Error(missed.join('; '));
}

export function dbusChannel(options: DbusAlertOptions = {}): AlertChannel & { close(): Promise<void>; readonly pool: BusPool } {
  const pool = new BusPool(options.idleMs === undefined ? {} : { idleMs: options.idleMs });
  let buses: SessionBus[] = [];
  let scannedMs = -Infinity;
  const sessionBuses = (): SessionBus[] => {
    if (options.findBuses) return options.findBuses();
    if (Date.now() - scannedMs >= SESSION_SCAN_MS) {
      buses = findSessionBuses(options.procRoot);
      scannedMs = Date.now();
    }
    return buses;
  };
  const timeout = options.callTimeoutMs === undefined ? {} : { timeoutMs: options.callTimeoutMs };
  return {
    name: options.name ?? 'dbus',
    pool,
    async send(alert, event, abort, attempt: DeliveryAttempt) {
      const summary = event === 'resolved' ? `Resolved: ${alert.title}` : alert.title;
      const targets = new Map<string, () => Promise<unknown>>();
      for (const bus of sessionBuses()) {
        targets.set(`session bus ${bus.address} (uid ${bus.uid})`, () => notifyDesktop(summary, alert.message, { busAddress: bus.address, uid: bus.uid, urgency: URGENCY[alert.severity], pool, abort, ...timeout }));
      }
      if (options.systemSignal) {
        const address = options.systemBusAddress ? { busAddress: options.systemBusAddress } : {};
        targets.set('system bus signal', () => emitEarlyoomSignal(`${summary}: ${alert.message}`, { pool, abort, ...address, ...timeout }));
      }
      if (targets.size === 0 && attempt.targets.size === 0) throw new Error('no graphical session bus found and the system signal is off');
      const pending = [...targets].filter(([key]) => !attempt.targets.has(key));
      const results = await Promise.allSettled(pending.map(([, run]) => run()));
      const retryable: string[] = [];
      results.forEach((result, i) => {
        const key = pending[i]![0];
        if (result.status === 'fulfilled') return void attempt.targets.set(key, { status: 'sent' });
        const verdict = verdictOf(result.reason);
        if (verdict === 'retry' && !attempt.last) retryable.push(`${key}: ${messageOf(result.reason)}`);
        else attempt.targets.set(key, { status: verdict === 'retry' ? 'failed' : verdict, reason: messageOf(result.reason) });
      });
      if (retryable.length > 0) throw new TransientError(retryable.join('; '));
      return conclude(attempt.targets);
    },
    close: () => pool.close(),
  };
}
