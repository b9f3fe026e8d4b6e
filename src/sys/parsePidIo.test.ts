import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePidIo } from './parsePidIo.ts';

const real = readFileSync(new URL('../../test/fixtures/collect-proc/12502/io', import.meta.url), 'utf8');

describe('parsePidIo', () => {
  it('reads the captured file of a sleep process', () => {
    const value = (key: string): number => Number(/^(\S+): (\d+)$/m.exec(real.split('\n').find((l) => l.startsWith(`${key}:`)) ?? '')?.[2]);
    expect(parsePidIo(real)).toEqual({
      ok: true,
      value: { readCharsBytes: value('rchar'), writtenCharsBytes: value('wchar'), readBytes: value('read_bytes'), writtenBytes: value('write_bytes'), cancelledWriteBytes: value('cancelled_write_bytes') },
    });
  });

  it('requires read_bytes and write_bytes', () => {
    expect(parsePidIo('rchar: 1\nwchar: 2\n')).toEqual({ ok: false, error: expect.stringContaining('read_bytes') });
  });

  it('never throws', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string().map((s) => real + s)), (text) => typeof parsePidIo(text).ok === 'boolean'));
  });
});
