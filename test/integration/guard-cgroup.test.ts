// The guard against real memory hogs in a real memory cgroup: it must kill them before the
// kernel OOM killer does, spare what --avoid names, kill nothing in dry-run, and escalate.
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { exited, memoryCgroupSupport } from '../helpers/cgroup.ts';
import { GuardedCgroup, type GuardProcess, holding } from '../helpers/guardProcess.ts';

const MiB = 1024 * 1024;
const support = memoryCgroupSupport();
const hasStressNg = spawnSync('stress-ng', ['--version']).status === 0;
if (!hasStressNg) console.warn('skipping the stress-ng hog test: stress-ng is not installed (apt-get install stress-ng)');
if (!support.ok) console.warn(`skipping guard cgroup tests: ${support.reason}`);

describe.skipIf(!support.ok)('guard in a 512 MiB memory cgroup', () => {
  let scope: GuardedCgroup | undefined;

  afterEach(async () => {
    await scope?.stop();
    scope = undefined;
  });

  async function startGuard(extra: string[] = []): Promise<GuardProcess> {
    scope = await GuardedCgroup.start(512 * MiB, extra);
    return scope.guard;
  }

  function startHog(args: string[]) {
    if (!scope) throw new Error('no guarded cgroup');
    return scope.hog(args);
  }

  const oomKills = (): number | undefined => scope?.cgroup.oomKills();

  it('kills a 1 GiB/s hog before the kernel does, 5 runs in a row', async () => {
    const g = await startGuard();
    for (let run = 0; run < 5; run++) {
      const hog = startHog(['--total-mib', '1024', '--rate-mib-s', '1024']);
      const result = await exited(hog);
      expect(result.signal, `run ${run}: ${g.stderr}`).toMatch(/SIGTERM|SIGKILL/);
      const strike = await g.waitFor((e) => (e.type === 'term' || e.type === 'kill') && (e.victim as { pid: number }).pid === hog.pid);
      expect(strike.dryRun).toBe(false);
      await g.waitFor((e) => e.type === 'exit' && (e.victim as { pid: number }).pid === hog.pid);
    }
    expect(oomKills()).toBe(0);
  }, 60_000);

  // Without --avoid the bigger bystander is the victim: this is what makes the next test meaningful.
  it('kills the larger bystander when nothing is avoided', async () => {
    const g = await startGuard();
    const bystander = startHog(['--total-mib', '280', '--rate-mib-s', '0', '--title', 'hg-bystander', '--hold-ms', '60000']);
    await holding(bystander);
    const hog = startHog(['--total-mib', '1024', '--rate-mib-s', '1024', '--title', 'hg-hog']);
    const result = await exited(bystander);
    expect(result.signal).toMatch(/SIGTERM|SIGKILL/);
    const strike = await g.waitFor((e) => e.type === 'term' || e.type === 'kill');
    expect((strike.victim as { pid: number }).pid).toBe(bystander.pid);
    hog.kill('SIGKILL');
    await exited(hog);
  }, 30_000);

  // A hog that is not Node: stress-ng's vm worker (C, one big mapping) under its stress-ng parent.
  it.skipIf(!hasStressNg)('kills the stress-ng vm worker, not its small parent, before the kernel does', async () => {
    const g = await startGuard();
    if (!scope) throw new Error('no guarded cgroup');
    const stress = scope.cgroup.spawnInside('stress-ng', ['--vm', '1', '--vm-bytes', '1G', '--vm-keep', '--oomable', '-t', '20']);
    const strike = await g.waitFor((e) => e.type === 'term' || e.type === 'kill', 15_000);
    const victim = strike.victim as { pid: number; name: string };
    expect(victim.pid).not.toBe(stress.pid);
    expect(victim.name).toMatch(/stress-ng/);
    await g.waitFor((e) => e.type === 'exit' && (e.victim as { pid: number }).pid === victim.pid);
    stress.kill('SIGTERM');
    await exited(stress);
    expect(oomKills()).toBe(0);
  }, 30_000);

  it('spares a process matching --avoid and kills the hog', async () => {
    const g = await startGuard(['--avoid', '^hg-bystander$']);
    // The bystander holds more memory than the hog will ever reach, so without --avoid it would be chosen.
    const bystander = startHog(['--total-mib', '280', '--rate-mib-s', '0', '--title', 'hg-bystander', '--hold-ms', '60000']);
    await holding(bystander);
    const hog = startHog(['--total-mib', '1024', '--rate-mib-s', '1024', '--title', 'hg-hog']);
    const result = await exited(hog);
    expect(result.signal).toMatch(/SIGTERM|SIGKILL/);
    expect(bystander.exitCode).toBeNull();
    expect(bystander.signalCode).toBeNull();
    const strikes = g.events.filter((e) => e.type === 'term' || e.type === 'kill');
    expect(strikes.map((e) => (e.victim as { pid: number }).pid)).not.toContain(bystander.pid);
    expect(oomKills()).toBe(0);
  }, 30_000);

  it('kills nothing with --dryrun and says what it would do', async () => {
    const g = await startGuard(['--dryrun']);
    // 470 MiB of 512: past the SIGTERM limit (10 %) but short of the cgroup's limit.
    const hog = startHog(['--total-mib', '440', '--rate-mib-s', '1024', '--hold-ms', '2500']);
    const result = await exited(hog);
    expect(result).toEqual({ code: 0, signal: null });
    const wouldKill = g.events.filter((e) => e.type === 'term' || e.type === 'kill');
    expect(wouldKill.length).toBeGreaterThan(0);
    expect(wouldKill.every((e) => e.dryRun === true)).toBe(true);
    expect(g.events.some((e) => e.type === 'exit')).toBe(false);
  }, 30_000);

  it('escalates to SIGKILL when the victim ignores SIGTERM past --term-timeout', async () => {
    // SIGTERM at 20 % free (410 MiB used), SIGKILL only at 5 %: a 400 MiB hog plus Node's own ~50 MiB
    // sits well inside that window whatever Node's baseline is, so only the timeout can escalate.
    const g = await startGuard(['--term-timeout', '1', '-m', '20,5']);
    const hog = startHog(['--total-mib', '400', '--rate-mib-s', '1024', '--ignore-term', '--hold-ms', '20000']);
    const result = await exited(hog);
    expect(result.signal).toBe('SIGKILL');
    const term = await g.waitFor((e) => e.type === 'term');
    const kill = await g.waitFor((e) => e.type === 'kill');
    expect(kill.reason).toBe('escalated: no exit 1000 ms after SIGTERM');
    const gapMs = Date.parse(kill.time) - Date.parse(term.time);
    expect(gapMs).toBeGreaterThanOrEqual(1000);
    expect(gapMs).toBeLessThan(1500);
    expect(oomKills()).toBe(0);
  }, 30_000);

  it('escalates to SIGKILL at the kill limit when the victim ignores SIGTERM and keeps eating', async () => {
    const g = await startGuard(['--term-timeout', '30']);
    const hog = startHog(['--total-mib', '1024', '--rate-mib-s', '512', '--ignore-term']);
    const result = await exited(hog);
    expect(result.signal).toBe('SIGKILL');
    const kill = await g.waitFor((e) => e.type === 'kill');
    expect(kill.reason).toBe('escalated: at or below SIGKILL limits');
    expect(oomKills()).toBe(0);
  }, 30_000);
});
