// The guard's command line through the real executables: bin/oom-guard.js and bin/hostguard.js,
// started with the system's Node (older than 24 on these machines) to prove the launcher re-execs.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const OOM_GUARD = fileURLToPath(new URL('../../bin/oom-guard.js', import.meta.url));
const HOSTGUARD = fileURLToPath(new URL('../../bin/hostguard.js', import.meta.url));

function run(bin: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  // /usr/bin/env node as a user would: whatever Node is first on the system PATH.
  const result = spawnSync(bin, args, { encoding: 'utf8', env: { PATH: '/usr/local/bin:/usr/bin:/bin', ...env }, timeout: 20_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('oom-guard command line', () => {
  it('prints help with every earlyoom flag and exits 0', () => {
    const { code, stdout } = run(OOM_GUARD, ['--help']);
    expect(code).toBe(0);
    for (const flag of ['-m PERCENT', '-s PERCENT', '-M SIZE', '-S SIZE', '-n', '-N /PATH', '-P /PATH', '-g', '-d', '-v', '-r INTERVAL', '-p', '--ignore-root-user', '--sort-by-rss', '--prefer', '--avoid', '--ignore', '--dryrun', '--syslog', '--cgroup', '--psi', '--json', '--term-timeout']) {
      expect(stdout).toContain(flag);
    }
  });

  it('prints its version', () => {
    const { code, stdout } = run(OOM_GUARD, ['-v']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^hostguard guard \d+\.\d+\.\d+/);
  });

  it.each([
    [['-m', '100'], 15, 'fatal: -m: value 100.000000 exceeds limit 99'],
    [['-m', '0,0'], 15, 'fatal: -m: both SIGTERM and SIGKILL values are zero'],
    [['-M', 'x'], 15, "fatal: -M: trailing garbage 'x'"],
    [['-s', '101'], 16, 'fatal: -s: value 101.000000 exceeds limit 100'],
    [['-S', '5,y'], 16, "fatal: -S: trailing garbage 'y'"],
    [['-r', 'soon'], 14, "fatal: -r: invalid interval 'soon'"],
    [['--term-timeout', '-1'], 14, 'fatal: --term-timeout'],
    [['--prefer', '(x'], 6, "fatal: could not compile regexp '(x'"],
    [['--bogus'], 13, "Try 'hostguard guard --help'"],
    [['stray'], 13, "extra argument not understood: 'stray'"],
    [['--psi', '90,10'], 17, 'fatal: --psi'],
    [['--cgroup', '/no/such/cgroup'], 18, "fatal: --cgroup: '/no/such/cgroup' is not a memory cgroup"],
    [['--events-file', '/etc'], 13, 'fatal: --events-file /etc: cannot open for appending: EISDIR'],
  ])('%j exits %d', (args, exitCode, message) => {
    const { code, stderr } = run(OOM_GUARD, args);
    expect(code).toBe(exitCode);
    expect(stderr).toContain(message);
  });

  it('reports a bad environment variable by name', () => {
    const { code, stderr } = run(OOM_GUARD, [], { OOM_GUARD_MEM_THRESHOLD: 'plenty' });
    expect(code).toBe(15);
    expect(stderr).toContain("OOM_GUARD_MEM_THRESHOLD: -m (from environment): trailing garbage 'plenty'");
  });

  it('exits 1 with the file named when memory cannot be read', () => {
    const { code, stderr } = run(OOM_GUARD, ['--proc-root', '/nonexistent', '--dryrun']);
    expect(code).toBe(1);
    expect(stderr).toContain('/nonexistent/meminfo: cannot be read');
  });

  it('says its thresholds at start, reports memory like earlyoom, and stops cleanly on SIGTERM', async () => {
    const eventsFile = join(mkdtempSync(join(tmpdir(), 'hostguard-cli-')), 'events.jsonl');
    const child = spawn(OOM_GUARD, ['-r', '0.2', '--events-file', eventsFile], { env: { PATH: '/usr/local/bin:/usr/bin:/bin' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise((resolve) => setTimeout(resolve, 2000));
    child.kill('SIGTERM');
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(stderr).toContain('sending SIGTERM when mem avail <= 10.00% and swap free <= 10.00%,');
    expect(stderr).toContain('        SIGKILL when mem avail <=  5.00% and swap free <=  5.00%');
    expect(stderr).toContain('stopping: received SIGTERM');
    const reports = stdout.split('\n').filter(Boolean);
    expect(reports.length).toBeGreaterThanOrEqual(2);
    // --events-file got the start and the stop, not the reports
    const events = readFileSync(eventsFile, 'utf8').split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { type: string }).type);
    expect(events).toContain('start');
    expect(events.at(-1)).toBe('stop');
    expect(events).not.toContain('report');
    for (const line of reports) {
      expect(line).toMatch(/^mem avail: +\d+ of +\d+ MiB \( *\d+\.\d\d%\), swap free: +\d+ of +\d+ MiB \( *\d+\.\d\d%\)$/);
    }
  });

  it('hostguard guard is the same command', () => {
    const { code, stderr } = run(HOSTGUARD, ['guard', '-m', '100']);
    expect(code).toBe(15);
    expect(stderr).toContain('fatal: -m:');
  });

  it('runs from the TypeScript sources on a Node that strips types, starting the pinned Node 24 if need be', () => {
    const { code, stdout } = run(HOSTGUARD, ['--version'], { HOSTGUARD_FROM_SOURCE: '1' });
    expect(code).toBe(0);
    const [major = 0, minor = 0] = (/Node\.js v(\d+)\.(\d+)/.exec(stdout) ?? []).slice(1).map(Number);
    expect(major > 22 || (major === 22 && minor >= 18)).toBe(true);
  });

  it('runs the compiled dist/ on the system Node when it is current', () => {
    const system = spawnSync('node', ['-p', 'process.version'], { encoding: 'utf8', env: { PATH: '/usr/local/bin:/usr/bin:/bin' } }).stdout.trim();
    const { code, stdout } = run(HOSTGUARD, ['--version']);
    expect(code).toBe(0);
    expect(stdout).toBe(`hostguard ${JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version} (Node.js ${system})\n`);
  });

  it('hostguard names an unknown subcommand', () => {
    const { code, stderr } = run(HOSTGUARD, ['frobnicate']);
    expect(code).toBe(2);
    expect(stderr).toContain("unknown command 'frobnicate'");
  });
});
