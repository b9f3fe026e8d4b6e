import { describe, expect, it } from 'vitest';
import type { MemorySample } from './memory.ts';
import { ASSUMED_FILL_BYTES_PER_SECOND, FillRate, MAX_SLEEP_MS, MIN_SLEEP_MS, sleepMs } from './poll.ts';

const MiB = 1024 * 1024;
const t = { memTermPercent: 10, memKillPercent: 5, swapTermPercent: 10, swapKillPercent: 5 };

function sample(timeMs: number, availableBytes: number, totalBytes = 512 * MiB): MemorySample {
  return {
    timeMs,
    totalBytes,
    availableBytes,
    availablePercent: (availableBytes * 100) / totalBytes,
    swapTotalBytes: 0,
    swapFreeBytes: 0,
    swapFreePercent: 0,
  };
}

describe('adaptive polling', () => {
  it('sleeps the maximum when far from the limits on a large host', () => {
    expect(sleepMs(sample(0, 20_000 * MiB, 24_000 * MiB), t, 0)).toBe(MAX_SLEEP_MS);
  });

  it('sleeps the minimum at or past the limit', () => {
    expect(sleepMs(sample(0, 40 * MiB), t, 0)).toBe(MIN_SLEEP_MS);
  });

  it('wakes before an assumed fast hog could use half the headroom', () => {
    const headroom = 460 * MiB - 51.2 * MiB;
    const expected = Math.floor((headroom / ASSUMED_FILL_BYTES_PER_SECOND) * 1000 * 0.5);
    expect(sleepMs(sample(0, 460 * MiB), t, 0)).toBe(expected);
  });

  it('sleeps less when the observed fill rate beats the assumption', () => {
    const rate = new FillRate();
    rate.update(sample(0, 460 * MiB));
    rate.update(sample(10, 360 * MiB)); // 10 GB/s
    expect(rate.bytesPerSecond).toBeGreaterThan(ASSUMED_FILL_BYTES_PER_SECOND);
    expect(sleepMs(sample(10, 360 * MiB), t, rate.bytesPerSecond)).toBeLessThan(sleepMs(sample(10, 360 * MiB), t, 0));
  });

  it('never reports a negative fill rate when memory is freed', () => {
    const rate = new FillRate();
    rate.update(sample(0, 100 * MiB));
    rate.update(sample(100, 400 * MiB));
    expect(rate.bytesPerSecond).toBe(0);
  });
});
