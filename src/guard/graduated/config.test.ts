import { describe, expect, it } from 'vitest';
import { MEMORY_DEFAULTS } from '../../config/guardDefaults.ts';
import { EXIT, parseGuardOptions } from '../options.ts';
import { resolveGraduatedConfig } from './config.ts';
import { type GraduatedFlags, emptyGraduatedFlags } from './options.ts';

function flags(args: string[]): GraduatedFlags {
  const parsed = parseGuardOptions(args);
  if (parsed.action !== 'run') throw new Error(JSON.stringify(parsed));
  return parsed.options.graduated;
}

describe('graduated flags', () => {
  it('leave the earlyoom options alone and set nothing unless given', () => {
    expect(flags(['-m', '5'])).toEqual(emptyGraduatedFlags());
    expect(resolveGraduatedConfig(flags(['-m', '5']))).toEqual({ ok: true, value: undefined });
  });

  it('map each flag onto the [memory] or [protect] key of the same meaning', () => {
    const f = flags(['--graduated', '--policy', 'table', '--levels', '50,70,80', '--check-interval', '0.5', '--max-memory', '2048', '--max-pause', '1.5', '--min-duty', '5', '--throttle', 'worker', '--throttle-cgroup', '/a', '--throttle-cgroup', '/b', '--release-signal', 'USR1', '--ledger', '/tmp/l.json', '--protect', 'prod', '--protected', 'sshd,user:0', '--config', '/etc/h.toml']);
    expect(f).toEqual({
      memory: { enabled: true, policy: 'table', warning_percent: 50, critical_percent: 70, emergency_percent: 80, check_interval_seconds: 0.5, max_memory_mb: 2048, max_pause_seconds: 1.5, min_duty_percent: 5, throttle: 'worker', throttle_cgroups: ['/a', '/b'], release_signal: 'USR1', ledger: '/tmp/l.json' },
      protect: { enabled: true, mode: 'prod' },
      protectedEntries: ['sshd,user:0'],
      configPath: '/etc/h.toml',
    });
  });

  it('fail with exit code 19 and a message naming the flag and what is accepted', () => {
    for (const [args, message] of [
      [['--levels', '60,75'], "--levels: invalid levels '60,75': expected WARNING,CRITICAL,EMERGENCY in percent, as 60,75,85"],
      [['--check-interval', '0'], "--check-interval: invalid interval '0': expected seconds > 0"],
      [['--max-memory', '1.5'], "--max-memory: invalid size '1.5': expected whole MiB >= 0 (0: automatic)"],
      [['--protect', 'qa'], "--protect: invalid mode 'qa': expected dev, test or prod"],
      [['--policy', 'fair'], "--policy: invalid policy 'fair': expected leader-first, tiered, table"],
    ] as const) {
      expect(parseGuardOptions([...args])).toEqual({ action: 'fail', exitCode: EXIT.badGraduated, message });
    }
  });
});

describe('resolveGraduatedConfig', () => {
  it('converts the defaults to ms, bytes and percentages', () => {
    const config = resolveGraduatedConfig(flags(['--graduated']));
    expect(config).toMatchObject({
      ok: true,
      value: { policy: 'leader-first', thresholds: { warningPercent: 60, criticalPercent: 75, emergencyPercent: 85, hysteresisPercent: 5 }, maxMemoryBytes: 0, checkIntervalMs: 1000, maxPauseMs: 2000, minDutyPercent: 10, throttleStepsPercent: [50, 25], topGrowers: 3, niceValue: 10, throttleCgroups: [] },
    });
    expect(config.ok && config.value?.protect).toBeUndefined();
  });

  it('takes flags over the file over the defaults, key by key', () => {
    const config = resolveGraduatedConfig(flags(['--levels', '50,70,80']), { memory: { enabled: true, warning_percent: 40, max_pause_seconds: 3 }, protect: { enabled: true, cpu_percent: 60 } }, 'h.toml');
    expect(config).toMatchObject({ ok: true, value: { thresholds: { warningPercent: 50 }, maxPauseMs: 3000, protect: { mode: 'dev', cpuPercent: 60, memoryPercent: 80 } } });
  });

  it("fills the protector's shares from its mode and merges --protected into the lists", () => {
    const config = resolveGraduatedConfig(flags(['--protect', 'test', '--protected', 'sshd,cgroup:/system.slice']), { protect: { protected_names: ['postgres'] } });
    expect(config).toMatchObject({ ok: true, value: { protect: { cpuPercent: 85, memoryPercent: 85, sustainMs: 30_000 }, protectedSpec: { names: ['postgres', 'sshd'], cgroups: ['/system.slice'] } } });
  });

  it('rejects settings that cannot work, naming the origin, the key and the value', () => {
    const cases: Array<[GraduatedFlags, string]> = [
      [flags(['--graduated', '--levels', '80,70,90']), 'command line: levels 80,70,90: need 0 < WARNING < CRITICAL < EMERGENCY < 100'],
      [flags(['--graduated', '--min-duty', '0']), 'command line: min_duty_percent = 0: expected a number >= 1 and <= 99'],
      [flags(['--graduated', '--throttle', '(']), expect.stringMatching(/^command line: throttle '\(': /) as unknown as string],
      [flags(['--graduated', '--release-signal', 'KILL']), "command line: release signal 'KILL': SIGKILL does not ask a program to free memory; use one it handles, as SIGUSR1"],
      [flags(['--graduated', '--release-signal', 'SIGNOPE']), "command line: release signal 'SIGNOPE': not a signal name (SIGUSR1, USR1) or number"],
      [flags(['--levels', '50,60,70']), 'command line: warning_percent, critical_percent, emergency_percent given, but the graduated response is off: add --graduated (or [memory] enabled = true)'],
    ];
    for (const [f, message] of cases) expect(resolveGraduatedConfig(f)).toEqual({ ok: false, error: message });
    expect(resolveGraduatedConfig(emptyGraduatedFlags(), { memory: { enabled: true, throttle_steps_percent: [25, 50] } }, 'h.toml')).toEqual({ ok: false, error: 'h.toml: throttle_steps_percent = [25, 50]: expected falling percentages below 100 and at or above min_duty_percent' });
    expect(resolveGraduatedConfig(emptyGraduatedFlags(), { protect: { enabled: true, cleanup: [{ directory: '/var/cache/x' }] } }, 'h.toml')).toEqual({ ok: false, error: 'h.toml: cleanup[0]: a directory needs max_age_hours > 0' });
  });

  it('accepts a release signal by name, short name or number', () => {
    for (const name of ['SIGUSR1', 'usr1', '10']) {
      expect(resolveGraduatedConfig(flags(['--graduated', '--release-signal', name]))).toMatchObject({ ok: true, value: { releaseSignal: 'SIGUSR1' } });
    }
    expect(MEMORY_DEFAULTS.release_signal).toBe('');
  });
});
