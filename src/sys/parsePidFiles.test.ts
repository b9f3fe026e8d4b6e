// Tests of the small per-process parsers: oom_score, oom_score_adj, cmdline, cgroup and memoryCgroupPath.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PIDS, expectTypedResult, fixtureText, hostileText, mutated } from '../../test/fixtures/fixtures.ts';
import { type CgroupMembership, memoryCgroupPath, parseCmdline, parseOomScore, parseOomScoreAdj, parsePidCgroup } from './parsePidFiles.ts';

const pidText = (pid: number, name: string): string => fixtureText(`proc/${pid}/${name}`);
const allPids = Object.values(PIDS);

describe('parseOomScore and parseOomScoreAdj', () => {
  it('read the captured values, raised scores included', () => {
    expect(parseOomScore(pidText(PIDS.shell, 'oom_score'))).toEqual({ ok: true, value: 666 });
    expect(parseOomScore(pidText(PIDS.newlineComm, 'oom_score'))).toEqual({ ok: true, value: 1332 });
    expect(parseOomScoreAdj(pidText(PIDS.parenComm, 'oom_score_adj'))).toEqual({ ok: true, value: 500 });
    expect(parseOomScoreAdj(pidText(PIDS.newlineComm, 'oom_score_adj'))).toEqual({ ok: true, value: 1000 });
  });

  it('accept the ends of their ranges and a negative adjustment', () => {
    expect(parseOomScore('2000\n')).toEqual({ ok: true, value: 2000 });
    expect(parseOomScoreAdj('-1000\n')).toEqual({ ok: true, value: -1000 });
    expect(parseOomScoreAdj('-17\n')).toEqual({ ok: true, value: -17 });
  });

  it.each(['', '\n', '-1', '2001', '99999999999999999999', '12 kB', '0x10', '1.5'])('oom_score rejects %j', (text) => {
    expect(parseOomScore(text)).toEqual({ ok: false, error: expect.stringMatching(/^oom_score: .* is not 0\.\.2000$/) });
  });

  it.each(['', '-1001', '1001', '-99999999999999999999', 'abc'])('oom_score_adj rejects %j', (text) => {
    expect(parseOomScoreAdj(text)).toEqual({ ok: false, error: expect.stringMatching(/^oom_score_adj: .* is not -1000\.\.1000$/) });
  });

  it('never throw on arbitrary text and return an in-range integer or an error', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        expectTypedResult(parseOomScore(text), (v) => Number.isInteger(v) && v >= 0 && v <= 2000);
        expectTypedResult(parseOomScoreAdj(text), (v) => Number.isInteger(v) && v >= -1000 && v <= 1000);
      }),
    );
  });

  it('round-trip every value in range', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2000 }), (v) => {
      expect(parseOomScore(`${v}\n`)).toEqual({ ok: true, value: v });
    }));
    fc.assert(fc.property(fc.integer({ min: -1000, max: 1000 }), (v) => {
      expect(parseOomScoreAdj(`${v}\n`)).toEqual({ ok: true, value: v });
    }));
  });
});

describe('parseCmdline', () => {
  it('splits a captured command line, keeping a newline and spaces inside one argument', () => {
    expect(parseCmdline(pidText(PIDS.shell, 'cmdline'))).toEqual(['bash', 'test/fixtures/capture.sh']);
    expect(parseCmdline(pidText(PIDS.newlineComm, 'cmdline'))).toEqual(['/tmp/hostguard-capture.RZOecB/two\nlines ) R 1', '300']);
  });

  it('gives no arguments for a kernel thread and a zombie, whose cmdline is empty', () => {
    expect(pidText(PIDS.kthreadd, 'cmdline')).toBe('');
    expect(parseCmdline(pidText(PIDS.kthreadd, 'cmdline'))).toEqual([]);
    expect(parseCmdline(pidText(PIDS.zombie, 'cmdline'))).toEqual([]);
  });

  it('keeps empty arguments, one alone included, and a title rewritten without NULs', () => {
    expect(parseCmdline('\0')).toEqual(['']);
    expect(parseCmdline('a\0\0b\0')).toEqual(['a', '', 'b']);
    expect(parseCmdline('nginx: worker process')).toEqual(['nginx: worker process']);
  });

  it('round-trips any argument vector', () => {
    const arg = fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !s.includes('\0'));
    fc.assert(fc.property(fc.array(arg, { maxLength: 8 }), (argv) => {
      expect(parseCmdline(argv.map((a) => `${a}\0`).join(''))).toEqual(argv);
    }));
  });
});

