import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectTypedResult, hostileText, mutated } from '../../test/fixtures/fixtures.ts';
import { parseVmstat } from './parseVmstat.ts';

const real = readFileSync(new URL('../../test/fixtures/trace/vmstat', import.meta.url), 'utf8');

describe('parseVmstat', () => {
  it('reads every counter of the captured file, oom_kill among them', () => {
    const result = parseVmstat(real);
    expect(result.ok && result.value.get('oom_kill')).toBe(Number(/^oom_kill (\d+)$/m.exec(real)?.[1]));
    expect(result.ok && result.value.size).toBe(real.trim().split('\n').length);
  });

  it('skips lines that are not "name value" and fails when none is', () => {
    expect(parseVmstat('oom_kill 3\nnonsense\npgfault x\n')).toEqual({ ok: true, value: new Map([['oom_kill', 3]]) });
    expect(parseVmstat('')).toEqual({ ok: false, error: expect.stringContaining('vmstat') });
  });

  it('never throws', () => {
    fc.assert(fc.property(fc.oneof(hostileText, mutated(real)), (text) => expectTypedResult(parseVmstat(text), (value) => value instanceof Map)));
  });
});
