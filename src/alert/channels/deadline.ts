// Timing for deliveries: a deadline as an AbortSignal whose timer is cleared when the work ends, a
// backoff sleep that shutdown can cut short, and a bounded wait. It sits beside the channels because
// the guard may import only alert/channels/, and reaches it through the D-Bus pool.
//
// Why not AbortSignal.timeout(): it cannot be cleared, so every finished attempt still fires its
// timer later and builds a DOMException with a stack trace (measured: 2.3 s of the alert thread's
// time in a 3,000-alert storm); AbortSignal.any() keeps composite signals alive. A deadline here
// costs one setTimeout and one listener per parent.
export interface Deadline {
  readonly signal: AbortSignal;
  // whether the time ran out (rather than a parent signal aborting)
  readonly expired: boolean;
  // stops the timer and the parent listeners; call it when the work ends, however it ends
  dispose(): void;
}

export function deadline(timeoutMs: number, parents: Array<AbortSignal | undefined> = []): Deadline {
  const controller = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError'));
  }, timeoutMs);
  const linked = parents.filter((p): p is AbortSignal => p !== undefined);
  const onParentAbort = (event: Event): void => controller.abort((event.target as AbortSignal).reason);
  for (const parent of linked) {
    if (parent.aborted) controller.abort(parent.reason);
    else parent.addEventListener('abort', onParentAbort, { once: true });
  }
  return {
    signal: controller.signal,
    get expired() {
      return expired;
    },
    dispose() {
      clearTimeout(timer);
      for (const parent of linked) parent.removeEventListener('abort', onParentAbort);
    },
  };
}

// A backoff that ends early when the alert system closes (the retry then does not happen).
export function cancellableSleep(ms: number, cancel?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (cancel?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      cancel?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    cancel?.addEventListener('abort', done, { once: true });
  });
}

// Settles when `work` does or after ms, whichever is first (a bounded wait at shutdown).
export function withinMs(work: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