describe('parsePidCgroup and memoryCgroupPath', () => {
  it('reads every hierarchy of a captured v1 + empty v2 file', () => {
    const result = parsePidCgroup(pidText(PIDS.shell, 'cgroup'));
    expect(result.ok && result.value.length).toBe(10);
    expect(result).toMatchObject({ ok: true, value: expect.arrayContaining([
      { hierarchyId: 9, controllers: ['name=systemd'], path: '/' },
      { hierarchyId: 4, controllers: ['memory'], path: '/process_api/b54c7818480621fb59ba26c8367abe74' },
      { hierarchyId: 0, controllers: [], path: '/' },
    ]) });
  });

  it('takes the v1 memory hierarchy over the v2 one', () => {
    const result = parsePidCgroup(pidText(PIDS.shell, 'cgroup'));
    expect(result.ok && memoryCgroupPath(result.value)).toBe('/process_api/b54c7818480621fb59ba26c8367abe74');
  });

  it('takes the v2 path on a pure v2 host, and nothing when neither exists', () => {
    const v2 = parsePidCgroup('0::/system.slice/nginx.service\n');
    expect(v2.ok && memoryCgroupPath(v2.value)).toBe('/system.slice/nginx.service');
    const cpuOnly = parsePidCgroup('3:cpu,cpuacct:/a\n');
    expect(cpuOnly.ok && memoryCgroupPath(cpuOnly.value)).toBeUndefined();
  });

  it('keeps colons and spaces in a path, and finds memory in a shared controller list', () => {
    const result = parsePidCgroup('7:cpu,memory:/pods/a:b c\n');
    expect(result).toEqual({ ok: true, value: [{ hierarchyId: 7, controllers: ['cpu', 'memory'], path: '/pods/a:b c' }] });
    expect(result.ok && memoryCgroupPath(result.value)).toBe('/pods/a:b c');
  });

  it('reads an empty file (a process gone before the read) as no memberships', () => {
    expect(parsePidCgroup('')).toEqual({ ok: true, value: [] });
  });

  it.each([
    ['one colon', '4:memory\n', /has no two colons/],
    ['a truncated line', '4\n', /has no two colons/],
    ['a non-numeric hierarchy', 'x:memory:/\n', /hierarchy id/],
    ['a hierarchy beyond 2^53', '99999999999999999999:memory:/\n', /hierarchy id/],
  ])('fails on %s', (_name, text, message) => {
    expect(parsePidCgroup(text)).toEqual({ ok: false, error: expect.stringMatching(message) });
  });

  const isMemberships = (list: CgroupMembership[]): boolean =>
    list.every((m) => Number.isSafeInteger(m.hierarchyId) && m.controllers.every((c) => typeof c === 'string') && typeof m.path === 'string');

  it('never throws on arbitrary text or damaged real files, and returns typed memberships', () => {
    const real = fc.constantFrom(...allPids.map((pid) => pidText(pid, 'cgroup')));
    fc.assert(fc.property(fc.oneof(hostileText, real.chain(mutated)), (text) => {
      const result = parsePidCgroup(text);
      expectTypedResult(result, isMemberships);
      if (result.ok) expect(['string', 'undefined']).toContain(typeof memoryCgroupPath(result.value));
    }), { numRuns: 1000 });
  });

  it('round-trips any memberships', () => {
    const name = fc.stringMatching(/^[a-z_=]{1,12}$/);
    const membership = fc.record({
      hierarchyId: fc.nat({ max: 64 }),
      controllers: fc.array(name, { maxLength: 3 }),
      path: fc.string({ unit: 'binary', maxLength: 60 }).filter((s) => !s.includes('\n')).map((s) => `/${s}`),
    });
    fc.assert(fc.property(fc.array(membership, { maxLength: 12 }), (list) => {
      const text = list.map((m) => `${m.hierarchyId}:${m.controllers.join(',')}:${m.path}\n`).join('');
      expect(parsePidCgroup(text)).toEqual({ ok: true, value: list });
    }));
  });
});
