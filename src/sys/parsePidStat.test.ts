// Tests of the /proc/PID/stat parser and kernel-thread detection on captured and hostile stat lines.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PIDS, expectTypedResult, fixtureText, hostileText, mutated } from '../../test/fixtures/fixtures.ts';
import { isKernelThread, type PidStat, parsePidStat } from './parsePidStat.ts';

function parsed(text: string): PidStat {
  const result = parsePidStat(text);
  if (!result.ok) throw new Error(`expected a parse, got: ${result.error}`);
  return result.value;
}

const statOf = (pid: number): PidStat => parsed(fixtureText(`proc/${pid}/stat`));

// 52 fields as proc(5) lists them for kernel 6.x; fields 4..24 are the ones the parser reads.
function statLine(pid: number, comm: string, state: string, numbers: number[]): string {
  const tail = Array.from({ length: 52 - 3 - numbers.length }, () => '0');
  return `${pid} (${comm}) ${state} ${[...numbers, ...tail].join(' ')}\n`;
}

const isPidStat = (s: PidStat): boolean =>
  Number.isSafeInteger(s.pid) && s.pid > 0 && typeof s.comm === 'string' && /^[A-Za-z]$/.test(s.state) &&
  [s.ppid, s.pgid, s.flags, s.utimeTicks, s.stimeTicks, s.numThreads, s.startTimeTicks, s.rssPages].every(Number.isSafeInteger);

describe('parsePidStat on captured files', () => {
  it('reads pid 1', () => {
    expect(statOf(PIDS.init)).toEqual({
      pid: 1, comm: 'process_api', state: 'S', ppid: 0, pgid: 0, flags: 4194560,
      utimeTicks: 27, stimeTicks: 72, numThreads: 11, startTimeTicks: 13, rssPages: 2299,
    });
  });

  it('keeps a comm holding ") Z (" whole and reads the real state after it', () => {
    expect(statOf(PIDS.parenComm)).toMatchObject({ pid: PIDS.parenComm, comm: 'foo) Z (bar', state: 'S', ppid: PIDS.shell, pgid: 9199, startTimeTicks: 46327 });
  });

  it('keeps a comm holding a newline and a fake ") R 1" whole', () => {
    expect(statOf(PIDS.newlineComm)).toMatchObject({ comm: 'two\nlines ) R 1', state: 'S', ppid: PIDS.shell, numThreads: 1 });
  });

  it('reads a zombie', () => {
    expect(statOf(PIDS.zombie)).toMatchObject({ comm: 'sleep', state: 'Z', rssPages: 0 });
  });
});

describe('isKernelThread', () => {
  it('is true for kthreadd and its child, which carry PF_KTHREAD', () => {
    expect(isKernelThread(statOf(PIDS.kthreadd))).toBe(true);
    expect(isKernelThread(statOf(PIDS.kthreadChild))).toBe(true);
  });

  it('is false for init, a shell, hostile names and a zombie', () => {
    for (const pid of [PIDS.init, PIDS.shell, PIDS.parenComm, PIDS.newlineComm, PIDS.zombie]) {
      expect(isKernelThread(statOf(pid)), `pid ${pid}`).toBe(false);
    }
  });

  // Hand-made: a usermode helper (kernel/umh.c, CLONE_PARENT) has parent 2 but no PF_KTHREAD,
  // and inside a PID namespace pid 2 is an ordinary process.
  it('is false for a user process whose parent is kthreadd, and for pid 2 in a container', () => {
    expect(isKernelThread(parsed(statLine(4100, 'core-handler', 'R', [2, 4100, 4100, 0, -1, 0x400100])))).toBe(false);
    expect(isKernelThread(parsed(statLine(2, 'node', 'S', [1, 1, 1, 0, -1, 0x400000])))).toBe(false);
  });
});

describe('parsePidStat on hostile lines', () => {
  it('reads the earlyoom case: comm "foo) Z " with a trailing space', () => {
    expect(parsed(statLine(77, 'foo) Z ', 'R', [1, 77]))).toMatchObject({ comm: 'foo) Z ', state: 'R', ppid: 1, pgid: 77 });
  });

  it('reads an empty comm and one made of parentheses', () => {
    expect(parsed(statLine(5, '', 'S', [1])).comm).toBe('');
    expect(parsed(statLine(5, ')()(', 'S', [1])).comm).toBe(')()(');
  });

  it('reads negative priority and tty fields, and ignores a u64 rsslim after field 24', () => {
    const text = '9 (rt) S 1 9 9 0 -1 64 0 0 0 0 5 6 0 0 -100 -20 3 0 12345 1000 7 18446744073709551615 0\n';
    expect(parsed(text)).toMatchObject({ utimeTicks: 5, stimeTicks: 6, numThreads: 3, startTimeTicks: 12345, rssPages: 7 });
  });

  it.each([
    ['an empty file', ''],
    ['no comm', '12 S 1 1 1'],
    ['no pid', '(bash) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0'],
    ['a pid of zero', statLine(1, 'x', 'S', [1]).replace(/^1/, '0')],
    ['a hex pid', statLine(1, 'x', 'S', [1]).replace(/^1/, '0x10')],
    ['a line cut after the comm', '12 (bash)'],
    ['a line cut at field 23', '12 (bash) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0\n'],
    ['a two-letter state', statLine(3, 'x', 'SS', [1])],
    ['a starttime (field 22) beyond 2^53', statLine(3, 'x', 'S', [1]).replace(/^(3 \(x\) S(?: \S+){18}) 0/, '$1 99999999999999999999')],
    ['a field in exponent notation', statLine(3, 'x', 'S', [1]).replace(' 1 ', ' 1e3 ')],
  ])('fails on %s', (_name, text) => {
    expect(parsePidStat(text)).toEqual({ ok: false, error: expect.stringMatching(/^stat: /) });
  });
});

describe('parsePidStat properties', () => {
  it('never throws on arbitrary text or damaged real files, and returns a typed result', () => {
    const real = fc.constantFrom(...Object.values(PIDS).map((pid) => fixtureText(`proc/${pid}/stat`)));
    fc.assert(fc.property(fc.oneof(hostileText, real.chain(mutated)), (text) => expectTypedResult(parsePidStat(text), isPidStat)), { numRuns: 4000 });
  });

  it('round-trips any comm, any letter state and any integer fields', () => {
    const comm = fc.string({ unit: 'binary', maxLength: 64 }).filter((s) => !s.includes('\0'));
    const fields = fc.array(fc.maxSafeInteger(), { minLength: 21, maxLength: 21 });
    const state = fc.constantFrom(...'RSDZTtXxKWPI');
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 22 }), comm, state, fields, (pid, name, letter, numbers) => {
        const stat = parsed(statLine(pid, name, letter, numbers));
        const field = (n: number): number | undefined => numbers[n - 4];
        expect(stat).toEqual({
          pid, comm: name, state: letter, ppid: field(4), pgid: field(5), flags: field(9), utimeTicks: field(14),
          stimeTicks: field(15), numThreads: field(20), startTimeTicks: field(22), rssPages: field(24),
        });
      }),
    );
  });
});
