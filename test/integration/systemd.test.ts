// packaging/systemd: systemd-analyze verifies the unit, the required directives are there, and the
// sandbox reasoning in its comments holds (a path socket is reachable from a new network namespace
// and from a read-only mount; an abstract one is not).
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Listener, type StartedDaemon, listen, startDaemon, writeSystemBusConfig } from '../helpers/dbusDaemons.ts';

const run = promisify(execFile);
const packaging = join(import.meta.dirname, '../../packaging/systemd');
const unitText = readFileSync(join(packaging, 'hostguard-guard.service'), 'utf8');
const isRoot = process.geteuid?.() === 0;

// Section -> key -> values in order (a key may repeat, as SystemCallFilter= does).
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header?.[1]) {
      current = new Map();
      sections.set(header[1], current);
      continue;
    }
    const equals = line.indexOf('=');
    if (current === undefined || equals <= 0) throw new Error(`unit line outside a section or without '=': ${line}`);
    const key = line.slice(0, equals);
    current.set(key, [...(current.get(key) ?? []), line.slice(equals + 1)]);
  }
  return sections;
}

describe('hostguard-guard.service', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hostguard-systemd-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes systemd-analyze verify with no unknown or ignored directive', async () => {
    // verify checks that ExecStart's binary exists, so point it at one in the temp dir.
    const binary = join(dir, 'oom-guard');
    writeFileSync(binary, '#!/bin/sh\nexit 0\n');
    chmodSync(binary, 0o755);
    const copy = join(dir, 'hostguard-guard.service');
    writeFileSync(copy, unitText.replace(/^ExecStart=\/usr\/local\/bin\/oom-guard /m, `ExecStart=${binary} `));
    expect(readFileSync(copy, 'utf8')).toContain(`ExecStart=${binary} --events-file /run/hostguard/guard-events.jsonl $OOM_GUARD_ARGS`);
    const { stdout, stderr } = await run('systemd-analyze', ['verify', copy]);
    const output = `${stdout}${stderr}`;
    expect(output).not.toMatch(/unknown|ignoring|invalid|failed|not supported|deprecated|warning/i);
  });

  it('catches a bad directive (proves the check above can fail)', async () => {
    const copy = join(dir, 'broken.service');
    writeFileSync(copy, unitText.replace('[Service]\n', '[Service]\nMemoryMinimum=64M\n').replace(/^ExecStart=\S+/m, 'ExecStart=/bin/true'));
    const { stdout, stderr } = await run('systemd-analyze', ['verify', copy]);
    expect(`${stdout}${stderr}`).toMatch(/Unknown key 'MemoryMinimum'/);
  });

  it('has every directive the guard relies on', () => {
    const service = parseUnit(unitText).get('Service');
    const expected: Record<string, string> = {
      ExecStart: '/usr/local/bin/oom-guard --events-file /run/hostguard/guard-events.jsonl $OOM_GUARD_ARGS',
      RuntimeDirectory: 'hostguard',
      RuntimeDirectoryPreserve: 'yes',
      EnvironmentFile: '-/etc/default/hostguard-guard',
      Restart: 'always',
      RestartSec: '2',
      DynamicUser: 'true',
      CapabilityBoundingSet: 'CAP_KILL CAP_IPC_LOCK CAP_SYS_NICE CAP_DAC_READ_SEARCH',
      AmbientCapabilities: 'CAP_KILL CAP_IPC_LOCK CAP_SYS_NICE CAP_DAC_READ_SEARCH',
      NoNewPrivileges: 'true',
      ProtectSystem: 'strict',
      ProtectHome: 'true',
      PrivateNetwork: 'true',
      PrivateTmp: 'true',
      ProtectKernelTunables: 'true',
      MemoryMax: '128M',
      MemoryMin: '64M',
      OOMScoreAdjust: '-100',
      Nice: '-20',
      TasksMax: '32',
    };
    for (const [key, value] of Object.entries(expected)) expect(service?.get(key), key).toEqual([value]);
    // Settings that would hide processes or /proc/meminfo from the guard, or break V8's JIT.
    for (const key of ['ProtectProc', 'ProcSubset', 'MemoryDenyWriteExecute']) expect(service?.has(key), key).toBe(false);
    expect(parseUnit(unitText).get('Install')?.get('WantedBy')).toEqual(['multi-user.target']);
  });

  it('documents memory.min as the replacement for mlockall', () => {
    expect(unitText).toMatch(/Node\.js has no mlockall\(\) binding[\s\S]*memory\.min/);
  });
});

describe('hostguard-guard.default', () => {
  const text = readFileSync(join(packaging, 'hostguard-guard.default'), 'utf8');

  it('sets OOM_GUARD_ARGS once and has only comments besides', () => {
    const active = text.split('\n').filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));
    expect(active).toEqual(['OOM_GUARD_ARGS="-m 10,5 -s 10,5 -r 3600"']);
  });

  it('explains each argument it sets', () => {
    for (const flag of ['-m 10,5', '-s 10,5', '-r 3600']) expect(text).toMatch(new RegExp(`^#\\s+${flag}\\s+\\S`, 'm'));
  });
});

describe.skipIf(!isRoot)('the sandbox keeps the D-Bus system bus socket reachable (needs root for unshare)', () => {
  let dir: string;
  let daemon: StartedDaemon;
  let listener: Listener;
  const sendArgs = ['--type=signal', '/', 'net.nuetzlich.SystemNotifications.Notify', 'string:earlyoom'];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hostguard-sandbox-'));
    daemon = await startDaemon([`--config-file=${writeSystemBusConfig(dir)}`]);
    listener = await listen(daemon.address, "type='signal',interface='net.nuetzlich.SystemNotifications'");
  });
  afterAll(async () => {
    listener?.close();
    await daemon?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('from a new network namespace, as PrivateNetwork=true makes', async () => {
    await run('unshare', ['--net', '--', 'dbus-send', `--bus=${daemon.address}`, ...sendArgs, 'string:from a private network']);
    expect((await listener.next((m) => m.body?.[1] === 'from a private network')).member).toBe('Notify');
  });

  it('through a read-only mount, as ProtectSystem=strict makes', async () => {
    const script = `mount --bind "${dir}" "${dir}" && mount -o remount,bind,ro "${dir}" && ! touch "${dir}/probe" 2>/dev/null && dbus-send --bus=${daemon.address} ${sendArgs.join(' ')} 'string:through a read-only mount'`;
    await run('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c', script]);
    expect((await listener.next((m) => m.body?.[1] === 'through a read-only mount')).member).toBe('Notify');
  });

  it('but not an abstract socket, which belongs to the network namespace', async () => {
    const abstract = await startDaemon(['--session', `--address=unix:abstract=hostguard-sandbox-${process.pid}`]);
    try {
      await run('dbus-send', [`--bus=${abstract.address}`, ...sendArgs, 'string:reachable outside']);
      await expect(run('unshare', ['--net', '--', 'dbus-send', `--bus=${abstract.address}`, ...sendArgs, 'string:x'])).rejects.toThrow(/Connection refused/);
    } finally {
      await abstract.stop();
    }
  });
});
