import { describe, expect, it } from 'vitest';
import { parseMeminfo } from './parseMeminfo.ts';

describe('parseMeminfo', () => {
  it('converts kB fields to bytes', () => {
    const text = 'MemTotal: 1000 kB\nMemFree: 10 kB\nMemAvailable: 500 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\nAnonPages: 300 kB\n';
    const result = parseMeminfo(text);
    expect(result).toMatchObject({ ok: true, value: { totalBytes: 1024000, availableBytes: 512000, anonBytes: 307200 } });
  });

  it('names the missing field', () => {
    expect(parseMeminfo('MemTotal: 1 kB\n')).toEqual({ ok: false, error: expect.stringContaining('MemAvailable') });
  });
});
