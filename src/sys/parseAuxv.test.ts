import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAuxv } from './parseAuxv.ts';

function auxv(pairs: Array<[number, number]>): Uint8Array {
  const bytes = new Uint8Array(pairs.length * 16);
  const view = new DataView(bytes.buffer);
  pairs.forEach(([type, value], i) => {
    view.setBigUint64(i * 16, BigInt(type), true);
    view.setBigUint64(i * 16 + 8, BigInt(value), true);
  });
  return bytes;
}

describe('parseAuxv', () => {
  it('reads page size and USER_HZ from the captured auxv of an x86_64 process', () => {
    expect(parseAuxv(readFileSync(new URL('../../test/fixtures/collect-proc/self/auxv', import.meta.url)))).toEqual({ ok: true, value: { pageSizeBytes: 4096, clockTicksPerSecond: 100 } });
  });

  it('reads a 64 KiB page machine and stops at AT_NULL', () => {
    expect(parseAuxv(auxv([[6, 65536], [17, 100], [0, 0], [6, 1]]))).toEqual({ ok: true, value: { pageSizeBytes: 65536, clockTicksPerSecond: 100 } });
  });

  it('fails when an entry is missing or the length is not whole entries', () => {
    expect(parseAuxv(auxv([[6, 4096], [0, 0]]))).toMatchObject({ ok: false });
    expect(parseAuxv(new Uint8Array(10))).toMatchObject({ ok: false });
  });

  it('never throws', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => typeof parseAuxv(bytes).ok === 'boolean'));
  });
});
