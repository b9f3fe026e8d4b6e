import { describe, expect, it } from 'vitest';
import { PIDS, PROC_ROOT } from '../../../test/fixtures/fixtures.ts';
import { EMPTY_PROTECTED, exclusionReason, parsePasswd, resolveProtected, splitProtectedEntries } from './protectedList.ts';
import { GrowthWindow, type ProcessInfo, ProcessWatch, selectNewTargets } from './targets.ts';

const MiB = 1024 * 1024;

describe('GrowthWindow', () => {
  it("measures the rise from the window's lowest sample, so a free and refill still counts", () => {
    const window = new GrowthWindow(1000);
    expect(window.add('a', 0, 100)).toBe(0);
    expect(window.add('a', 200, 10)).toBe(0);
    expect(window.add('a', 400, 330)).toBe(320);
    // The low at 200 ms has left the window by 1300 ms.
    expect(window.add('a', 1300, 330)).toBe(0);
    window.retain(new Set());
    expect(window.add('a', 1400, 400)).toBe(0);
  });
});

describe('ProcessWatch on the captured /proc', () => {
  const all = Object.values(PIDS);

  it('never offers pid 1, kernel threads, zombies or the guard itself', () => {
    const watch = new ProcessWatch({ procRoot: PROC_ROOT, pids: () => all, pageSize: 4096 }, { selfPid: PIDS.parenComm, protectedList: EMPTY_PROTECTED }, 1000);
    expect(watch.scan(0).map((i) => i.pid).sort()).toEqual([PIDS.shell, PIDS.newlineComm]);
  });

  it('leaves out --avoid matches and the protected names, users and cgroups', () => {
    const scan = (rules: Partial<Parameters<typeof exclusionReason>[1]>): number[] =>
      new ProcessWatch({ procRoot: PROC_ROOT, pids: () => all, pageSize: 4096 }, { selfPid: 0, protectedList: EMPTY_PROTECTED, ...rules }, 1000)
        .scan(0)
        .map((i) => i.pid)
        .sort();
    expect(scan({})).toEqual([PIDS.shell, PIDS.parenComm, PIDS.newlineComm]);
    expect(scan({ avoid: /^foo\)/ })).toEqual([PIDS.shell, PIDS.newlineComm]);
    expect(scan({ protectedList: { ...EMPTY_PROTECTED, names: ['bash'] } })).toEqual([PIDS.parenComm, PIDS.newlineComm]);
    expect(scan({ protectedList: { ...EMPTY_PROTECTED, uids: [0] } })).toEqual([]);
    expect(scan({ protectedList: { ...EMPTY_PROTECTED, cgroups: ['/process_api'] } })).toEqual([]);
  });
});

describe('selectNewTargets', () => {
  const info = (pid: number, growthMiB: number, comm = `p${pid}`): ProcessInfo => ({ key: `${pid}@1`, pid, startTimeTicks: 1, comm, state: 'S', rssBytes: 100 * MiB, cpuTicks: 0, growthBytes: growthMiB * MiB });
  const infos = [info(10, 50), info(11, 3), info(12, 200), info(13, 80, 'worker'), info(14, 9)];

  it('by default takes the top growers above the minimum, fastest first, skipping current targets', () => {
    const picked = selectNewTargets(infos, new Set(['12@1']), { topGrowers: 2, minGrowthBytes: 8 * MiB }, () => '');
    expect(picked.map((i) => i.pid)).toEqual([13, 10]);
  });

  it('with --throttle takes every match of comm or command line, growing or not', () => {
    const picked = selectNewTargets(infos, new Set(), { topGrowers: 1, minGrowthBytes: 8 * MiB, throttle: /worker|--batch/ }, (i) => (i.pid === 11 ? 'python job.py --batch' : ''));
    expect(picked.map((i) => i.pid)).toEqual([11, 13]);
  });
});

describe('protected list', () => {
  it('parses --protected entries and resolves user names through passwd', () => {
    const spec = splitProtectedEntries(['sshd,user:postgres', 'cgroup:/system.slice', 'user:1001']);
    expect(spec).toEqual({ names: ['sshd'], users: ['postgres', '1001'], cgroups: ['/system.slice'] });
    const passwd = parsePasswd('root:x:0:0:root:/root:/bin/bash\npostgres:x:108:114::/var/lib/postgresql:/bin/bash\nbroken line\n');
    expect(resolveProtected(spec, passwd)).toEqual({ ok: true, value: { names: ['sshd'], uids: [108, 1001], cgroups: ['/system.slice'] } });
    expect(resolveProtected({ users: ['nobody-here'] }, passwd)).toEqual({ ok: false, error: "protected user 'nobody-here': no such user in /etc/passwd and not a numeric uid" });
    expect(resolveProtected({ cgroups: ['system.slice'] }, passwd)).toMatchObject({ ok: false });
  });

  it('says why a process is excluded, reading owner, argv and cgroups only when a rule needs them', () => {
    const reads: string[] = [];
    const candidate = {
      pid: 500,
      comm: 'java',
      kernelThread: false,
      uid: () => (reads.push('uid'), 1000),
      argv0: () => (reads.push('argv0'), '/usr/bin/java'),
      cgroupPaths: () => (reads.push('cgroups'), ['/user.slice/app']),
    };
    expect(exclusionReason(candidate, { selfPid: 1, protectedList: EMPTY_PROTECTED })).toBeUndefined();
    expect(reads).toEqual([]);
    expect(exclusionReason({ ...candidate, pid: 1 }, { selfPid: 2, protectedList: EMPTY_PROTECTED })).toBe('pid 1');
    expect(exclusionReason({ ...candidate, kernelThread: true }, { selfPid: 2, protectedList: EMPTY_PROTECTED })).toBe('kernel thread');
    expect(exclusionReason(candidate, { selfPid: 500, protectedList: EMPTY_PROTECTED })).toBe('the guard itself');
    expect(exclusionReason(candidate, { selfPid: 1, protectedList: { names: ['java'], uids: [], cgroups: [] } })).toBe('protected name');
    expect(exclusionReason(candidate, { selfPid: 1, protectedList: { names: [], uids: [1000], cgroups: [] } })).toBe('protected user');
    expect(exclusionReason(candidate, { selfPid: 1, protectedList: { names: [], uids: [], cgroups: ['/user.slice'] } })).toBe('protected cgroup');
  });
});
