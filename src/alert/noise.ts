// Noise control: the same key at most once per rate limit (repeats counted), a global cap per
// minute with one summary of what was held back, and optional quiet hours for non-critical alerts.
import { type AlertSeverity, atLeast } from './model.ts';

export interface NoiseSettings {
  rateLimitMs: number;
  maxPerMinute: number;
  // Local hours [start, end) when only alerts at or above quietMinSeverity go out; start > end wraps midnight.
  quietHours?: { startHour: number; endHour: number; minSeverity: AlertSeverity };
}

export const DEFAULT_NOISE: NoiseSettings = { rateLimitMs: 60_000, maxPerMinute: 30 };

export type NoiseVerdict = { send: true } | { send: false; reason: 'rate-limited' | 'global-cap' | 'quiet-hours' };

const MINUTE_MS = 60_000;

export class NoiseControl {
  private readonly settings: NoiseSettings;
  private readonly lastSentMs = new Map<string, number>();
  private windowStartMs = -Infinity;
  private sentInWindow = 0;
  private suppressedInWindow = 0;
  private pendingSummary = 0;

  constructor(settings: NoiseSettings) {
    this.settings = settings;
  }

  // Decides for one firing; `localHour` comes from the caller's clock so tests can choose it.
  judge(key: string, severity: AlertSeverity, nowMs: number, localHour: number): NoiseVerdict {
    const last = this.lastSentMs.get(key);
    if (last !== undefined && nowMs - last < this.settings.rateLimitMs) return { send: false, reason: 'rate-limited' };
    const quiet = this.settings.quietHours;
    if (quiet && inHours(localHour, quiet.startHour, quiet.endHour) && !atLeast(severity, quiet.minSeverity)) {
      return { send: false, reason: 'quiet-hours' };
    }
    this.rollWindow(nowMs);
    if (this.sentInWindow >= this.settings.maxPerMinute) {
      this.suppressedInWindow++;
      return { send: false, reason: 'global-cap' };
    }
    this.sentInWindow++;
    this.lastSentMs.set(key, nowMs);
    return { send: true };
  }

  // Alerts held back by the global cap in the minute that just ended; reading it resets the count.
  takeSuppressed(nowMs: number): number {
    this.rollWindow(nowMs);
    const count = this.pendingSummary;
    this.pendingSummary = 0;
    return count;
  }

  private rollWindow(nowMs: number): void {
    if (nowMs - this.windowStartMs < MINUTE_MS) return;
    this.pendingSummary += this.suppressedInWindow;
    this.windowStartMs = nowMs;
    this.sentInWindow = 0;
    this.suppressedInWindow = 0;
  }

  // Forget keys idle for longer than the rate limit, so the map stays bounded.
  prune(nowMs: number): void {
    for (const [key, sentMs] of this.lastSentMs) if (nowMs - sentMs >= this.settings.rateLimitMs) this.lastSentMs.delete(key);
  }
}

function inHours(hour: number, start: number, end: number): boolean {
  return start <= end ? hour >= start && hour < end : hour >= start || hour < end;
}
