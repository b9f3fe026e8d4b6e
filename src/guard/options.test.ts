import { describe, expect, it } from 'vitest';
import { EXIT, parseGuardOptions } from './options.ts';

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = parseGuardOptions(args, env);
  if (result.action !== 'run') throw new Error(`expected run, got ${JSON.stringify(result)}`);
  return result.options;
}

function failure(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = parseGuardOptions(args, env);
  if (result.action !== 'fail') throw new Error(`expected failure, got ${result.action}`);
  return result;
}

describe('parseGuardOptions', () => {
  it('has earlyoom defaults', () => {
    const o = run([]);
    expect(o.memPercent).toEqual({ term: 10, kill: 5 });
    expect(o.swapPercent).toEqual({ term: 10, kill: 5 });
    expect(o.reportIntervalMs).toBe(1000);
    expect(o.termTimeoutMs).toBe(5000);
    expect([o.dryRun, o.notify, o.killProcessGroup, o.sortByRss, o.json]).toEqual([false, false, false, false, false]);
  });

  it('parses every earlyoom flag', () => {
    const o = run([
      '-m', '20,10', '-s', '30', '-M', '1000,500', '-S', '2000', '-n', '-N', '/bin/true', '-P', '/bin/false',
      '-g', '-r', '3600', '-p', '-d', '--prefer', '^chrom', '--avoid', '^(sshd|Xorg)$', '--ignore', '^init$',
      '--ignore-root-user', '--sort-by-rss', '--dryrun', '--syslog',
    ]);
    expect(o.memPercent).toEqual({ term: 20, kill: 10 });
    expect(o.swapPercent).toEqual({ term: 30, kill: 15 });
    expect(o.memKiB).toEqual({ term: 1000, kill: 500 });
    expect(o.swapKiB).toEqual({ term: 2000, kill: 1000 });
    expect([o.notify, o.killProcessGroup, o.raisePriority, o.debug, o.ignoreRootUser, o.sortByRss, o.dryRun, o.syslog]).toEqual(
      Array(8).fill(true),
    );
    expect(o.postKillHook).toBe('/bin/true');
    expect(o.preKillHook).toBe('/bin/false');
    expect(o.reportIntervalMs).toBe(3_600_000);
    expect(o.prefer?.test('chromium')).toBe(true);
    expect(o.avoid?.test('sshd')).toBe(true);
    expect(o.ignore?.test('init')).toBe(true);
  });

  it('accepts getopt forms: attached values, clusters, --opt=value, long prefixes', () => {
    const o = run(['-m5,2', '-dng', '--prefer=foo', '--sort', '-r0.5']);
    expect(o.memPercent).toEqual({ term: 5, kill: 2 });
    expect([o.debug, o.notify, o.killProcessGroup, o.sortByRss]).toEqual([true, true, true, true]);
    expect(o.prefer?.source).toBe('foo');
    expect(o.reportIntervalMs).toBe(500);
  });

  it('parses hostguard extensions', () => {
    const o = run(['--term-timeout', '2.5', '--cgroup', '/test', '--psi', '20', '--json']);
    expect(o.termTimeoutMs).toBe(2500);
    expect(o.cgroup).toBe('/test');
    expect(o.psi).toEqual({ term: 20, kill: 40 });
    expect(o.json).toBe(true);
    expect(run(['--psi', '30,50']).psi).toEqual({ term: 30, kill: 50 });
  });

  it('notes ignored and adjusted values', () => {
    expect(run(['-k', '-i']).notices).toEqual(['Option -k is ignored since earlyoom v1.2', 'Option -i is ignored since earlyoom v1.7']);
    expect(run(['-m', '5,9']).notices[0]).toMatch(/setting SIGTERM = SIGKILL = 9.00/);
  });

  it.each([
    [['-m', '100'], EXIT.badMemThreshold, '-m: value 100.000000 exceeds limit 99'],
    [['-m', '0'], EXIT.badMemThreshold, '-m: both SIGTERM and SIGKILL values are zero'],
    [['-m', '-5'], EXIT.badMemThreshold, '-m: value -5.000000 below zero'],
    [['-m', '10x'], EXIT.badMemThreshold, "-m: trailing garbage 'x'"],
    [['-M', 'abc'], EXIT.badMemThreshold, "-M: trailing garbage 'abc'"],
    [['-s', '101'], EXIT.badSwapThreshold, '-s: value 101.000000 exceeds limit 100'],
    [['-s', '0,0'], EXIT.badSwapThreshold, '-s: both SIGTERM and SIGKILL values are zero'],
    [['-S', '1,x'], EXIT.badSwapThreshold, "-S: trailing garbage 'x'"],
    [['-r', 'abc'], EXIT.badInterval, "-r: invalid interval 'abc'"],
    [['-r', '-1'], EXIT.badInterval, "-r: invalid interval '-1'"],
    [['--term-timeout', '0'], EXIT.badInterval, '--term-timeout'],
    [['--psi', 'x'], EXIT.badPsi, "--psi: trailing garbage 'x'"],
    [['--psi', '50,20'], EXIT.badPsi, '--psi: need 0 < FULL <= KILL <= 100'],
    [['--psi', '0'], EXIT.badPsi, '--psi: need 0 < FULL'],
    [['--prefer', '(unclosed'], EXIT.badRegex, "could not compile regexp '(unclosed'"],
    [['--avoid', '['], EXIT.badRegex, "could not compile regexp '['"],
    [['-x'], EXIT.usage, "invalid option -- 'x'"],
    [['--bogus'], EXIT.usage, "unrecognized option '--bogus'"],
    [['--dryrun=1'], EXIT.usage, "option '--dryrun' doesn't allow an argument"],
    [['-m'], EXIT.usage, "option requires an argument -- 'm'"],
    [['--prefer'], EXIT.usage, "option '--prefer' requires an argument"],
    [['--i'], EXIT.usage, 'is ambiguous'],
    [['extra'], EXIT.usage, "extra argument not understood: 'extra'"],
  ])('%j fails with exit %d', (args, exitCode, message) => {
    const result = failure(args);
    expect(result.exitCode).toBe(exitCode);
    expect(result.message).toContain(message);
  });

  it('points unknown options to --help', () => {
    expect(failure(['--bogus']).message).toContain("Try 'hostguard guard --help'");
  });

  it('recognises help and version', () => {
    expect(parseGuardOptions(['-h'], {}).action).toBe('help');
    expect(parseGuardOptions(['--help'], {}).action).toBe('help');
    expect(parseGuardOptions(['-v'], {}).action).toBe('version');
  });

  describe('environment', () => {
    const env = {
      OOM_GUARD_MEM_THRESHOLD: '20,8',
      OOM_GUARD_SWAP_THRESHOLD: '50',
      OOM_GUARD_PREFER: 'hog',
      OOM_GUARD_AVOID: 'sshd',
      OOM_GUARD_NOTIFY: 'yes',
      OOM_GUARD_DRY_RUN: '1',
    };

    it('applies OOM_GUARD_* variables', () => {
      const o = run([], env);
      expect(o.memPercent).toEqual({ term: 20, kill: 8 });
      expect(o.swapPercent).toEqual({ term: 50, kill: 25 });
      expect(o.prefer?.source).toBe('hog');
      expect(o.avoid?.source).toBe('sshd');
      expect(o.notify).toBe(true);
      expect(o.dryRun).toBe(true);
    });

    it('lets the command line win', () => {
      const o = run(['-m', '30', '-s', '40,20', '--prefer', 'cli', '--avoid', 'cli2'], env);
      expect(o.memPercent).toEqual({ term: 30, kill: 15 });
      expect(o.swapPercent).toEqual({ term: 40, kill: 20 });
      expect(o.prefer?.source).toBe('cli');
      expect(o.avoid?.source).toBe('cli2');
      // -M also overrides the memory variable.
      expect(run(['-M', '1000'], env).memPercentGiven).toBe(false);
    });

    it('reports bad values with the variable name and the flag exit code', () => {
      const mem = failure([], { OOM_GUARD_MEM_THRESHOLD: 'lots' });
      expect(mem.exitCode).toBe(EXIT.badMemThreshold);
      expect(mem.message).toMatch(/^OOM_GUARD_MEM_THRESHOLD: .*trailing garbage 'lots'/);
      expect(failure([], { OOM_GUARD_SWAP_THRESHOLD: '200' }).exitCode).toBe(EXIT.badSwapThreshold);
      expect(failure([], { OOM_GUARD_PREFER: '(' }).exitCode).toBe(EXIT.badRegex);
      const bool = failure([], { OOM_GUARD_DRY_RUN: 'maybe' });
      expect(bool.exitCode).toBe(EXIT.usage);
      expect(bool.message).toContain('OOM_GUARD_DRY_RUN');
    });
  });
});
