// A real `hostguard serve` with the dashboard folder and the log settings from each layer: --web-dir
// and --log-level debug on the command line (over HOSTGUARD_WEB_DIR), HOSTGUARD_WEB_DIR and
// --log-format pretty, [api] web_dir and [log] format in the file, and a bad level named with its source.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanUp, eventually, logRecords, runServe, startDaemon, tempDir } from './serveDaemon.ts';

afterAll(cleanUp);

function dashboard(title: string): string {
  const dir = tempDir();
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), `<!doctype html><title>${title}</title>`);
  writeFileSync(join(dir, 'assets', 'app-0a1b2c3d.js'), 'export {};\n');
  return dir;
}

describe('hostguard serve: dashboard folder and log settings', () => {
  it('serves --web-dir at / and logs each request at --log-level debug', async () => {
    const daemon = await startDaemon({ fixtureProc: true, args: ['--web-dir', dashboard('from the flag'), '--log-level', 'debug'], env: { HOSTGUARD_WEB_DIR: dashboard('from the environment') } });
    const page = await fetch(`${daemon.baseUrl}/anomalies`);
    expect(await page.text()).toContain('<title>from the flag</title>');
    expect((await fetch(`${daemon.baseUrl}/assets/app-0a1b2c3d.js`)).headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const line = await eventually('the request line', async () => logRecords(daemon.output()).find((r) => r.msg === 'request' && r['url'] === '/anomalies'));
    expect(line).toMatchObject({ level: 'debug', method: 'GET', statusCode: 200 });
  });

  it('takes HOSTGUARD_WEB_DIR and --log-format pretty, logging no requests at the default level', async () => {
    const daemon = await startDaemon({ fixtureProc: true, args: ['--log-format', 'pretty'], env: { HOSTGUARD_WEB_DIR: dashboard('from the environment') } });
    expect(await (await fetch(`${daemon.baseUrl}/`)).text()).toContain('<title>from the environment</title>');
    expect(daemon.output()).toMatch(/^\S+Z INFO {2}hostguard serve \S+: config .*listening on http:\/\/127\.0\.0\.1:\d+ .* url=http:\/\/127\.0\.0\.1:\d+/m);
    expect(logRecords(daemon.output())).toEqual([]);
    expect(daemon.output()).not.toMatch(/ request method=/);
  });

  it('takes [api] web_dir and [log] from the file, and names a bad level with its source', async () => {
    const dir = dashboard('from the file');
    const daemon = await startDaemon({ fixtureProc: true, config: `[api]\nweb_dir = "${dir}"\n[log]\nformat = "pretty"\n` });
    expect(await (await fetch(`${daemon.baseUrl}/`)).text()).toContain('<title>from the file</title>');
    expect(daemon.output()).toMatch(/^\S+Z INFO {2}hostguard serve /m);
    const bad = await runServe(['--check'], { env: { HOSTGUARD_LOG_LEVEL: 'verbose' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('environment HOSTGUARD_LOG_LEVEL: log.level: ');
    expect(bad.stderr).toContain('"debug"');
  });
});
