// What the guard does around a kill, against real processes in a real memory cgroup:
// -P/-N hooks with the victim in their environment, -g process groups, -p priorities.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exited, memoryCgroupSupport } from '../helpers/cgroup.ts';
import { listen, startDaemon, writeSystemBusConfig } from '../helpers/dbusDaemons.ts';
import { GuardedCgroup, holding } from '../helpers/guardProcess.ts';
import { startReceiver } from '../helpers/syslogReceiver.ts';

const MiB = 1024 * 1024;
const support = memoryCgroupSupport();
if (!support.ok) console.warn(`skipping guard action tests: ${support.reason}`);

describe.skipIf(!support.ok)('guard actions', () => {
  let scope: GuardedCgroup | undefined;
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hg-hooks-'));
  });

  afterEach(async () => {
    await scope?.stop();
    scope = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  function hookScript(name: string): string {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\nenv | grep -E '^(EARLYOOM|OOM_GUARD)_' | sort > "${join(dir, `${name}.env`)}"\n`);
    chmodSync(path, 0o755);
    return path;
  }

  async function readWhenWritten(path: string): Promise<string> {
    for (let i = 0; i < 100; i++) {
      try {
        const text = readFileSync(path, 'utf8');
        if (text.includes('_PID=')) return text;
      } catch {
        // not yet written
      }
      await sleep(50);
    }
    throw new Error(`${path} was never written`);
  }

  it('runs -P before and -N after the kill with the victim in EARLYOOM_* and OOM_GUARD_*', async () => {
    const pre = hookScript('pre');
    const post = hookScript('post');
    scope = await GuardedCgroup.start(512 * MiB, ['-P', pre, '-N', post]);
    const hog = scope.hog(['--total-mib', '1024', '--rate-mib-s', '1024', '--title', 'hg-hooked']);
    expect((await exited(hog)).signal).toMatch(/SIGTERM|SIGKILL/);
    for (const name of ['pre', 'post']) {
      const env = await readWhenWritten(join(dir, `${name}.env`));
      for (const prefix of ['EARLYOOM', 'OOM_GUARD']) {
        expect(env).toContain(`${prefix}_PID=${hog.pid}`);
        expect(env).toContain(`${prefix}_UID=0`);
        expect(env).toContain(`${prefix}_NAME=hg-hooked`);
        expect(env).toMatch(new RegExp(`${prefix}_CMDLINE=hg-hooked`));
      }
    }
    const hooks = scope.guard.events.filter((e) => e.type === 'hook');
    expect(hooks.map((e) => [e.hook, e.exitCode])).toEqual(expect.arrayContaining([['pre-kill', 0], ['post-kill', 0]]));
    expect(scope.cgroup.oomKills()).toBe(0);
  }, 30_000);

  it('with -g kills the victim and the rest of its process group in the cgroup', async () => {
    scope = await GuardedCgroup.start(512 * MiB, ['-g']);
    // sh starts a sleeper in the background, then becomes the hog: both in one new process group.
    const family = scope.cgroup.spawnInside('/bin/sh', ['-c', `sleep 60 & exec "${process.execPath}" "$0" "$@"`, ...hogArgs()], { detached: true });
    await sleep(300);
    const members = scope.cgroup.pids();
    expect(members.length).toBe(2);
    expect((await exited(family)).signal).toMatch(/SIGTERM|SIGKILL/);
    for (let i = 0; i < 40 && scope.cgroup.pids().length > 0; i++) await sleep(50);
    expect(scope.cgroup.pids()).toEqual([]);
    const strike = scope.guard.events.find((e) => e.type === 'term' || e.type === 'kill');
    expect(strike?.processGroup).toBe(true);
  }, 30_000);

  it('with -p runs at niceness -20 and oom_score_adj -100, or says why not', async () => {
    scope = await GuardedCgroup.start(64 * MiB, ['-p']);
    const pid = scope.guard.child.pid!;
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // Field 19 of stat is the nice value; fields here start at 3 (state).
    expect(Number(fields[19 - 3])).toBe(-20);
    // Lowering oom_score_adj needs CAP_SYS_RESOURCE, which root lacks in some sandboxes (this one).
    const canLower = spawnSync('/bin/sh', ['-c', 'echo -100 > /proc/self/oom_score_adj']).status === 0;
    if (canLower) {
      expect(readFileSync(`/proc/${pid}/oom_score_adj`, 'utf8').trim()).toBe('-100');
      await scope.guard.waitFor((e) => e.type === 'notice' && e.message === 'Priority was raised successfully');
    } else {
      await scope.guard.waitFor((e) => e.type === 'notice' && e.message === 'Could not set oom_score_adj: EACCES. Continuing anyway');
    }
  });

  it('with -n sends earlyoom\'s D-Bus signal on the system bus when it kills', async () => {
    const daemon = await startDaemon([`--config-file=${writeSystemBusConfig(dir)}`]);
    const listener = await listen(daemon.address, "type='signal',interface='net.nuetzlich.SystemNotifications',member='Notify'");
    try {
      scope = await GuardedCgroup.start(512 * MiB, ['-n'], { DBUS_SYSTEM_BUS_ADDRESS: daemon.address });
      const hog = scope.hog(['--total-mib', '1024', '--rate-mib-s', '1024', '--title', 'hg-noticed']);
      expect((await exited(hog)).signal).toMatch(/SIGTERM|SIGKILL/);
      const signal = await listener.next((m) => m.member === 'Notify');
      expect(signal.path).toBe('/');
      expect(signal.body).toEqual(['earlyoom', `Low memory! Killing process ${hog.pid} hg-noticed`]);
    } finally {
      listener.close();
      await daemon.stop();
    }
  }, 30_000);

  it('with --syslog sends its lines to syslog with daemon priorities', async () => {
    const socketPath = join(dir, 'log.sock');
    const receiver = await startReceiver(socketPath);
    try {
      scope = await GuardedCgroup.start(512 * MiB, ['--syslog'], { OOM_GUARD_SYSLOG_SOCKET: socketPath });
      const hog = scope.hog(['--total-mib', '1024', '--rate-mib-s', '1024']);
      expect((await exited(hog)).signal).toMatch(/SIGTERM|SIGKILL/);
      await scope.guard.waitFor((e) => e.type === 'exit');
      for (let i = 0; i < 100 && !receiver.datagrams.some((d) => d.includes(`exited`)); i++) await sleep(50);
      // daemon.warning is <28>, daemon.info <30>; logger adds the tag and our pid.
      const guardPid = scope.guard.child.pid;
      expect(receiver.datagrams.some((d) => d.startsWith('<28>') && d.includes(`oom-guard[${guardPid}]`) && d.includes(`sending SIGTERM to process ${hog.pid}`))).toBe(true);
      expect(receiver.datagrams.some((d) => d.startsWith('<28>') && d.includes(`process ${hog.pid} exited`))).toBe(true);
    } finally {
      await receiver.stop();
    }
  }, 30_000);

  it('keeps guarding when its stdout reader goes away', async () => {
    scope = await GuardedCgroup.start(512 * MiB);
    scope.guard.child.stdout?.destroy();
    await sleep(200);
    const hog = scope.hog(['--total-mib', '1024', '--rate-mib-s', '1024']);
    expect((await exited(hog)).signal).toMatch(/SIGTERM|SIGKILL/);
    expect(scope.guard.child.exitCode).toBeNull();
    expect(scope.cgroup.oomKills()).toBe(0);
  }, 30_000);
});

function hogArgs(): string[] {
  return [join(import.meta.dirname, '..', 'helpers', 'hog.ts'), '--total-mib', '1024', '--rate-mib-s', '1024'];
}

// Keeps the helper import used when the suite is skipped.
export { holding };
