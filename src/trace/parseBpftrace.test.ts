import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectTypedResult, hostileText, mutated } from '../../test/fixtures/fixtures.ts';
import { type BpftraceRecord, decodeRawBuffer, parseBpftraceLine, splitMapKey } from './parseBpftrace.ts';

const fixture = (name: string): string[] =>
  readFileSync(new URL(`../../test/fixtures/trace/${name}`, import.meta.url), 'utf8').split('\n').filter((line) => line !== '');
const files = fixture('bpftrace-files.jsonl');
const stalled = fixture('bpftrace-stalled.jsonl');

function records(lines: string[]): BpftraceRecord[] {
  return lines.map((line) => {
    const result = parseBpftraceLine(line);
    if (!result.ok) throw new Error(`${result.error}: ${line}`);
    return result.value;
  });
}

describe('parseBpftraceLine on captured output', () => {
  it('parses every captured line', () => {
    const all = records([...files, ...stalled]);
    expect(all.filter((r) => r.kind === 'ignored')).toEqual([]);
    expect(all[0]).toEqual({ kind: 'attached', probes: expect.any(Number) });
    expect(all[1]).toEqual({ kind: 'ready', nsecs: expect.any(Number) });
  });

  it("reads echo's argv: four arguments cut at their NUL, more after them, a tab, a typed \\x41 and UTF-8", () => {
    const argv = records(files).find((r) => r.kind === 'argv' && r.args[1] === 'hg-capture');
    expect(argv).toMatchObject({ kind: 'argv', args: ['/bin/echo', 'hg-capture', 'tab\there', 'back\\x41slash'], more: true });
    const exec = records(files).find((r) => r.kind === 'exec' && r.filename === '/bin/echo');
    expect(exec).toMatchObject({ kind: 'exec', comm: 'echo', uid: 0 });
    expect(exec?.kind === 'exec' && exec.ppid).toBeGreaterThan(0);
    expect(exec?.kind === 'exec' && exec.bornNs).toBeGreaterThan(0);
  });

  it('reads exit codes (stored + 1), signals and the OOM victim', () => {
    const all = records(files);
    const exits = all.filter((r) => r.kind === 'exit');
    expect(exits.some((r) => r.kind === 'exit' && r.comm === 'sh' && r.code === 4)).toBe(true);
    expect(exits.filter((r) => r.kind === 'exit' && r.comm === 'sleep').map((r) => r.kind === 'exit' && [r.code, r.signal])).toEqual(expect.arrayContaining([[1, 0], [0, 15]]));
    const oom = all.find((r) => r.kind === 'oom');
    expect(oom).toMatchObject({ kind: 'oom', comm: 'perl', uid: 0, oomScoreAdj: 0 });
    // 64 MiB cgroup: anon RSS at the kill is just under the limit.
    expect(oom?.kind === 'oom' && oom.anonRssKiB).toBeGreaterThan(60 * 1024);
    expect(oom?.kind === 'oom' && oom.anonRssKiB).toBeLessThanOrEqual(64 * 1024);
    const perlExit = exits.find((r) => r.kind === 'exit' && r.comm === 'perl');
    expect(perlExit).toMatchObject({ code: 0, signal: 9 });
  });

  it('keeps a comma and quotes inside a map key', () => {
    const opens = records(files).find((r) => r.kind === 'map' && r.name === '@opens0');
    const keys = opens?.kind === 'map' ? opens.entries.map(([key]) => key) : [];
    const odd = keys.find((key) => key.endsWith('/a,b "quoted"'));
    expect(odd).toBeDefined();
    expect(splitMapKey(odd ?? '', 3)?.[2]).toMatch(/^\/tmp\/hostguard-trace-capture-\d+\/a,b "quoted"$/);
  });

  it("reads bpftrace's lost-events counts and the heartbeats' five counters", () => {
    const all = records(stalled);
    const lost = all.filter((r) => r.kind === 'lost');
    expect(lost.length).toBeGreaterThan(0);
    expect(lost.every((r) => r.kind === 'lost' && r.count > 0)).toBe(true);
    expect(all.find((r) => r.kind === 'hb')).toMatchObject({ kind: 'hb', sent: [expect.any(Number), expect.any(Number), expect.any(Number), expect.any(Number), expect.any(Number)] });
  });
});

