import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePasswd } from './parsePasswd.ts';

describe('parsePasswd', () => {
  it("maps uids to names in this machine's captured file", () => {
    const names = parsePasswd(readFileSync(new URL('../../test/fixtures/collect-etc/passwd', import.meta.url), 'utf8'));
    expect(names.get(0)).toBe('root');
    expect(names.get(65534)).toBe('nobody');
  });

  it('keeps the first entry of a duplicated uid and skips malformed lines', () => {
    const names = parsePasswd('toor:x:0:0::/:/bin/sh\nroot:x:0:0::/:/bin/sh\nbad line\nx:x:notanumber:0::/:/bin/sh\n');
    expect([...names]).toEqual([[0, 'toor']]);
  });

  it('never throws', () => {
    fc.assert(fc.property(fc.string(), (text) => parsePasswd(text) instanceof Map));
  });
});
