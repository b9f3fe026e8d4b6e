// Target cgroups on v1 and v2 trees built from fixtures in a temp directory (the code writes to
// them). v2 exists here only as these fixtures: the machine has no v2 cpu or memory controller.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CGROUP_V1_DIR, CGROUP_V2_DIR, FIXTURES_DIR, PROC_ROOT } from '../../../test/fixtures/fixtures.ts';
import { type CgroupDirs, isWithin, readBandwidth, readCpuUsageUs, readFrozen, resolveCgroupDirs, restoreQuota, setFrozen, writeQuota } from './cgroupOps.ts';
import { cgroupTarget } from './cgroupTarget.ts';
import type { ProcessOps } from './processOps.ts';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function copy(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  cpSync(from, to, { recursive: true });
}

// /memory, /cpu, /cpuacct, /freezer, each holding job/w1, as on a v1 machine.
function v1Tree(options: { freezer?: boolean } = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'hg-cg-v1-'));
  roots.push(root);
  const control = join(FIXTURES_DIR, 'cgroup-v1-control', 'unlimited');
  copy(CGROUP_V1_DIR, join(root, 'memory', 'job', 'w1'));
  copy(control, join(root, 'cpu', 'job', 'w1'));
  writeFileSync(join(root, 'cpu', 'job', 'w1', 'cgroup.procs'), '');
  mkdirSync(join(root, 'cpuacct', 'job', 'w1'), { recursive: true });
  cpSync(join(FIXTURES_DIR, 'cgroup-v1-control', 'throttled', 'cpuacct.usage'), join(root, 'cpuacct', 'job', 'w1', 'cpuacct.usage'));
  if (options.freezer !== false) {
    mkdirSync(join(root, 'freezer', 'job', 'w1'), { recursive: true });
    cpSync(join(FIXTURES_DIR, 'cgroup-v1-control', 'throttled', 'freezer.state'), join(root, 'freezer', 'job', 'w1', 'freezer.state'));
  }
  return root;
}

// One unified hierarchy at the root, as on a pure v2 machine.
function v2Tree(): string {
  const root = mkdtempSync(join(tmpdir(), 'hg-cg-v2-'));
  roots.push(root);
  const dir = join(root, 'job', 'w1');
  copy(CGROUP_V2_DIR, dir);
  copy(join(FIXTURES_DIR, 'cgroup-v2-control', 'unlimited'), dir);
  writeFileSync(join(root, 'cgroup.controllers'), 'cpu memory pids\n');
  writeFileSync(join(dir, 'cgroup.controllers'), 'cpu memory\n');
  return root;
}

const resolved = (named: string, root: string): CgroupDirs => {
  const result = resolveCgroupDirs(named, root);
  if (!result.ok) throw new Error(result.error);
  return result.value;
};

// Fake process operations: the fixture cgroup.procs hold pids captured long ago, which may be
// anybody's processes now; nothing here may signal them for real.
const signalled: string[] = [];
const fakeOps: ProcessOps = { procRoot: PROC_ROOT, kill: (pid, signal) => void signalled.push(`${pid} ${signal}`), getNice: () => 0, setNice: () => undefined };

describe('resolveCgroupDirs', () => {
  it('finds each v1 controller under its own mount, from a hierarchy path or a full directory', () => {
    const root = v1Tree();
    const dirs = resolved('/job/w1', root);
    expect(dirs).toEqual({
      path: '/job/w1',
      version: 1,
      procsDir: join(root, 'memory/job/w1'),
      memoryDir: join(root, 'memory/job/w1'),
      cpuDir: join(root, 'cpu/job/w1'),
      usageDir: join(root, 'cpuacct/job/w1'),
      freezerDir: join(root, 'freezer/job/w1'),
    });
    expect(resolved(join(root, 'cpu/job/w1'), root).path).toBe('/job/w1');
  });

  it('finds a v2 cgroup in one directory', () => {
    const root = v2Tree();
    const dir = join(root, 'job/w1');
    expect(resolved('/job/w1', root)).toEqual({ path: '/job/w1', version: 2, procsDir: dir, memoryDir: dir, cpuDir: dir, usageDir: dir, freezerDir: dir });
    expect(resolved(dir, root).path).toBe('/job/w1');
  });

  it("names the cgroup and what was looked for when it is not there, and refuses '..' and the root", () => {
    const root = v1Tree();
    expect(resolveCgroupDirs('/job/nope', root)).toMatchObject({ ok: false, error: expect.stringContaining("cgroup '/job/nope'") });
    expect(resolveCgroupDirs('/job/../etc', root)).toMatchObject({ ok: false, error: expect.stringContaining("'..'") });
    expect(resolveCgroupDirs('/', root)).toMatchObject({ ok: false });
    expect(resolveCgroupDirs('job', root)).toMatchObject({ ok: false });
  });

  it('isWithin compares whole path components', () => {
    expect([isWithin('/job/w1', '/job'), isWithin('/job', '/job'), isWithin('/jobs/w1', '/job'), isWithin('/x', '/')]).toEqual([true, true, false, true]);
  });
});

