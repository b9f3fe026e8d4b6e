import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLinkSpeed, parseMillidegrees, parseUptime, parseUsbSpeed } from './parseSysValues.ts';

describe('single-value sysfs parsers', () => {
  it('converts millidegrees to Celsius, negative included', () => {
    expect(parseMillidegrees('45000\n')).toEqual({ ok: true, value: 45 });
    expect(parseMillidegrees('-5500\n')).toEqual({ ok: true, value: -5.5 });
    expect(parseMillidegrees('N/A\n')).toMatchObject({ ok: false });
  });

  it('reads link speed in bits per second, -1 as unknown', () => {
    expect(parseLinkSpeed('1000\n')).toEqual({ ok: true, value: 1e9 });
    expect(parseLinkSpeed('-1\n')).toEqual({ ok: true, value: undefined });
    expect(parseLinkSpeed('fast\n')).toMatchObject({ ok: false });
  });

  it('reads fractional USB speeds', () => {
    expect(parseUsbSpeed('1.5\n')).toEqual({ ok: true, value: 1.5e6 });
    expect(parseUsbSpeed('5000\n')).toEqual({ ok: true, value: 5e9 });
  });

  it('reads uptime seconds', () => {
    expect(parseUptime('401.61 652.96\n')).toEqual({ ok: true, value: 401.61 });
  });

  it('never throw', () => {
    fc.assert(
      fc.property(fc.string(), (text) => [parseMillidegrees, parseLinkSpeed, parseUsbSpeed, parseUptime].every((parse) => typeof parse(text).ok === 'boolean')),
    );
  });
});
