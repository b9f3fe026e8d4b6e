// Named cgroups as targets on cgroup v1 (v2 is covered by fixture trees in cgroupOps.test.ts): the
// CPU quota throttles, the freezer pauses, and both are put back exactly, by the guard on SIGTERM
// and from the ledger after a SIGKILL.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { TestCgroup, exited } from '../helpers/cgroup.ts';
import { ControlCgroups, v1ControlSupport } from '../helpers/controlCgroups.ts';
import { type GuardEventRecord, GuardProcess, HOG, holding } from '../helpers/guardProcess.ts';

const MiB = 1024 * 1024;
const support = v1ControlSupport();
if (!support.ok) console.warn(`skipping graduated cgroup-target tests: ${support.reason}`);

describe.skipIf(!support.ok)('graduated response with --throttle-cgroup on cgroup v1', () => {
  let cgroup: TestCgroup | undefined;
  let control: ControlCgroups | undefined;
  const guards: GuardProcess[] = [];
  const ledgerDir = mkdtempSync(join(tmpdir(), 'hg-grad-cg-'));
  const ledger = join(ledgerDir, 'ledger.json');

  afterEach(async () => {
    for (const guard of guards.splice(0)) await guard.stop();
    await control?.destroy();
    await cgroup?.destroy();
    control = undefined;
    cgroup = undefined;
    rmSync(ledger, { force: true });
  });
  afterAll(() => rmSync(ledgerDir, { recursive: true, force: true }));

  // Levels 20/40/60 % of 512 MiB: one 150 MiB hog makes CRITICAL, a second of 100 MiB EMERGENCY.
  async function setup(): Promise<{ guardArgs: string[]; pressure: (mib: number) => Promise<ChildProcess> }> {
    cgroup = TestCgroup.create('hg-grad-cg', 512 * MiB);
    const scope = cgroup;
    control = ControlCgroups.create(scope.dir, 'w1');
    const worker = scope.spawnInside(process.execPath, [HOG, '--total-mib', '16', '--hold-ms', '60000', '--title', 'hg-cg-worker']);
    await holding(worker);
    control.add(worker.pid ?? 0);
    const guardArgs = ['--cgroup', scope.dir, '-r', '0', '--graduated', '--levels', '20,40,60', '--throttle-cgroup', control.path, '--ledger', ledger];
    const pressure = async (mib: number): Promise<ChildProcess> => {
      const hog = scope.spawnInside(process.execPath, [HOG, '--total-mib', String(mib), '--hold-ms', '60000']);
      await holding(hog);
      return hog;
    };
    return { guardArgs, pressure };
  }

  function startGuard(args: string[]): GuardProcess {
    const guard = new GuardProcess(args);
    guards.push(guard);
    return guard;
  }

  const targetPath = (e: GuardEventRecord): string | undefined => (e.target as { cgroup?: string } | undefined)?.cgroup;

  it('throttles with cpu.cfs_quota_us, pauses with the freezer, and restores both on SIGTERM', async () => {
    const { guardArgs, pressure } = await setup();
    if (!control) throw new Error('no control cgroups');
    const guard = startGuard(guardArgs);
    await guard.waitFor((e) => e.type === 'start');
    await pressure(150);
    const throttle = await guard.waitFor((e) => e.type === 'throttle' && targetPath(e) === control?.path);
    expect(throttle.method).toBe('cpu.cfs_quota_us');
    expect(Number(control.read('cpu', 'cpu.cfs_quota_us'))).toBeGreaterThan(0);
    await pressure(100);
    const pause = await guard.waitFor((e) => e.type === 'pause' && targetPath(e) === control?.path);
    expect(pause.method).toBe('freezer');
    expect(control.read('freezer', 'freezer.state')).toMatch(/FROZEN|FREEZING/);
    // Paused, the quota is back: the freezer alone holds the cgroup.
    expect(control.read('cpu', 'cpu.cfs_quota_us')).toBe('-1');
    guard.child.kill('SIGTERM');
    expect((await exited(guard.child)).code).toBe(0);
    expect(control.read('freezer', 'freezer.state')).toBe('THAWED');
    expect(control.read('cpu', 'cpu.cfs_quota_us')).toBe('-1');
  }, 60_000);

  it('a guard killed with SIGKILL leaves the cgroup frozen; the next start thaws it from the ledger', async () => {
    const { guardArgs, pressure } = await setup();
    if (!control) throw new Error('no control cgroups');
    const first = startGuard(guardArgs);
    await first.waitFor((e) => e.type === 'start');
    const hogs = [await pressure(150), await pressure(100)];
    await first.waitFor((e) => e.type === 'pause' && targetPath(e) === control?.path);
    first.child.kill('SIGKILL');
    await exited(first.child);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(control.read('freezer', 'freezer.state')).toBe('FROZEN');
    for (const hog of hogs) hog.kill('SIGKILL');
    await Promise.all(hogs.map((hog) => exited(hog)));
    const second = startGuard(guardArgs);
    const resumed = await second.waitFor((e) => e.type === 'resume' && targetPath(e) === control?.path);
    expect(resumed.reason).toBe(`ledger of guard ${first.child.pid}`);
    expect(control.read('freezer', 'freezer.state')).toBe('THAWED');
    expect(control.read('cpu', 'cpu.cfs_quota_us')).toBe('-1');
  }, 60_000);
});
