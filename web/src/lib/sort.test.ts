// Table ordering: numbers and names, both directions, unknown values last, stability.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextSort, sortRows } from './sort.ts';

describe('sortRows', () => {
  it('orders numbers either way and keeps unknown values last in both', () => {
    const rows = [{ v: 3 }, { v: undefined }, { v: 10 }, { v: 1 }];
    expect(sortRows(rows, (r) => r.v, 'desc').map((r) => r.v)).toEqual([10, 3, 1, undefined]);
    expect(sortRows(rows, (r) => r.v, 'asc').map((r) => r.v)).toEqual([1, 3, 10, undefined]);
  });

  it('orders names naturally (proc2 before proc10)', () => {
    expect(sortRows(['proc10', 'proc2', 'Bash'], (r) => r, 'asc')).toEqual(['Bash', 'proc2', 'proc10']);
  });

  it('returns a permutation, sorted, without touching the input', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.integer(), { nil: undefined })), (values) => {
        const copy = [...values];
        const sorted = sortRows(values, (v) => v, 'asc');
        expect(values).toEqual(copy);
        expect([...sorted].sort()).toEqual([...values].sort());
        const known = sorted.filter((v): v is number => v !== undefined);
        expect(known).toEqual([...known].sort((a, b) => a - b));
        expect(sorted.slice(known.length).every((v) => v === undefined)).toBe(true);
      }),
    );
  });
});

describe('nextSort', () => {
  it('flips the sorted column and starts another in its natural direction', () => {
    expect(nextSort({ key: 'cpu', direction: 'desc' }, 'cpu', 'desc')).toEqual({ key: 'cpu', direction: 'asc' });
    expect(nextSort({ key: 'cpu', direction: 'desc' }, 'name', 'asc')).toEqual({ key: 'name', direction: 'asc' });
  });
});
