import { describe, expect, it } from 'vitest';
import { type Candidate, type VictimPolicy, isProtected, selectVictim } from './victim.ts';

const MiB = 1024 * 1024;
let nextPid = 100;

function proc(fields: Partial<Candidate>): Candidate {
  const pid = fields.pid ?? nextPid++;
  return {
    pid,
    startTimeTicks: 1000,
    comm: `proc${pid}`,
    uid: 1000,
    pgid: pid,
    state: 'S',
    kernelThread: false,
    oomScore: 100,
    oomScoreAdj: 0,
    rssBytes: 10 * MiB,
    ...fields,
  };
}

const base: VictimPolicy = { sortByRss: false, ignoreRootUser: false, selfPid: 4242 };

describe('selectVictim', () => {
  it('picks the highest oom_score', () => {
    const victim = selectVictim([proc({ oomScore: 200 }), proc({ pid: 7, oomScore: 800 }), proc({ oomScore: 500 })], base);
    expect(victim?.pid).toBe(7);
  });

  it('breaks oom_score ties by larger RSS', () => {
    const victim = selectVictim([proc({ oomScore: 500, rssBytes: 10 * MiB }), proc({ pid: 8, oomScore: 500, rssBytes: 20 * MiB })], base);
    expect(victim?.pid).toBe(8);
  });

  it('picks the largest RSS with --sort-by-rss, ties by oom_score', () => {
    const policy = { ...base, sortByRss: true };
    expect(selectVictim([proc({ pid: 9, oomScore: 1, rssBytes: 900 * MiB }), proc({ oomScore: 999, rssBytes: 10 * MiB })], policy)?.pid).toBe(9);
    expect(selectVictim([proc({ oomScore: 1, rssBytes: MiB }), proc({ pid: 10, oomScore: 2, rssBytes: MiB })], policy)?.pid).toBe(10);
  });

  it('shifts by 300 points for --prefer and --avoid', () => {
    const prefer = { ...base, prefer: /^chrome$/ };
    const candidates = [proc({ comm: 'chrome', pid: 11, oomScore: 300 }), proc({ comm: 'db', pid: 12, oomScore: 590 })];
    expect(selectVictim(candidates, prefer)?.pid).toBe(11);
    const avoid = { ...base, avoid: /^db$/ };
    expect(selectVictim([proc({ comm: 'db', pid: 13, oomScore: 900 }), proc({ pid: 14, oomScore: 601 })], avoid)?.pid).toBe(14);
    expect(selectVictim([proc({ comm: 'db', pid: 15, oomScore: 900 }), proc({ pid: 16, oomScore: 599 })], avoid)?.pid).toBe(15);
  });

  it('shifts by 3 GiB for --prefer with --sort-by-rss', () => {
    const policy = { ...base, sortByRss: true, prefer: /^small$/ };
    const victim = selectVictim([proc({ comm: 'small', pid: 17, rssBytes: MiB }), proc({ rssBytes: 2048 * MiB })], policy);
    expect(victim?.pid).toBe(17);
  });

  it('ranks a zombie main thread (rss 0) by oom_score with --sort-by-rss', () => {
    const policy = { ...base, sortByRss: true };
    const victim = selectVictim([proc({ pid: 18, rssBytes: 0, oomScore: 900 }), proc({ rssBytes: 100, oomScore: 10 })], policy);
    expect(victim?.pid).toBe(18);
  });

  it('returns undefined when nothing is eligible', () => {
    expect(selectVictim([proc({ pid: 1, oomScore: 999 }), proc({ kernelThread: true })], base)).toBeUndefined();
  });
});

describe('isProtected', () => {
  it.each<[string, Partial<Candidate>, Partial<VictimPolicy>]>([
    ['init', { pid: 1 }, {}],
    ['kthreadd', { pid: 2 }, {}],
    ['a kernel thread', { kernelThread: true }, {}],
    ['the guard itself', { pid: 4242 }, {}],
    ['oom_score_adj -1000', { oomScoreAdj: -1000 }, {}],
    ['a zombie', { state: 'Z' }, {}],
    ['root with --ignore-root-user', { uid: 0 }, { ignoreRootUser: true }],
    ['--ignore matches', { comm: 'sshd' }, { ignore: /^sshd$/ }],
  ])('protects %s', (_name, fields, policy) => {
    const candidate = proc({ oomScore: 1000, ...fields });
    expect(isProtected(candidate, { ...base, ...policy })).toBe(true);
    expect(selectVictim([candidate], { ...base, ...policy })).toBeUndefined();
  });

  it('does not protect root without --ignore-root-user, nor adj -999', () => {
    expect(isProtected(proc({ uid: 0 }), base)).toBe(false);
    expect(isProtected(proc({ oomScoreAdj: -999 }), base)).toBe(false);
  });
});
