import fc from 'fast-check';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findSessionBuses, parseEnviron } from './dbusSessions.ts';

const fixtures = join(import.meta.dirname, '../../../test/fixtures/dbus-proc');

describe('parseEnviron', () => {
  it('splits NUL-separated entries at the first =', () => {
    const environment = parseEnviron('A=1\0B=x=y\0EMPTY=\0noequals\0=novalue\0');
    expect([...environment]).toEqual([
      ['A', '1'],
      ['B', 'x=y'],
      ['EMPTY', ''],
    ]);
  });

  it('never throws and returns only named entries', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        for (const name of parseEnviron(text).keys()) expect(name.length).toBeGreaterThan(0);
      }),
    );
  });
});

describe('findSessionBuses on a fake /proc', () => {
  it('returns one entry per graphical user bus, dropping root, non-graphical and vanished processes', () => {
    expect(findSessionBuses(join(fixtures, 'users'))).toEqual([
      { uid: 1000, address: 'unix:path=/run/user/1000/bus' },
      { uid: 1001, address: 'unix:path=/run/user/1001/bus' },
      { uid: 1005, address: 'unix:abstract=/tmp/dbus-Ab12,guid=00ff' },
    ]);
  });

  it("keeps root's buses when they are the only ones", () => {
    expect(findSessionBuses(join(fixtures, 'root-only'))).toEqual([
      { uid: 0, address: 'unix:path=/run/user/0/bus' },
      { uid: 0, address: 'unix:path=/tmp/dbus-root-session' },
    ]);
  });
});
