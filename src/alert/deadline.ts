// A deadline as an AbortSignal whose timer is cleared when the work ends. AbortSignal.timeout()
// cannot be cleared: every finished attempt still fires its timer later and builds a DOMException
// with a stack trace (measured: 2.3 s of the alert thread's time in a 3,000-alert storm), and
// AbortSignal.any() keeps composite signals alive; this costs one setTimeout and one listener.
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
