import { describe, expect, it } from 'vitest';
import type { MetricsSnapshot } from '../collect/types.ts';
import { adviseLevel } from './levelAdvisor.ts';
import type { Episode, Rule } from './rules.ts';

const snapshot = (usedPercent: number, celsius: number): MetricsSnapshot => ({
  timestamp: '', timestampMs: 0, intervalSeconds: 1,
  memory: { totalBytes: 1, availableBytes: 0, usedBytes: 0, usedPercent, freeBytes: 0, buffersBytes: 0, cachedBytes: 0, sharedBytes: 0, swapTotalBytes: 0, swapUsedBytes: 0, swapFreeBytes: 0, swapUsedPercent: 0, zram: [] },
  temperatures: { sensors: [{ source: 'hwmon', sensor: 'x/temp1', label: 'x', celsius }] },
});
const base = { hysteresis: 5, forMs: 0, clearForMs: 0, type: 'threshold', comparison: '>' } as const;
const rules: Rule[] = [
  { ...base, name: 'memory-warning', metric: 'memory_used_percent', threshold: 75, severity: 'warning' },
  { ...base, name: 'temperature', metric: 'temperature_celsius', threshold: 85, severity: 'critical' },
  { ...base, name: 'usb', metric: 'usb_timeouts_count', threshold: 0, severity: 'critical' },
];
const margins = { intensive: 10, normal: 25 };
const episode = (severity: Episode['severity']): Episode => ({ id: 'x', rule: 'r', metric: 'cpu_busy_percent', category: 'cpu', severity, startMs: 0, endMs: null, peakValue: 0, peakMs: 0, lastValue: 0, reference: 0, message: '', triggerValues: [] });

describe('adviseLevel', () => {
  it('follows the worst open episode', () => {
    expect(adviseLevel([episode('critical'), episode('info')], snapshot(10, 30), rules, margins)).toBe('critical');
    expect(adviseLevel([episode('warning')], snapshot(10, 30), rules, margins)).toBe('intensive');
    expect(adviseLevel([episode('info')], snapshot(10, 30), rules, margins)).toBe('normal');
  });

  it('rises as a percentage or a temperature nears a threshold, in its own unit', () => {
    expect(adviseLevel([], snapshot(10, 30), rules, margins)).toBe('idle');
    expect(adviseLevel([], snapshot(55, 30), rules, margins)).toBe('normal');
    expect(adviseLevel([], snapshot(66, 30), rules, margins)).toBe('intensive');
    expect(adviseLevel([], snapshot(10, 76), rules, margins)).toBe('intensive');
    expect(adviseLevel([], snapshot(10, 61), rules, margins)).toBe('normal');
  });
});
