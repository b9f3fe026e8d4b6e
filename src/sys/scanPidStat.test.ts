import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePidStat } from './parsePidStat.ts';
import { type ScannedPidStat, scanPidStat } from './scanPidStat.ts';
import type { ParseResult } from './result.ts';

// scanPidStat's result without the one field parsePidStat does not have.
function withoutChildren(result: ParseResult<ScannedPidStat>): ParseResult<Omit<ScannedPidStat, 'childrenTicks'>> {
  if (!result.ok) return result;
  const { childrenTicks: _childrenTicks, ...rest } = result.value;
  return { ok: true, value: rest };
}

const fixture = (path: string): string => readFileSync(new URL(`../../test/fixtures/collect-proc/${path}`, import.meta.url), 'utf8');

// A stat line in the kernel's format (fs/proc/array.c) from arbitrary field values.
const statLine = fc
  .record({
    pid: fc.integer({ min: 1, max: 4194304 }),
    comm: fc.string({ maxLength: 16 }),
    state: fc.constantFrom('R', 'S', 'D', 'Z', 'T', 't', 'X', 'I', 'P'),
    numbers: fc.array(fc.oneof(fc.nat(), fc.integer({ min: -100, max: -1 }), fc.maxSafeNat()), { minLength: 49, maxLength: 49 }),
  })
  .map(({ pid, comm, state, numbers }) => `${pid} (${comm}) ${state} ${numbers.join(' ')}\n`);

describe('scanPidStat', () => {
  it('agrees with parsePidStat on captured lines, the hostile comm "foo) Z " included', () => {
    for (const path of ['12502/stat', '2/stat', '4242/stat']) {
      const text = fixture(path);
      expect(withoutChildren(scanPidStat(text))).toEqual(parsePidStat(text));
    }
    expect(scanPidStat(fixture('4242/stat'))).toMatchObject({ ok: true, value: { comm: 'foo) Z ', state: 'R', utimeTicks: 250, numThreads: 3, rssPages: 25600 } });
    // cutime 7 + cstime 5 of reaped children.
    expect(scanPidStat('9 (sh) S 1 9 9 0 -1 0 0 0 0 0 100 20 7 5 20 0 1 0 500 0 10\n')).toMatchObject({ ok: true, value: { childrenTicks: 12 } });
  });

  it('agrees with parsePidStat on every kernel-format line', () => {
    fc.assert(
      fc.property(statLine, (text) => {
        expect(withoutChildren(scanPidStat(text))).toEqual(parsePidStat(text));
      }),
    );
  });

  it('accepts a vsize beyond 2^53 (5-level paging), which it does not use', () => {
    const text = fixture('12502/stat').replace(' 2990080 ', ' 144115188075855872 ');
    expect(scanPidStat(text)).toMatchObject({ ok: true, value: { pid: 12502 } });
  });

  it('rejects truncated and non-numeric lines', () => {
    expect(scanPidStat('1 (init) S 0 1 1')).toMatchObject({ ok: false });
    expect(scanPidStat(fixture('12502/stat').replace(' 67753 ', ' 6x753 '))).toMatchObject({ ok: false });
    expect(scanPidStat('1 init S')).toMatchObject({ ok: false });
  });

  // scanPidStat also accepts unused fields beyond 2^53 (see above), which parsePidStat rejects.
  it('never throws, and agrees with parsePidStat whenever both accept a line', () => {
    const real = fixture('12502/stat');
    const spliced = fc.tuple(fc.nat(), fc.string()).map(([at, junk]) => real.slice(0, at % (real.length + 1)) + junk + real.slice(at % (real.length + 1)));
    fc.assert(
      fc.property(fc.oneof(fc.string(), spliced), (text) => {
        const scanned = scanPidStat(text);
        const parsed = parsePidStat(text);
        if (scanned.ok && parsed.ok) expect(withoutChildren(scanned)).toEqual(parsed);
      }),
    );
  });
});