describe('quota, usage and freezer files', () => {
  it('v1: writes the quota and puts back the exact text read before', () => {
    const dirs = resolved('/job/w1', v1Tree());
    const before = readBandwidth(dirs);
    expect(before).toEqual({ ok: true, value: { bandwidth: { quotaUs: undefined, periodUs: 100000 }, raw: '-1' } });
    expect(writeQuota(dirs, 25000, 100000)).toEqual({ result: 'ok' });
    expect(readFileSync(join(dirs.cpuDir ?? '', 'cpu.cfs_quota_us'), 'utf8')).toBe('25000');
    expect(restoreQuota(dirs, '-1')).toEqual({ result: 'ok' });
    expect(readFileSync(join(dirs.cpuDir ?? '', 'cpu.cfs_quota_us'), 'utf8')).toBe('-1');
    expect(readCpuUsageUs(dirs)).toBe(509950);
  });

  it('v2: writes cpu.max as QUOTA PERIOD and restores "max PERIOD"', () => {
    const dirs = resolved('/job/w1', v2Tree());
    expect(readBandwidth(dirs)).toMatchObject({ ok: true, value: { raw: 'max 100000' } });
    writeQuota(dirs, 400, 100000);
    // Never below 1 ms: a smaller quota would starve the cgroup's own bookkeeping.
    expect(readFileSync(join(dirs.cpuDir ?? '', 'cpu.max'), 'utf8')).toBe('1000 100000');
    restoreQuota(dirs, 'max 100000');
    expect(readFileSync(join(dirs.cpuDir ?? '', 'cpu.max'), 'utf8')).toBe('max 100000');
    expect(readCpuUsageUs(dirs)).toBe(0);
  });

  it('freezes and thaws through freezer.state (v1) and cgroup.freeze (v2)', () => {
    for (const [dirs, file, frozen, thawed] of [
      [resolved('/job/w1', v1Tree()), 'freezer.state', 'FROZEN', 'THAWED'],
      [resolved('/job/w1', v2Tree()), 'cgroup.freeze', '1', '0'],
    ] as const) {
      expect(readFrozen(dirs)).toBe(false);
      setFrozen(dirs, true);
      expect([readFileSync(join(dirs.freezerDir ?? '', file), 'utf8'), readFrozen(dirs)]).toEqual([frozen, true]);
      setFrozen(dirs, false);
      expect([readFileSync(join(dirs.freezerDir ?? '', file), 'utf8'), readFrozen(dirs)]).toEqual([thawed, false]);
    }
  });
});

describe('cgroupTarget', () => {
  it('throttles by quota sized from one CPU when no use was measured, pauses with the freezer, and records both for the ledger', () => {
    for (const root of [v1Tree(), v2Tree()]) {
      const dirs = resolved('/job/w1', root);
      const target = cgroupTarget(dirs, fakeOps, 4096);
      expect([target.pauseMethod, target.quota?.method]).toEqual(['freezer', dirs.version === 2 ? 'cpu.max' : 'cpu.cfs_quota_us']);
      expect(target.quota?.set(50)).toEqual({ result: 'ok' });
      expect(readBandwidth(dirs)).toMatchObject({ ok: true, value: { bandwidth: { quotaUs: 50000 } } });
      expect(target.ledgerEntry()).toMatchObject({ kind: 'cgroup', path: '/job/w1', quotaRaw: dirs.version === 2 ? 'max 100000' : '-1' });
      target.mayBeStopped = true;
      expect(target.switch.stop()).toEqual({ result: 'ok' });
      expect(target.switch.isStopped()).toBe(true);
      expect(target.ledgerEntry()).toMatchObject({ mayBeFrozen: true, freezerDir: dirs.freezerDir });
      target.switch.cont();
      target.quota?.restore();
      expect(readBandwidth(dirs)).toMatchObject({ ok: true, value: { bandwidth: { quotaUs: undefined } } });
      expect(target.ledgerEntry()).not.toHaveProperty('quotaRaw');
    }
    expect(signalled).toEqual([]);
  });

  it('without a freezer, pauses by signalling its members, and says so', () => {
    const target = cgroupTarget(resolved('/job/w1', v1Tree({ freezer: false })), fakeOps, 4096);
    expect(target.pauseMethod).toBe('sigstop');
  });
});
