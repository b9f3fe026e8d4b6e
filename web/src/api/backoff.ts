// How long to wait before reconnecting: doubling from baseMs up to maxMs, with jitter so a daemon
// that restarts is not hit by every dashboard in the same millisecond.
export interface BackoffSettings {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffSettings = { baseMs: 500, maxMs: 15_000 };

// attempt 0 is the first retry; random() is in [0, 1) (Math.random, or a seeded one in tests).
export function reconnectDelayMs(attempt: number, random: () => number, settings: BackoffSettings = DEFAULT_BACKOFF): number {
  const exponent = Math.min(Math.max(0, Math.floor(attempt)), 30);
  const ceiling = Math.min(settings.maxMs, settings.baseMs * 2 ** exponent);
  // between half and all of the ceiling: never zero, never above maxMs
  return Math.round(ceiling / 2 + (ceiling / 2) * Math.min(Math.max(random(), 0), 1));
}

// A socket that has said nothing for this long is treated as dead (a half-open TCP connection
// never closes by itself): three sampling intervals, at least a minute (the daemon pings every 30 s
// but a browser's WebSocket does not show pings).
export function silenceLimitMs(intervalSeconds: number | null | undefined): number {
  const interval = intervalSeconds !== null && intervalSeconds !== undefined && Number.isFinite(intervalSeconds) ? intervalSeconds : 0;
  return Math.max(60_000, Math.round(interval * 3000));
}
