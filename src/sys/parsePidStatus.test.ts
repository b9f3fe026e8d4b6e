// Tests of the /proc/PID/status parser: Name unescaping, Uid, VmRSS, and hostile variants.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PIDS, expectTypedResult, fixtureText, hostileText, isByteCount, mutated } from '../../test/fixtures/fixtures.ts';
import { type PidStatus, parsePidStatus } from './parsePidStatus.ts';

const statusText = (pid: number): string => fixtureText(`proc/${pid}/status`);

const isPidStatus = (s: PidStatus): boolean =>
  typeof s.name === 'string' && isByteCount(s.realUid) && isByteCount(s.effectiveUid) && isByteCount(s.rssBytes) && isByteCount(s.threads);

describe('parsePidStatus on captured files', () => {
  it('reads pid 1: root, 9240 kB resident, 11 threads', () => {
    expect(parsePidStatus(statusText(PIDS.init))).toEqual({
      ok: true,
      value: { name: 'process_api', realUid: 0, effectiveUid: 0, rssBytes: 9240 * 1024, threads: 11 },
    });
  });

  it('reads zero resident bytes for a kernel thread and a zombie, which have no VmRSS line', () => {
    expect(parsePidStatus(statusText(PIDS.kthreadd))).toMatchObject({ ok: true, value: { name: 'kthreadd', rssBytes: 0 } });
    expect(parsePidStatus(statusText(PIDS.zombie))).toMatchObject({ ok: true, value: { name: 'sleep', rssBytes: 0 } });
  });

  it('unescapes the kernel\'s "\\n" in Name so it equals the comm in stat', () => {
    expect(statusText(PIDS.newlineComm)).toContain('Name:\ttwo\\nlines ) R 1\n');
    expect(parsePidStatus(statusText(PIDS.newlineComm))).toMatchObject({ ok: true, value: { name: 'two\nlines ) R 1' } });
    expect(parsePidStatus(statusText(PIDS.parenComm))).toMatchObject({ ok: true, value: { name: 'foo) Z (bar' } });
  });
});

describe('parsePidStatus on hand-made variants', () => {
  const base = statusText(PIDS.shell);

  it('reads real and effective uid separately', () => {
    const text = base.replace('Uid:\t0\t0\t0\t0', 'Uid:\t1000\t0\t0\t0');
    expect(parsePidStatus(text)).toMatchObject({ ok: true, value: { realUid: 1000, effectiveUid: 0 } });
  });

  it('keeps a trailing space, a tab and a backslash in Name (the kernel escapes only \\n and \\\\)', () => {
    const text = base.replace('Name:\tbash', 'Name:\tfoo) Z \\\\x\t');
    expect(parsePidStatus(text)).toMatchObject({ ok: true, value: { name: 'foo) Z \\x\t' } });
  });

  it('reads a negative or malformed Threads count as 0', () => {
    expect(parsePidStatus(base.replace(/^Threads:.*$/m, 'Threads:\t-1'))).toMatchObject({ ok: true, value: { threads: 0 } });
    expect(parsePidStatus(base.replace(/^Threads:.*$/m, 'Threads:\tmany'))).toMatchObject({ ok: true, value: { threads: 0 } });
  });

  it.each([
    ['an empty file', ''],
    ['no Uid line', base.replace(/^Uid:.*\n/m, '')],
    ['a Uid line cut after one id', base.replace(/^Uid:.*$/m, 'Uid:\t0')],
    ['a negative uid', base.replace(/^Uid:.*$/m, 'Uid:\t-1\t-1\t-1\t-1')],
    ['VmRSS without a unit', base.replace(/^VmRSS:.*$/m, 'VmRSS:\t3136')],
    ['VmRSS beyond 2^53 bytes', base.replace(/^VmRSS:.*$/m, 'VmRSS:\t99999999999999999 kB')],
    ['a negative VmRSS', base.replace(/^VmRSS:.*$/m, 'VmRSS:\t-5 kB')],
  ])('fails on %s', (_name, text) => {
    expect(parsePidStatus(text)).toEqual({ ok: false, error: expect.stringMatching(/^status: (Uid|VmRSS)/) });
  });
});

describe('parsePidStatus properties', () => {
  it('never throws on arbitrary text or damaged real files, and returns a typed result', () => {
    const real = fc.constantFrom(...Object.values(PIDS).map(statusText));
    fc.assert(fc.property(fc.oneof(hostileText, real.chain(mutated)), (text) => expectTypedResult(parsePidStatus(text), isPidStatus)), { numRuns: 4000 });
  });

  it('round-trips any name through the kernel escaping, and any uids and VmRSS', () => {
    const name = fc.string({ unit: 'binary', maxLength: 64 }).filter((s) => !s.includes('\0'));
    const uid = fc.nat({ max: 2 ** 32 - 2 });
    fc.assert(
      fc.property(name, uid, uid, fc.nat({ max: 2 ** 40 }), (comm, realUid, effectiveUid, rssKib) => {
        const escaped = comm.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
        const text = `Name:\t${escaped}\nUmask:\t0022\nState:\tS (sleeping)\nUid:\t${realUid}\t${effectiveUid}\t0\t0\nVmRSS:\t${rssKib} kB\nThreads:\t4\n`;
        expect(parsePidStatus(text)).toEqual({ ok: true, value: { name: comm, realUid, effectiveUid, rssBytes: rssKib * 1024, threads: 4 } });
      }),
    );
  });
});
