// Which files the JSON files channel removes: past the age limit first, then the oldest beyond the cap.
import { describe, expect, it } from 'vitest';
import { oldestOut } from './jsonFiles.ts';

const files = (ages: number[], nowMs: number) => ages.map((ageMs, i) => ({ name: `f${i}`, mtimeMs: nowMs - ageMs }));

describe('oldestOut', () => {
  it('removes every file past the age limit, whatever the count', () => {
    const now = 1_000_000;
    expect(oldestOut(files([5000, 4000, 10, 5], now), 10, 3000, now).map((f) => f.name)).toEqual(['f0', 'f1']);
  });

  it('then the oldest of the rest beyond the cap, and nothing within both limits', () => {
    const now = 1_000_000;
    expect(oldestOut(files([9000, 300, 200, 100, 0], now), 2, 5000, now).map((f) => f.name)).toEqual(['f0', 'f1', 'f2']);
    expect(oldestOut(files([300, 200], now), 2, 5000, now)).toEqual([]);
  });
});
