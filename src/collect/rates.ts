// Rates from two reads of a cumulative kernel counter: wrap-aware, reset-aware, never negative.

const WRAP_32 = 2 ** 32;

// The increase from previous to current, or undefined when it cannot be known: a counter that
// went backwards is a 32-bit wrap if that explains it with a plausible step (< 2^31), otherwise a
// reset (device re-created, driver reloaded) and the interval has no rate. 64-bit counters do not
// wrap in practice (2^64 bytes at 100 Gb/s is 46 years).
export function counterDelta(previous: number, current: number): number | undefined {
  if (!Number.isFinite(previous) || !Number.isFinite(current) || previous < 0 || current < 0) return undefined;
  if (current >= previous) return current - previous;
  if (previous < WRAP_32) {
    const wrapped = WRAP_32 - previous + current;
    if (wrapped < WRAP_32 / 2) return wrapped;
  }
  return undefined;
}

// Per-second rate of a counter over seconds; undefined without a usable delta or interval.
export function counterRate(previous: number | undefined, current: number, seconds: number | undefined): number | undefined {
  if (previous === undefined || seconds === undefined || !(seconds > 0)) return undefined;
  const delta = counterDelta(previous, current);
  return delta === undefined ? undefined : delta / seconds;
}

// part/whole as a 0-100 percentage, clamped (CPU counters can step back by a tick).
export function percentOf(part: number, whole: number): number | undefined {
  if (!(whole > 0) || !Number.isFinite(part)) return undefined;
  return Math.min(100, Math.max(0, (part / whole) * 100));
}

// Rounds for presentation and JSON size, not for arithmetic.
export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

// Adds key: value only when value is defined, keeping optional fields absent rather than undefined in JSON.
export function defined<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
