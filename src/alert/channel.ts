// The channel interface and the delivery wrapper every channel gets: a timeout per attempt, retries
// with exponential backoff for transient failures, and a recorded status per alert.
import { type Alert, type AlertEvent, type AlertSeverity, atLeast } from './model.ts';

export interface AlertChannel {
  readonly name: string;
  // Throws to fail the attempt; a TransientError (or a timeout) is retried, anything else is final.
  send(alert: Alert, event: AlertEvent, signal: AbortSignal): Promise<void>;
}

export class TransientError extends Error {}

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
  status: 'sent' | 'failed' | 'suppressed';
  reason?: string;
  attempts: number;
  timeMs: number;
  durationMs: number;
}

export interface DeliveryDeps {
  nowMs: () => number;
  sleep: (ms: number) => Promise<void>;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function deliver(channel: AlertChannel, policy: DeliveryPolicy, alert: Alert, event: AlertEvent, deps: DeliveryDeps): Promise<DeliveryStatus> {
  const started = deps.nowMs();
  const base = { channel: channel.name, alertId: alert.id, event, timeMs: started };
  if (!atLeast(alert.severity, policy.minSeverity)) {
    return { ...base, status: 'suppressed', reason: `below ${policy.minSeverity}`, attempts: 0, durationMs: 0 };
  }
  let lastError = '';
  for (let attempt = 1; attempt <= policy.retries + 1; attempt++) {
    const signal = AbortSignal.timeout(policy.timeoutMs);
    try {
      await withAbort(channel.send(alert, event, signal), signal, policy.timeoutMs);
      return { ...base, status: 'sent', attempts: attempt, durationMs: deps.nowMs() - started };
    } catch (error) {
      lastError = errorText(error);
      const transient = error instanceof TransientError || signal.aborted;
      if (!transient || attempt > policy.retries) {
        return { ...base, status: 'failed', reason: lastError, attempts: attempt, durationMs: deps.nowMs() - started };
      }
      await deps.sleep(policy.backoffMs * 2 ** (attempt - 1));
    }
  }
  return { ...base, status: 'failed', reason: lastError, attempts: policy.retries + 1, durationMs: deps.nowMs() - started };
}

// A channel that ignores its signal still cannot hold delivery past the timeout.
function withAbort(work: Promise<void>, signal: AbortSignal, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(new TransientError(`no answer within ${timeoutMs} ms`));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
