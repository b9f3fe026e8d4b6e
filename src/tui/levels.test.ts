// The memory level top shows without a guard's own report: the guard's default thresholds.
import { describe, expect, it } from 'vitest';
import { DEFAULT_LEVEL_THRESHOLDS } from '../guard/graduated/levels.ts';
import { isMemoryLevel, memoryLevel } from './levels.ts';

describe('memoryLevel', () => {
  it("changes exactly at the guard's default thresholds", () => {
    const { warningPercent, criticalPercent, emergencyPercent } = DEFAULT_LEVEL_THRESHOLDS;
    expect(memoryLevel(0)).toBe('NORMAL');
    expect(memoryLevel(warningPercent - 0.01)).toBe('NORMAL');
    expect(memoryLevel(warningPercent)).toBe('WARNING');
    expect(memoryLevel(criticalPercent - 0.01)).toBe('WARNING');
    expect(memoryLevel(criticalPercent)).toBe('CRITICAL');
    expect(memoryLevel(emergencyPercent)).toBe('EMERGENCY');
    expect(memoryLevel(100)).toBe('EMERGENCY');
  });

  it('accepts only the guard level names', () => {
    expect(isMemoryLevel('EMERGENCY')).toBe(true);
    expect(isMemoryLevel('emergency')).toBe(false);
    expect(isMemoryLevel(3)).toBe(false);
  });
});
