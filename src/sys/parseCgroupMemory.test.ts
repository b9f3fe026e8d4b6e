// Tests of the cgroup memory parsers (limits, byte counts, flat keyed files) on v1 captures and v2 files.
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectTypedResult, fixtureText, hostileText, isByteCount, mutated } from '../../test/fixtures/fixtures.ts';
import { parseByteCount, parseFlatKeyed, parseMemoryLimit, scanFlatKey } from './parseCgroupMemory.ts';

const v1 = (name: string): string => fixtureText(join('cgroup-v1/limited-64m', name));
const v2 = (name: string): string => fixtureText(join('cgroup-v2/limited-512m', name));
const V1_UNLIMITED = '9223372036854771712';

describe('parseMemoryLimit', () => {
  it('reads v1 and v2 limits, and both "unlimited" forms as undefined', () => {
    expect(parseMemoryLimit(v1('memory.limit_in_bytes'))).toEqual({ ok: true, value: 64 * 1024 * 1024 });
    expect(parseMemoryLimit(v1('child/memory.limit_in_bytes'))).toEqual({ ok: true, value: undefined });
    expect(v1('child/memory.limit_in_bytes')).toBe(`${V1_UNLIMITED}\n`);
    expect(parseMemoryLimit(v2('memory.max'))).toEqual({ ok: true, value: 512 * 1024 * 1024 });
    expect(parseMemoryLimit(v2('unlimited-child/memory.max'))).toEqual({ ok: true, value: undefined });
  });

  it('reads 0 as a real limit, and any limit of 2^53 bytes or more as unlimited', () => {
    expect(parseMemoryLimit('0\n')).toEqual({ ok: true, value: 0 });
    expect(parseMemoryLimit(`${Number.MAX_SAFE_INTEGER}\n`)).toEqual({ ok: true, value: Number.MAX_SAFE_INTEGER });
    expect(parseMemoryLimit('9007199254740993\n')).toEqual({ ok: true, value: undefined });
    expect(parseMemoryLimit('18446744073709551615\n')).toEqual({ ok: true, value: undefined });
  });

  it.each(['', '\n', '-1', 'Max', 'max max', '64M', '1.5', '0x4000000'])('rejects %j, naming the accepted forms', (text) => {
    expect(parseMemoryLimit(text)).toEqual({ ok: false, error: expect.stringMatching(/^memory limit: .* is neither a byte count nor 'max'$/) });
  });
});

describe('parseByteCount', () => {
  it('reads memory.usage_in_bytes and memory.current', () => {
    expect(parseByteCount(v1('memory.usage_in_bytes'))).toEqual({ ok: true, value: 22536192 });
    expect(parseByteCount(v2('memory.current'))).toEqual({ ok: true, value: 5812224 });
  });

  it.each(['', '-4096', '99999999999999999999', 'max', '12 kB'])('rejects %j', (text) => {
    expect(parseByteCount(text)).toEqual({ ok: false, error: expect.stringMatching(/^byte count: .* is not a non-negative integer$/) });
  });
});

describe('parseFlatKeyed', () => {
  // The captured v1 memory.stat holds hierarchical_memsw_limit 9223372036854771712, as every v1
  // memory.stat does without a memsw limit; failing on it made every v1 cgroup unreadable.
  it('reads a real v1 memory.stat, leaving out the unlimited marker beyond 2^53', () => {
    const result = parseFlatKeyed(v1('memory.stat'));
    if (!result.ok) throw new Error(result.error);
    expect(result.value.get('total_inactive_file')).toBe(20803584);
    expect(result.value.get('hierarchical_memory_limit')).toBe(64 * 1024 * 1024);
    expect(result.value.has('hierarchical_memsw_limit')).toBe(false);
    expect(result.value.size).toBe(v1('memory.stat').trim().split('\n').length - 1);
  });

  it('reads v1 memory.oom_control and v2 memory.events', () => {
    expect(parseFlatKeyed(v1('memory.oom_control'))).toEqual({ ok: true, value: new Map([['oom_kill_disable', 0], ['under_oom', 0], ['oom_kill', 1]]) });
    const events = parseFlatKeyed(v2('memory.events'));
    expect(events.ok && Object.fromEntries(events.value)).toEqual({ low: 0, high: 0, max: 37, oom: 2, oom_kill: 2, oom_group_kill: 0 });
  });

  it('reads an empty file as no keys', () => {
    expect(parseFlatKeyed('')).toEqual({ ok: true, value: new Map() });
  });

  it.each([
    ['a line cut after the key', 'cache 28672\nrss'],
    ['a value with a unit', 'cache 28 kB\n'],
    ['a non-numeric value', 'oom_kill yes\n'],
    ['a hex value', 'cache 0x1000\n'],
  ])('fails on %s, quoting the line', (_name, text) => {
    expect(parseFlatKeyed(text)).toEqual({ ok: false, error: expect.stringMatching(/^keyed file: line '.*' is not 'key integer'$/) });
  });
});

