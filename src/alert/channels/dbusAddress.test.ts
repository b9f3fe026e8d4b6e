import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDbusAddress } from './dbusAddress.ts';

describe('parseDbusAddress', () => {
  it('reads a path socket and ignores guid', () => {
    expect(parseDbusAddress('unix:path=/run/user/1000/bus,guid=0123abcd')).toEqual({
      ok: true,
      value: [{ socketPath: '/run/user/1000/bus', abstract: false }],
    });
  });

  it('reads an abstract socket, as dbus-launch writes it', () => {
    expect(parseDbusAddress('unix:abstract=/tmp/dbus-XyZ,guid=1')).toEqual({
      ok: true,
      value: [{ socketPath: '/tmp/dbus-XyZ', abstract: true }],
    });
  });

  it('unescapes %XX in values', () => {
    const parsed = parseDbusAddress('unix:path=/tmp/a%20b%2cc');
    expect(parsed).toEqual({ ok: true, value: [{ socketPath: '/tmp/a b,c', abstract: false }] });
  });

  it('keeps usable entries of a list in order and skips unsupported ones', () => {
    const parsed = parseDbusAddress('tcp:host=localhost,port=1;unix:path=/a;unix:abstract=b');
    expect(parsed).toEqual({
      ok: true,
      value: [
        { socketPath: '/a', abstract: false },
        { socketPath: 'b', abstract: true },
      ],
    });
  });

  it('names the address, the reason and what is accepted', () => {
    const parsed = parseDbusAddress('tcp:host=localhost,port=1');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.error).toContain("'tcp:host=localhost,port=1'");
      expect(parsed.error).toContain("transport 'tcp'");
      expect(parsed.error).toContain('unix:path=');
    }
  });

  it('rejects empty, prefix-less, server-only and badly escaped addresses', () => {
    for (const text of ['', ';;', 'path=/a', 'unix:tmpdir=/tmp', 'unix:path=/a%zz', 'unix:path', 'unix:path=']) {
      expect(parseDbusAddress(text).ok, text).toBe(false);
    }
  });

  it('never throws, and every target it returns has a non-empty socket name', () => {
    // Random text rarely looks like an address, so half the inputs are built from address pieces.
    const pieces = fc.constantFrom('unix', 'tcp', ':', 'path', 'abstract', 'guid', '=', ',', ';', '%', '%2', '%41', '/a', 'x');
    const addressLike = fc.array(pieces, { maxLength: 12 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), addressLike), (text) => {
        const parsed = parseDbusAddress(text);
        if (parsed.ok) {
          expect(parsed.value.length).toBeGreaterThan(0);
          for (const target of parsed.value) expect(target.socketPath.length).toBeGreaterThan(0);
        } else {
          expect(parsed.error.length).toBeGreaterThan(0);
        }
      }),
    );
  });
});
