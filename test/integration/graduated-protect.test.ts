// The resource protector ([protect]) against real processes in a test cgroup: a CPU monopoliser is
// reniced to 19 then throttled, a protected one is never touched, the circuit breaker stops
// acting, a memory hog becomes a graduated target, and cleanup actions remove only old files
// (and nothing at all with --dryrun).
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { readPidStat } from '../../src/sys/readProc.ts';
import { TestCgroup, exited, memoryCgroupSupport } from '../helpers/cgroup.ts';
import { type GuardEventRecord, GuardProcess, HOG, holding } from '../helpers/guardProcess.ts';

const MiB = 1024 * 1024;
const support = memoryCgroupSupport();
if (!support.ok) console.warn(`skipping protector tests: ${support.reason}`);

const pidOf = (e: GuardEventRecord): number | undefined => (e.target as { pid?: number } | undefined)?.pid;

describe.skipIf(!support.ok)('resource protector', () => {
  let cgroup: TestCgroup | undefined;
  let guard: GuardProcess | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'hg-protect-'));

  afterEach(async () => {
    await guard?.stop();
    await cgroup?.destroy();
    guard = undefined;
    cgroup = undefined;
    rmSync(join(dir, 'cache'), { recursive: true, force: true });
    rmSync(join(dir, 'ran'), { force: true });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // CPU shares are of the whole machine; 5 % is met by a busy loop even on a loaded machine.
  async function start(toml: string, extra: string[] = []): Promise<GuardProcess> {
    cgroup = TestCgroup.create('hg-protect', 512 * MiB);
    const config = join(dir, 'guard.toml');
    writeFileSync(config, `[memory]\ncheck_interval_seconds = 0.25\nledger = "${join(dir, 'ledger.json')}"\n[protect]\nenabled = true\nmode = "dev"\n${toml}\n`);
    guard = new GuardProcess(['--cgroup', cgroup.dir, '-r', '0', '--config', config, ...extra]);
    await guard.waitFor((e) => e.type === 'start');
    return guard;
  }

  function spin(title: string): ChildProcess {
    if (!cgroup) throw new Error('no cgroup');
    return cgroup.spawnInside(process.execPath, ['-e', `process.title = ${JSON.stringify(title)}; for (;;) {}`]);
  }

  // Whether the reniced spinner is then throttled depends on how busy the machine is (a nice-19
  // loop on a busy machine gets little CPU); protector.test.ts drives that step deterministically.
  it('renices a CPU monopoliser to 19, never touches a protected one, and restores the nice value on exit', async () => {
    const g = await start('cpu_percent = 5\nsustain_seconds = 1\nprotected_names = ["hg-protected"]');
    const hog = spin('hg-spin');
    const kept = spin('hg-protected');
    const renice = await g.waitFor((e) => e.type === 'renice' && pidOf(e) === hog.pid, 10_000);
    expect(renice).toMatchObject({ source: 'protect', toNice: 19 });
    expect(getPriority(hog.pid)).toBe(19);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(g.events.filter((e) => pidOf(e) === kept.pid)).toEqual([]);
    expect(getPriority(kept.pid)).toBe(0);
    g.child.kill('SIGTERM');
    await exited(g.child);
    expect(getPriority(hog.pid)).toBe(0);
    expect(readPidStat(hog.pid ?? 0)?.state).not.toBe('T');
  }, 40_000);

  it('opens the circuit breaker after max_actions_per_minute and says so', async () => {
    const g = await start('cpu_percent = 5\nsustain_seconds = 1\nmax_actions_per_minute = 1');
    const first = spin('hg-spin-a');
    const second = spin('hg-spin-b');
    const breaker = await g.waitFor((e) => e.type === 'breaker', 10_000);
    expect(breaker).toMatchObject({ open: true, limit: 1 });
    const reniced = g.events.filter((e) => e.type === 'renice').map(pidOf);
    expect(reniced).toHaveLength(1);
    expect([first.pid, second.pid]).toContain(reniced[0]);
  }, 40_000);

  it('makes a process holding more than memory_percent a target of the graduated response', async () => {
    const g = await start('memory_percent = 20');
    if (!cgroup) throw new Error('no cgroup');
    const hog = cgroup.spawnInside(process.execPath, [HOG, '--total-mib', '150', '--hold-ms', '60000', '--title', 'hg-mem']);
    await holding(hog);
    const chosen = await g.waitFor((e) => e.type === 'protect' && pidOf(e) === hog.pid, 5000);
    expect(chosen.action).toBe('memory-target');
  }, 30_000);

  function cleanupFixture(): { old: string; fresh: string; toml: string } {
    const cache = join(dir, 'cache');
    mkdirSync(join(cache, 'sub'), { recursive: true });
    const old = join(cache, 'sub', 'old.bin');
    const fresh = join(cache, 'fresh.bin');
    writeFileSync(old, 'x'.repeat(4096));
    writeFileSync(fresh, 'y');
    const threeDaysAgo = Date.now() / 1000 - 3 * 86400;
    utimesSync(old, threeDaysAgo, threeDaysAgo);
    // disk_percent = 1: the temp filesystem is always fuller than that.
    const toml = `disk_percent = 1\n[[protect.cleanup]]\ndirectory = "${cache}"\nmax_age_hours = 24\n[[protect.cleanup]]\ncommand = "touch ${join(dir, 'ran')}"\nfilesystem = "${dir}"`;
    return { old, fresh, toml };
  }

  it('with --dryrun, lists what a cleanup would remove and removes nothing', async () => {
    const { old, fresh, toml } = cleanupFixture();
    const g = await start(toml, ['--dryrun']);
    const listed = await g.waitFor((e) => e.type === 'cleanup' && String(e.action).startsWith('directory'), 5000);
    expect(listed).toMatchObject({ dryRun: true, fileCount: 1, files: [old], bytes: 4096 });
    await g.waitFor((e) => e.type === 'cleanup' && String(e.action).startsWith('command'), 5000);
    expect([existsSync(old), existsSync(fresh), existsSync(join(dir, 'ran'))]).toEqual([true, true, false]);
  }, 30_000);

  it('removes files older than max_age_hours and runs cleanup commands', async () => {
    const { old, fresh, toml } = cleanupFixture();
    const g = await start(toml);
    const removed = await g.waitFor((e) => e.type === 'cleanup' && String(e.action).startsWith('directory'), 5000);
    expect(removed).toMatchObject({ dryRun: false, fileCount: 1, files: [old] });
    const ran = await g.waitFor((e) => e.type === 'cleanup' && String(e.action).startsWith('command'), 5000);
    expect(ran.exitCode).toBe(0);
    expect([existsSync(old), existsSync(fresh), existsSync(join(dir, 'ran'))]).toEqual([false, true, true]);
  }, 30_000);
});