describe('parseBpftraceLine on made-up lines', () => {
  it("repairs bpftrace's \\uffffffXX escapes of bytes >= 0x80 and decodes them as UTF-8", () => {
    const line = String.raw`{"type": "printf", "data": "exec\u001f1\u001f2\u001f3\u001f4\u001f5\u001f0\u001f6\u001ftr\uffffffc3\uffffffbce\u001f/x/tr\uffffffc3\uffffffbce \\uffffffc3\n"}`;
    expect(parseBpftraceLine(line)).toEqual({
      ok: true,
      value: { kind: 'exec', cpu: 1, seq: 2, nsecs: 3, pid: 4, ppid: 5, uid: 0, bornNs: 6, comm: 'tr\u00fce', filename: '/x/tr\u00fce \\uffffffc3' },
    });
    const map = String.raw`{"type": "map", "data": {"@opens0": {"7,0,/tmp/\uffffffc3\uffffffa9": 2}}}`;
    expect(parseBpftraceLine(map)).toEqual({ ok: true, value: { kind: 'map', name: '@opens0', entries: [['7,0,/tmp/\u00e9', 2]] } });
  });

  it('gives the last field any extra separators (a file name holding \\x1f)', () => {
    const line = JSON.stringify({ type: 'printf', data: 'exit\x1f0\x1f1\x1f9\x1f10\x1f1\x1f0\x1f1\x1f0\x1fa\x1fb\n' });
    expect(parseBpftraceLine(line)).toMatchObject({ ok: true, value: { kind: 'exit', pid: 10, comm: 'a\x1fb' } });
  });

  it('rejects what is not a record with a reason', () => {
    expect(parseBpftraceLine('not json')).toEqual({ ok: false, error: expect.stringContaining('not JSON') });
    expect(parseBpftraceLine('{"type": "printf", "data": "exec\\u001fx"}')).toEqual({ ok: false, error: expect.stringContaining('expected 10 fields') });
    expect(parseBpftraceLine('{"type": "printf", "data": "hello\\n"}')).toEqual({ ok: false, error: expect.stringContaining("unknown record type 'hello") });
    expect(parseBpftraceLine(JSON.stringify({ type: 'printf', data: 'tick\x1f0\x1fx\x1f1\x1f0\n' }))).toEqual({ ok: false, error: expect.stringContaining("'x' is not an integer") });
    expect(parseBpftraceLine('{"type": "lost_events", "data": {}}')).toMatchObject({ ok: false });
    expect(parseBpftraceLine('{"type": "time", "data": "12:00:00\\n"}')).toEqual({ ok: true, value: { kind: 'ignored', type: 'time' } });
  });

  it('never throws', () => {
    const lines = fc.oneof(hostileText, ...[files[3], files[5], stalled.find((l) => l.includes('lost_events')), files.find((l) => l.includes('@opens0'))].map((l) => mutated(l ?? '')));
    fc.assert(fc.property(lines, (line) => expectTypedResult(parseBpftraceLine(line), (value) => typeof value.kind === 'string')));
  });
});

describe('decodeRawBuffer (%r output)', () => {
  it('turns \\xNN of non-printable bytes back into bytes, stops at NUL, keeps typed \\xNN of printable ones', () => {
    expect(decodeRawBuffer(String.raw`a\x09b\x00junk`)).toBe('a\tb');
    expect(decodeRawBuffer(String.raw`\xc3\xa9t\xc3\xa9`)).toBe('\u00e9t\u00e9');
    expect(decodeRawBuffer(String.raw`back\x41slash\x00`)).toBe('back\\x41slash');
  });
});

describe('splitMapKey', () => {
  it('splits the leading fields and leaves commas in the last', () => {
    expect(splitMapKey('1,2,a,b', 3)).toEqual(['1', '2', 'a,b']);
    expect(splitMapKey('12', 1)).toEqual(['12']);
    expect(splitMapKey('12', 2)).toBeUndefined();
  });
});
