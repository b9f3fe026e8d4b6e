// Adaptive polling: sleep as long as memory cannot reach the SIGTERM limit, judged from the
// headroom and the fill rate actually observed (never assumed slower than a fast hog).
import type { MemorySample } from './memory.ts';
import type { Thresholds } from './thresholds.ts';

export const MIN_SLEEP_MS = 5;
export const MAX_SLEEP_MS = 1000;
// earlyoom's assumption for a hog that starts between two polls: 6000 MiB/s.
export const ASSUMED_FILL_BYTES_PER_SECOND = 6000 * 1024 * 1024;
// Wake at half the time the headroom could last, so one late timer is not fatal.
const SAFETY_FACTOR = 0.5;

export class FillRate {
  private previous: MemorySample | undefined;
  private smoothedBytesPerSecond = 0;
  private latestBytesPerSecond = 0;

  // Bytes per second by which available memory (and free swap) is shrinking; 0 when growing.
  update(sample: MemorySample): void {
    const previous = this.previous;
    this.previous = sample;
    if (!previous || sample.timeMs <= previous.timeMs) return;
    const consumed = previous.availableBytes + previous.swapFreeBytes - (sample.availableBytes + sample.swapFreeBytes);
    this.latestBytesPerSecond = Math.max(0, (consumed * 1000) / (sample.timeMs - previous.timeMs));
    this.smoothedBytesPerSecond = 0.5 * this.smoothedBytesPerSecond + 0.5 * this.latestBytesPerSecond;
  }

  get bytesPerSecond(): number {
    return Math.max(this.latestBytesPerSecond, this.smoothedBytesPerSecond);
  }
}

export function headroomBytes(sample: MemorySample, thresholds: Thresholds): number {
  const memTermBytes = (thresholds.memTermPercent / 100) * sample.totalBytes;
  const swapTermBytes = (thresholds.swapTermPercent / 100) * sample.swapTotalBytes;
  return Math.max(0, sample.availableBytes - memTermBytes) + Math.max(0, sample.swapFreeBytes - swapTermBytes);
}

export function sleepMs(sample: MemorySample, thresholds: Thresholds, observedBytesPerSecond: number): number {
  const rate = Math.max(observedBytesPerSecond, ASSUMED_FILL_BYTES_PER_SECOND);
  const ms = ((headroomBytes(sample, thresholds) / rate) * 1000 * SAFETY_FACTOR);
  return Math.min(MAX_SLEEP_MS, Math.max(MIN_SLEEP_MS, Math.floor(ms)));
}
