import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTermKillTuple } from './tuple.ts';

describe('parseTermKillTuple (earlyoom cases)', () => {
  it.each([
    ['2,1', 2, 1],
    ['30', 30, 15],
    ['5,9', 9, 9],
    ['0,5', 5, 5],
    ['10.5,2.25', 10.5, 2.25],
    [',5', 5, 5],
    ['99', 99, 49.5],
  ])('%s -> term %d kill %d', (text, term, kill) => {
    const result = parseTermKillTuple(text, 99);
    expect(result.ok).toBe(true);
    if (result.ok) expect([result.value.term, result.value.kill]).toEqual([term, kill]);
  });

  it('warns when TERM is raised to KILL', () => {
    const result = parseTermKillTuple('5,9', 100);
    expect(result.ok && result.value.warning).toMatch(/SIGTERM value 5.00 is below SIGKILL value 9.00/);
  });

  it.each([
    ['0', 'both SIGTERM and SIGKILL values are zero'],
    ['0,0', 'both SIGTERM and SIGKILL values are zero'],
    ['x1,x2', "trailing garbage 'x1'"],
    ['1.1.', "trailing garbage '.'"],
    ['5,x', "trailing garbage 'x'"],
    ['100', 'exceeds limit 99'],
    ['-1', 'below zero'],
    ['10,-5', 'below zero'],
  ])('rejects %s', (text, reason) => {
    const result = parseTermKillTuple(text, 99);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(reason);
  });

  it('accepts 100 where the limit is 100 (-s)', () => {
    expect(parseTermKillTuple('100', 100)).toEqual({ ok: true, value: { term: 100, kill: 50 } });
  });

  it('never throws and always keeps 0 <= kill <= term <= limit', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 1000 }), (text, limit) => {
        const result = parseTermKillTuple(text, limit);
        if (result.ok) {
          const { term, kill } = result.value;
          expect(kill).toBeGreaterThanOrEqual(0);
          expect(term).toBeGreaterThanOrEqual(kill);
          expect(term).toBeLessThanOrEqual(limit);
          expect(term > 0 || kill > 0).toBe(true);
        } else {
          expect(typeof result.error).toBe('string');
        }
      }),
    );
  });
});
