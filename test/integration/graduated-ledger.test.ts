// A paused target must never outlive the guard that paused it: a guard killed with SIGKILL leaves
// it stopped (nothing can run in a dead process) but its ledger lets the next start resume it; a
// target continued by someone else is stopped again; one that exits while stopped is let go.
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseLedger } from '../../src/guard/graduated/ledger.ts';
import { readPidStat } from '../../src/sys/readProc.ts';
import { TestCgroup, exited, memoryCgroupSupport } from '../helpers/cgroup.ts';
import { GuardProcess, HOG, holding } from '../helpers/guardProcess.ts';

const MiB = 1024 * 1024;
const support = memoryCgroupSupport();
if (!support.ok) console.warn(`skipping graduated ledger tests: ${support.reason}`);

const stateOf = (pid: number | undefined): string | undefined => (pid === undefined ? undefined : readPidStat(pid)?.state);

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.skipIf(!support.ok)('graduated response: stopped targets, the ledger and a guard killed mid-pause', () => {
  let cgroup: TestCgroup | undefined;
  const guards: GuardProcess[] = [];
  const ledgerDir = mkdtempSync(join(tmpdir(), 'hg-grad-ledger-'));
  const ledger = join(ledgerDir, 'ledger.json');

  afterEach(async () => {
    for (const guard of guards.splice(0)) await guard.stop();
    // SIGKILL ends stopped processes too: destroy() leaves nothing stopped behind.
    await cgroup?.destroy();
    cgroup = undefined;
    rmSync(ledger, { force: true });
  });
  afterAll(() => rmSync(ledgerDir, { recursive: true, force: true }));

  function startGuard(): GuardProcess {
    if (!cgroup) throw new Error('no cgroup');
    const guard = new GuardProcess(['--cgroup', cgroup.dir, '-r', '0', '--graduated', '--ledger', ledger]);
    guards.push(guard);
    return guard;
  }

  // A big holder (WARNING on its own) and a small grower: the guard pauses the small one, lets it
  // grow as the next target once the big one holds its peak, and pauses it again at CRITICAL, where
  // it stays stopped for max_pause (2 s) while the big one, holding more, keeps running.
  async function pausedSmallTarget(guard: GuardProcess): Promise<{ big: ChildProcess; small: ChildProcess }> {
    if (!cgroup) throw new Error('no cgroup');
    await guard.waitFor((e) => e.type === 'start');
    const big = cgroup.spawnInside(process.execPath, [HOG, '--total-mib', '300', '--hold-ms', '60000', '--title', 'hg-big']);
    await holding(big);
    const small = cgroup.spawnInside(process.execPath, [HOG, '--total-mib', '120', '--rate-mib-s', '40', '--chunk-mib', '2', '--hold-ms', '60000', '--title', 'hg-small']);
    await guard.waitFor((e) => e.type === 'pause' && e.level === 'CRITICAL' && (e.target as { pid?: number }).pid === small.pid, 15_000);
    await until(() => stateOf(small.pid) === 'T', 2000, 'the small hog to stop');
    return { big, small };
  }

  it('a guard killed with SIGKILL mid-pause leaves the target stopped; the next start resumes it from the ledger', async () => {
    cgroup = TestCgroup.create('hg-grad-ledger', 512 * MiB);
    const first = startGuard();
    const { big, small } = await pausedSmallTarget(first);
    first.child.kill('SIGKILL');
    await exited(first.child);
    // max_pause (2 s) passes and nobody continues it: the pause outlives its guard.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(stateOf(small.pid)).toBe('T');
    const recorded = parseLedger(readFileSync(ledger, 'utf8'));
    expect(recorded.ok && recorded.value.entries.some((e) => e.kind === 'process' && e.pid === small.pid && e.mayBeStopped)).toBe(true);
    big.kill('SIGKILL');
    await exited(big);
    const second = startGuard();
    const resumed = await second.waitFor((e) => e.type === 'resume' && (e.target as { pid?: number }).pid === small.pid);
    expect(resumed.reason).toBe(`ledger of guard ${first.child.pid}`);
    await until(() => stateOf(small.pid) !== 'T', 1000, 'the small hog to run again');
    await holding(small);
    expect(existsSync(ledger)).toBe(false);
    expect(cgroup.oomKills()).toBe(0);
  }, 60_000);

  it('stops again a target that someone else continued, and lets go of one that exits while stopped', async () => {
    cgroup = TestCgroup.create('hg-grad-cont', 512 * MiB);
    const guard = startGuard();
    const { small } = await pausedSmallTarget(guard);
    process.kill(small.pid ?? 0, 'SIGCONT');
    await guard.waitFor((e) => e.type === 'warn' && /continued by someone else/.test(String(e.message)), 3000);
    await until(() => stateOf(small.pid) === 'T', 1000, 'the small hog to be stopped again');
    // Earlier resumes of it (when it ran as the next target) do not count.
    const seen = guard.events.length;
    small.kill('SIGKILL');
    await exited(small);
    const gone = await guard.waitFor((e) => e.type === 'resume' && (e.target as { pid?: number }).pid === small.pid && guard.events.indexOf(e) >= seen);
    expect(gone.reason).toBe('exited');
    expect(guard.child.exitCode).toBeNull();
    expect(guard.events.filter((e) => e.type === 'error')).toEqual([]);
    // The ledger is rewritten right after that event.
    const listsSmall = (): boolean => {
      const recorded = existsSync(ledger) ? parseLedger(readFileSync(ledger, 'utf8')) : undefined;
      return recorded?.ok === true && recorded.value.entries.some((e) => e.kind === 'process' && e.pid === small.pid);
    };
    await until(() => !listsSmall(), 1000, 'the ledger to drop the exited target');
  }, 60_000);

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} makes the guard continue and renice back every target before it exits`, async () => {
      cgroup = TestCgroup.create('hg-grad-exit', 512 * MiB);
      const guard = startGuard();
      const { big, small } = await pausedSmallTarget(guard);
      // The paused one is reniced; the holder keeps its own priority (leader-first).
      expect([getPriority(big.pid), getPriority(small.pid)]).toEqual([0, 10]);
      guard.child.kill(signal);
      expect((await exited(guard.child)).code).toBe(0);
      expect(stateOf(small.pid)).not.toBe('T');
      expect([getPriority(big.pid), getPriority(small.pid)]).toEqual([0, 0]);
      expect(existsSync(ledger)).toBe(false);
    }, 60_000);
  }
});
