// The graduated response's command line through the real CLI: help, errors with exit code 19, a
// --config file, and the startup notices that say what it will do.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, GuardProcess } from '../helpers/guardProcess.ts';

const dir = mkdtempSync(join(tmpdir(), 'hg-grad-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]) {
  const result = spawnSync(process.execPath, [CLI, 'guard', ...args], { encoding: 'utf8', timeout: 20_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('hostguard guard --graduated command line', () => {
  it('lists the graduated and protector options in --help', () => {
    const { code, stdout } = run(['--help']);
    expect(code).toBe(0);
    for (const flag of ['--graduated', '--policy NAME', '--levels W,C,E', '--max-memory MIB', '--check-interval', '--max-pause', '--min-duty', '--throttle REGEX', '--throttle-cgroup', '--release-signal', '--ledger', '--protect MODE', '--protected LIST', '--config FILE', '19 bad graduated']) {
      expect(stdout).toContain(flag);
    }
  });

  it('exits 19 naming the flag, or the file and key, that is wrong', () => {
    expect(run(['--graduated', '--levels', '90,80,70'])).toMatchObject({ code: 19, stderr: 'fatal: command line: levels 90,80,70: need 0 < WARNING < CRITICAL < EMERGENCY < 100\n' });
    expect(run(['--graduated', '--policy', 'fair'])).toMatchObject({ code: 19, stderr: "fatal: --policy: invalid policy 'fair': expected leader-first, tiered, table\n" });
    expect(run(['--min-duty', 'x'])).toMatchObject({ code: 19, stderr: "fatal: --min-duty: invalid duty 'x': expected a percentage\n" });
    const config = join(dir, 'bad.toml');
    writeFileSync(config, '[memory]\nenabled = true\nemergency_percent = "high"\n');
    expect(run(['--config', config])).toMatchObject({ code: 19, stderr: `fatal: ${config}: [memory] emergency_percent = "high": Invalid input: expected number, received string\n` });
    expect(run(['--config', join(dir, 'absent.toml')])).toMatchObject({ code: 19, stderr: `fatal: ${join(dir, 'absent.toml')}: cannot be read (ENOENT)\n` });
  });

  it('says at start what it will do, with settings from --config and flags', async () => {
    const config = join(dir, 'good.toml');
    writeFileSync(config, `[memory]\nenabled = true\npolicy = "table"\nwarning_percent = 50\nledger = "${join(dir, 'ledger.json')}"\n`);
    // A dry run on the captured /proc: nothing on this machine can be touched.
    const guard = new GuardProcess(['--config', config, '--levels', '55,70,80', '--dryrun', '--proc-root', join(import.meta.dirname, '../fixtures/proc'), '-r', '0']);
    try {
      await guard.waitFor((e) => e.type === 'start');
      const notices = guard.events.filter((e) => e.type === 'notice').map((e) => String(e.message));
      expect(notices).toContainEqual(expect.stringMatching(/^graduated response: WARNING 55 %, CRITICAL 70 %, EMERGENCY 80 % of \d+ MiB \(75 % of MemTotal\), hysteresis 5 %$/));
      expect(notices).toContainEqual(expect.stringMatching(/slows the top 3 memory growers; throttle 50 then 25 % run time.*; policy table;/));
    } finally {
      await guard.stop();
    }
  });
});
