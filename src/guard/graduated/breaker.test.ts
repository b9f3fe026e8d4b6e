import { describe, expect, it } from 'vitest';
import type { GuardEvent } from '../events.ts';
import { CircuitBreaker } from './breaker.ts';

describe('CircuitBreaker', () => {
  it('allows `limit` actions per window, says once that it is open, and again when it closes', () => {
    const events: GuardEvent[] = [];
    const breaker = new CircuitBreaker(2, 60_000, (e) => events.push(e));
    expect([0, 1000, 2000, 3000].map((t) => breaker.allow(t))).toEqual([true, true, false, false]);
    expect(breaker.isOpen).toBe(true);
    expect(breaker.allow(60_001)).toBe(true);
    expect(events).toEqual([
      { type: 'breaker', open: true, actions: 2, limit: 2, windowMs: 60_000 },
      { type: 'breaker', open: false, actions: 1, limit: 2, windowMs: 60_000 },
    ]);
  });
});
