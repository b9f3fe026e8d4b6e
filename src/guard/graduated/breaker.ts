// The protector's circuit breaker: at most `limit` actions in any window of `windowMs`; past that
// it refuses and says so once, and says so again when it acts anew.
import type { Emit } from '../events.ts';

export class CircuitBreaker {
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly emit: Emit;
  private readonly times: number[] = [];
  private open = false;

  constructor(limit: number, windowMs: number, emit: Emit) {
    this.limit = limit;
    this.windowMs = windowMs;
    this.emit = emit;
  }

  // True when one more action may be taken now (and counts it).
  allow(nowMs: number): boolean {
    while (this.times.length > 0 && (this.times[0] ?? nowMs) <= nowMs - this.windowMs) this.times.shift();
    if (this.times.length >= this.limit) {
      if (!this.open) this.emit({ type: 'breaker', open: true, actions: this.times.length, limit: this.limit, windowMs: this.windowMs });
      this.open = true;
      return false;
    }
    if (this.open) this.emit({ type: 'breaker', open: false, actions: this.times.length, limit: this.limit, windowMs: this.windowMs });
    this.open = false;
    this.times.push(nowMs);
    return true;
  }

  get isOpen(): boolean {
    return this.open;
  }
}
