import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatListenAddress, isLoopback, parseListenAddress } from './address.ts';

describe('parseListenAddress', () => {
  it('reads IPv4, bracketed IPv6 and host names with a port', () => {
    expect(parseListenAddress('127.0.0.1:8080')).toEqual({ ok: true, value: { host: '127.0.0.1', port: 8080 } });
    expect(parseListenAddress('[::1]:0')).toEqual({ ok: true, value: { host: '::1', port: 0 } });
    expect(parseListenAddress('localhost:65535')).toEqual({ ok: true, value: { host: 'localhost', port: 65535 } });
  });

  it('rejects a missing host, a port out of range, an unbracketed IPv6 address, and says what it accepts', () => {
    for (const text of [':8080', '127.0.0.1:65536', '::1:8080', '127.0.0.1', '[::1]', 'a b:80', '[localhost]:80']) {
      const result = parseListenAddress(text);
      expect(result.ok, text).toBe(false);
      if (!result.ok) expect(result.error).toContain('"127.0.0.1:8080"');
    }
  });

  it('never throws, and reads back what formatListenAddress writes', () => {
    fc.assert(fc.property(fc.string(), (text) => typeof parseListenAddress(text).ok === 'boolean'));
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), fc.integer({ min: 0, max: 65535 }), (host, port) => {
        expect(parseListenAddress(formatListenAddress({ host, port }))).toEqual({ ok: true, value: { host, port } });
      }),
    );
  });
});

describe('isLoopback', () => {
  it('knows 127.0.0.0/8, ::1 in any spelling, IPv4-mapped loopback and localhost', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', '127.255.255.254', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', 'localhost', 'LOCALHOST']) expect(isLoopback(host), host).toBe(true);
  });

  it('treats every other address and any other name as public', () => {
    for (const host of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', '::2', '::ffff:10.0.0.1', 'example.org', 'localhost.example.org']) expect(isLoopback(host), host).toBe(false);
  });
});