describe('cgroup memory parser properties', () => {
  const realFiles = fc.constantFrom(
    ...['memory.limit_in_bytes', 'memory.usage_in_bytes', 'memory.stat', 'memory.oom_control'].map((n) => fixtureText(join('cgroup-v1/limited-64m', n))),
    ...['memory.max', 'memory.current', 'memory.events', 'memory.stat'].map((n) => fixtureText(join('cgroup-v2/limited-512m', n))),
  );

  it('never throw on arbitrary text or damaged real files, and return typed results', () => {
    const isSafeMap = (m: Map<string, number>): boolean => [...m].every(([k, v]) => typeof k === 'string' && k !== '' && Number.isSafeInteger(v));
    fc.assert(fc.property(fc.oneof(hostileText, realFiles.chain(mutated)), (text) => {
      expectTypedResult(parseMemoryLimit(text), (v) => v === undefined || isByteCount(v));
      expectTypedResult(parseByteCount(text), isByteCount);
      expectTypedResult(parseFlatKeyed(text), isSafeMap);
    }), { numRuns: 2000 });
  });

  it('round-trip limits, byte counts and keyed files', () => {
    fc.assert(fc.property(fc.maxSafeNat(), (bytes) => {
      expect(parseMemoryLimit(`${bytes}\n`)).toEqual({ ok: true, value: bytes });
      expect(parseByteCount(`${bytes}\n`)).toEqual({ ok: true, value: bytes });
    }));
    const key = fc.stringMatching(/^[a-z_]{1,24}$/);
    fc.assert(fc.property(fc.uniqueArray(fc.tuple(key, fc.maxSafeInteger()), { selector: ([k]) => k, maxLength: 40 }), (entries) => {
      expect(parseFlatKeyed(entries.map(([k, v]) => `${k} ${v}\n`).join(''))).toEqual({ ok: true, value: new Map(entries) });
    }));
  });
});

describe('scanFlatKey', () => {
  const realStats = [v1('memory.stat'), v1('child/memory.stat'), v2('memory.stat'), v2('unlimited-child/memory.stat'), fixtureText('../fixtures/collect-sys/fs/cgroup/memory/hostguard-fixture/memory.stat')];

  it('finds the same value as parseFlatKeyed for every key of the real memory.stat files', () => {
    for (const text of realStats) {
      const parsed = parseFlatKeyed(text);
      if (!parsed.ok) throw new Error(parsed.error);
      expect(parsed.value.size).toBeGreaterThan(3);
      for (const [key, value] of parsed.value) expect(scanFlatKey(text, key)).toEqual({ ok: true, value });
    }
    expect(scanFlatKey(v1('memory.stat'), 'total_inactive_file')).toEqual({ ok: true, value: 20803584 });
    expect(scanFlatKey(v2('memory.stat'), 'inactive_file')).toEqual({ ok: true, value: 4096000 });
  });

  it('does not take a key for a longer one it starts or ends: inactive_file is not total_inactive_file', () => {
    expect(scanFlatKey('total_inactive_file 7\ninactive_file_x 8\n', 'inactive_file')).toEqual({ ok: true, value: undefined });
    expect(scanFlatKey('total_inactive_file 7\ninactive_file 9\n', 'inactive_file')).toEqual({ ok: true, value: 9 });
  });

  it('reads the unlimited marker beyond 2^53 as absent, as parseFlatKeyed does', () => {
    expect(scanFlatKey(v1('memory.stat'), 'hierarchical_memsw_limit')).toEqual({ ok: true, value: undefined });
  });

  it('fails on a malformed line of its key, quoting it, and ignores malformed other lines', () => {
    expect(scanFlatKey('cache 28 kB\nrss 5\n', 'cache')).toEqual({ ok: false, error: expect.stringMatching(/^keyed file: line 'cache 28 kB' is not 'key integer'$/) });
    expect(scanFlatKey('cache 28672\nrss', 'rss')).toEqual({ ok: false, error: expect.stringMatching(/is not 'key integer'$/) });
    expect(scanFlatKey('cache 28 kB\nrss 5\n', 'rss')).toEqual({ ok: true, value: 5 });
  });

  // Kernel-like files (ASCII blanks): whatever parseFlatKeyed accepts, the scanner agrees with key by key.
  it('agrees with parseFlatKeyed on every file parseFlatKeyed accepts, and never throws', () => {
    const key = fc.stringMatching(/^[a-z_]{1,12}$/);
    const blank = fc.stringMatching(/^[ \t]{1,3}$/);
    const value = fc.oneof(fc.maxSafeInteger().map(String), fc.constantFrom('9223372036854771712', '-0', '007', 'x', ''));
    const line = fc.tuple(fc.stringMatching(/^[ \t]{0,2}$/), key, blank, value, fc.stringMatching(/^[ \t\r]{0,2}$/)).map((parts) => parts.join(''));
    const file = fc.array(fc.oneof(line, fc.constant('')), { maxLength: 12 }).map((lines) => lines.join('\n'));
    fc.assert(fc.property(file, key, (text, probe) => {
      const parsed = parseFlatKeyed(text);
      if (!parsed.ok) return;
      for (const k of [probe, ...parsed.value.keys()]) expect(scanFlatKey(text, k)).toEqual({ ok: true, value: parsed.value.get(k) });
    }), { numRuns: 2000 });
    fc.assert(fc.property(fc.oneof(hostileText, fc.constantFrom(...realStats).chain(mutated)), fc.oneof(key, fc.string()), (text, k) => {
      expectTypedResult(scanFlatKey(text, k), (v) => v === undefined || Number.isSafeInteger(v));
    }), { numRuns: 2000 });
  });
});
