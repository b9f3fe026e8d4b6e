import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseNetDev } from './parseNetDev.ts';

const real = readFileSync(new URL('../../test/fixtures/collect-proc/net/dev', import.meta.url), 'utf8');

describe('parseNetDev', () => {
  it('reads every interface of the captured file', () => {
    const result = parseNetDev(real);
    if (!result.ok) throw new Error(result.error);
    expect(result.value.map((i) => i.name)).toEqual(['lo', 'ifb0', 'ifb1', 'eth0']);
    const eth0 = real.split('\n').find((line) => line.includes('eth0:'))?.split(':')[1]?.trim().split(/\s+/).map(Number) ?? [];
    expect(result.value[3]).toEqual({
      name: 'eth0',
      receive: { bytes: eth0[0], packets: eth0[1], errors: eth0[2], drops: eth0[3] },
      transmit: { bytes: eth0[8], packets: eth0[9], errors: eth0[10], drops: eth0[11] },
    });
  });

  it('handles a colon touching the first counter and counters beyond 2^53', () => {
    const text = 'h1\nh2\nverylongname0:18446744073709551615 1 2 3 0 0 0 0 4 5 6 7 0 0 0 0\n';
    const result = parseNetDev(text);
    expect(result).toMatchObject({ ok: true, value: [{ name: 'verylongname0', receive: { packets: 1, errors: 2, drops: 3 }, transmit: { bytes: 4, drops: 7 } }] });
    if (result.ok) expect(result.value[0]?.receive.bytes).toBeGreaterThan(1.8e19);
  });

  it('rejects a line with too few counters', () => {
    expect(parseNetDev('h\nh\neth0: 1 2 3\n')).toEqual({ ok: false, error: expect.stringContaining('16 counters') });
  });

  it('never throws', () => {
    const spliced = fc.tuple(fc.nat(), fc.string()).map(([at, junk]) => real.slice(0, at % (real.length + 1)) + junk + real.slice(at % (real.length + 1)));
    fc.assert(fc.property(fc.oneof(fc.string(), spliced), (text) => typeof parseNetDev(text).ok === 'boolean'));
  });
});
