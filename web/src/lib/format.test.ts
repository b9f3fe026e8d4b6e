// Dashboard formatting: units, unknown values, clock times, durations.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clockTime, formatBytes, formatCelsius, formatDuration, formatPercent, formatRate, UNKNOWN } from './format.ts';

describe('formatBytes', () => {
  it('uses binary units with at most three significant digits', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1024)).toBe('1.00 KiB');
    expect(formatBytes(16_000_000)).toBe('15.3 MiB');
    expect(formatBytes(25_276_063_744)).toBe('23.5 GiB');
    expect(formatBytes(270_553_174_016)).toBe('252 GiB');
  });

  it('says unknown for absent or non-finite values, and never throws', () => {
    expect(formatBytes(undefined)).toBe(UNKNOWN);
    expect(formatRate(Number.NaN)).toBe(UNKNOWN);
    fc.assert(fc.property(fc.double(), (n) => typeof formatBytes(n) === 'string'));
  });
});

describe('other formats', () => {
  it('percentages, rates and temperatures carry their unit', () => {
    expect(formatPercent(12.345)).toBe('12.3 %');
    expect(formatRate(2048)).toBe('2.00 KiB/s');
    expect(formatCelsius(45)).toBe('45.0 \u00b0C');
  });

  it('clock times are HH:MM:SS in the local zone', () => {
    const ms = new Date(2026, 0, 5, 9, 3, 7).getTime();
    expect(clockTime(ms)).toBe('09:03:07');
  });

  it('durations show the two largest units', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(42)).toBe('42s');
    expect(formatDuration(423)).toBe('7m 3s');
    expect(formatDuration(3 * 86_400 + 4 * 3600 + 5)).toBe('3d 4h');
    expect(formatDuration(3600)).toBe('1h');
    expect(formatDuration(-1)).toBe(UNKNOWN);
  });
});
