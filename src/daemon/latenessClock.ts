// A clock that measures how late each timer fires after it was due: the sampler's ticks run through
// it, so a request that held up the event loop shows as tick lateness.
import type { Clock } from '../collect/clock.ts';

export function latenessClock(base: Clock, observe: (lateMs: number) => void): Clock {
  return {
    now: () => base.now(),
    setTimeout: (callback, ms) => {
      const dueMs = base.now() + Math.max(0, ms);
      return base.setTimeout(() => {
        observe(Math.max(0, base.now() - dueMs));
        callback();
      }, ms);
    },
    clearTimeout: (handle) => base.clearTimeout(handle),
  };
}
