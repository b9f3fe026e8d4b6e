import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSchedstatRuntime } from './parsePidSchedstat.ts';

describe('parseSchedstatRuntime', () => {
  it("reads the run time of this test's own process from the real file", () => {
    const text = readFileSync('/proc/self/schedstat', 'utf8');
    expect(parseSchedstatRuntime(text)).toEqual({ ok: true, value: Number(text.split(' ')[0]) });
  });

  it('reads the first of the three numbers', () => {
    expect(parseSchedstatRuntime('148543538 5377834 368\n')).toEqual({ ok: true, value: 148543538 });
    expect(parseSchedstatRuntime('0 0 1\n')).toEqual({ ok: true, value: 0 });
  });

  it('rejects text that does not start with a number', () => {
    expect(parseSchedstatRuntime('')).toMatchObject({ ok: false });
    expect(parseSchedstatRuntime('-5 0 1\n')).toMatchObject({ ok: false });
    expect(parseSchedstatRuntime('12a 0 1\n')).toMatchObject({ ok: false });
  });

  it('never throws and never returns a negative run time', () => {
    fc.assert(fc.property(fc.string(), (text) => {
      const result = parseSchedstatRuntime(text);
      return !result.ok || result.value >= 0;
    }));
  });
});
