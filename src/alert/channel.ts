// The channel interface and the delivery wrapper every channel gets: a timeout per attempt, retries
// with exponential backoff for transient failures, and a recorded status per alert.
import { deadline } from './channels/deadline.ts';
import { type Alert, type AlertEvent, type AlertSeverity, atLeast } from './model.ts';

export interface AlertChannel {
  readonly name: string;
  // Throws to fail the attempt: a TransientError (or a timeout) is retried, an OutcomeUnknownError is
  // recorded as `unknown` and not retried, anything else is final. May resolve with a note (a partial
  // delivery, say), recorded as the `sent` status's reason.
  send(alert: Alert, event: AlertEvent, signal: AbortSignal, attempt: DeliveryAttempt): Promise<void | string>;
  // Ends what the channel holds open (connections, children); later sends fail.
  close?(): Promise<void>;
}

// Worth another try: nothing reached the receiver, or it said "later" (HTTP 503, a bus restarting).
export class TransientError extends Error {}
// The receiver may or may not have acted (a call written, then the connection broke before the
// answer): a retry could show the alert twice, so it is recorded as `unknown` instead.
export class OutcomeUnknownError extends Error {}

// One attempt of one delivery. A channel with several targets (D-Bus: a bus per user) keeps in
// `targets` what earlier attempts of the same delivery settled, so a retry goes only to the rest.
export interface DeliveryAttempt {
  number: number;
  last: boolean;
  targets: Map<string, TargetOutcome>;
}
export interface TargetOutcome {
  status: 'sent' | 'failed' | 'unknown';
  reason?: string;
}

export interface DeliveryPolicy {
  minSeverity: AlertSeverity;
  timeoutMs: number;
  retries: number;
  backoffMs: number;
}

export const DEFAULT_DELIVERY: DeliveryPolicy = { minSeverity: 'info', timeoutMs: 5000, retries: 2, backoffMs: 500 };

export interface DeliveryStatus {
  channel: string;
  alertId: string;
  event: AlertEvent;
  status: 'sent' | 'failed' | 'unknown' | 'suppressed';
  reason?: string;
  attempts: number;
  timeMs: number;
  durationMs: number;
}

export interface DeliveryDeps {
  nowMs: () => number;
  // Resolves after ms, or at once when `cancel` aborts (the alert system closing).
  sleep: (ms: number, cancel?: AbortSignal) => Promise<void>;
  // Aborted when the alert system starts closing: no attempt or retry starts any more.
  draining?: AbortSignal;
  // Aborted when its wait for the attempts in flight is over: they are aborted.
  closing?: AbortSignal;
}

// How long a channel that was aborted may take to say how the attempt ended (an `unknown`
// outcome must not be hidden behind a generic timeout) before the wrapper gives up on it.
const ABORT_GRACE_MS = 100;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

type Outcome = { status: 'sent'; reason?: string } | { status: 'retry' | 'failed' | 'unknown'; reason: string };

async function attemptOnce(channel: AlertChannel, policy: DeliveryPolicy, alert: Alert, event: AlertEvent, attempt: DeliveryAttempt, closing?: AbortSignal): Promise<Outcome> {
  const limit = deadline(policy.timeoutMs, [closing]);
  try {
    const note = await withAbort(channel.send(alert, event, limit.signal, attempt), limit.signal, policy.timeoutMs);
    return typeof note === 'string' ? { status: 'sent', reason: note } : { status: 'sent' };
  } catch (error) {
    const reason = errorText(error);
    if (error instanceof OutcomeUnknownError) return { status: 'unknown', reason };
    if (closing?.aborted) return { status: 'failed', reason: `the alert system closed during attempt ${attempt.number} (${reason})` };
    if (limit.expired) return { status: 'retry', reason: `no answer within ${policy.timeoutMs} ms` };
    return { status: error instanceof TransientError ? 'retry' : 'failed', reason };
  } finally {
    limit.dispose();
  }
}

export async function deliver(channel: AlertChannel, policy: DeliveryPolicy, alert: Alert, event: AlertEvent, deps: DeliveryDeps): Promise<DeliveryStatus> {
  const started = deps.nowMs();
  const base = { channel: channel.name, alertId: alert.id, event, timeMs: started };
  const ended = (status: DeliveryStatus['status'], attempts: number, reason?: string): DeliveryStatus => ({ ...base, status, ...(reason === undefined ? {} : { reason }), attempts, durationMs: deps.nowMs() - started });
  if (!atLeast(alert.severity, policy.minSeverity)) return { ...base, status: 'suppressed', reason: `below ${policy.minSeverity}`, attempts: 0, durationMs: 0 };
  const targets = new Map<string, TargetOutcome>();
  let lastReason = '';
  for (let number = 1; ; number++) {
    if (deps.draining?.aborted) return ended('failed', number - 1, number === 1 ? 'the alert system closed before the first attempt' : `not retried: the alert system closed (attempt ${number - 1}: ${lastReason})`);
    const last = number > policy.retries;
    const outcome = await attemptOnce(channel, policy, alert, event, { number, last, targets }, deps.closing);
    if (outcome.status !== 'retry') return ended(outcome.status, number, outcome.reason);
    if (last) return ended('failed', number, outcome.reason);
    lastReason = outcome.reason;
    await deps.sleep(policy.backoffMs * 2 ** (number - 1), deps.draining);
  }
}

// A channel that ignores its signal still cannot hold delivery past the timeout (and a short grace
// to report how the attempt ended).
function withAbort<T>(work: Promise<T>, signal: AbortSignal, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    let grace: ReturnType<typeof setTimeout> | undefined;
    const onAbort = (): void => {
      const timedOut = signal.reason instanceof DOMException && signal.reason.name === 'TimeoutError';
      const reason = timedOut ? `no answer within ${timeoutMs} ms` : `aborted: ${errorText(signal.reason)}`;
      grace = setTimeout(() => reject(new TransientError(reason)), ABORT_GRACE_MS);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    const settle = (): void => {
      signal.removeEventListener('abort', onAbort);
      clearTimeout(grace);
    };
    work.then(
      (value) => {
        settle();
        resolve(value);
      },
      (error: unknown) => {
        settle();
        reject(error);
      },
    );
  });
}
