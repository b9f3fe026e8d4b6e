import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseOsRelease } from './parseOsRelease.ts';

const real = readFileSync(new URL('../../test/fixtures/collect-etc/os-release', import.meta.url), 'utf8');

describe('parseOsRelease', () => {
  it("reads this machine's captured file", () => {
    expect(parseOsRelease(real)).toMatchObject({ ok: true, value: { id: 'debian', name: 'Debian GNU/Linux', prettyName: 'Debian GNU/Linux 12 (bookworm)', versionId: '12' } });
  });

  it('unquotes single and double quotes with escapes, skips comments, applies the documented defaults', () => {
    const text = "# comment\nNAME='Foo Linux'\nPRETTY_NAME=\"Foo \\\"X\\\" 1\"\nVARIANT=server\n";
    expect(parseOsRelease(text)).toMatchObject({ ok: true, value: { id: 'linux', name: 'Foo Linux', prettyName: 'Foo "X" 1', fields: { VARIANT: 'server' } } });
    expect(parseOsRelease('')).toMatchObject({ ok: true, value: { name: 'Linux', prettyName: 'Linux' } });
  });

  it('rejects a line that is not KEY=value', () => {
    expect(parseOsRelease('NAME=unquoted space\n')).toEqual({ ok: false, error: expect.stringContaining('KEY=value') });
  });

  it('never throws', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string().map((s) => real + s)), (text) => typeof parseOsRelease(text).ok === 'boolean'));
  });
});
