// `hostguard serve` starting and stopping: SIGTERM/SIGINT end it with 0 within 2 s after flushing
// the store; bad configuration is reported key by key and the daemon refuses to start; with no
// arguments it runs from a fresh directory, keeping its data under ./data/.
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { cleanUp, eventually, FAST_SAMPLING, fixtureArgs, getJson, logRecords, MAIN, runServe, startDaemon, tempDir } from './serveDaemon.ts';

afterAll(cleanUp);

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

describe('hostguard serve lifecycle', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`stops on ${signal}: sampling ends, writes are flushed, the store closed, exit 0 within 2 s`, async () => {
      const daemon = await startDaemon({ config: FAST_SAMPLING, fixtureProc: true });
      // a WebSocket client and a few snapshots in flight when the signal comes
      await eventually('three snapshots', async () => {
        const status = (await getJson(`${daemon.baseUrl}/api/v1/monitoring/status`)).body as { sampler: { collections: number } };
        return status.sampler.collections >= 3 ? true : undefined;
      });
      // a WebSocket client open at the signal (and fetch's keep-alive connections from the polling above)
      const ws = new WebSocket(`ws://127.0.0.1:${daemon.port}/ws`);
      await new Promise((resolve, reject) => {
        ws.once('message', resolve);
        ws.once('error', reject);
      });
      ws.on('error', () => undefined);
      const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
      const sentAt = performance.now();
      process.kill(daemon.pid, signal);
      const exit = await daemon.exited();
      const tookMs = performance.now() - sentAt;
      expect(exit).toEqual({ code: 0, signal: null });
      expect(tookMs).toBeLessThan(2000);
      // told the server is going away (1001), or cut off if the close handshake did not finish
      expect([1001, 1006]).toContain(await closed);
      const records = logRecords(daemon.output());
      expect(records.slice(-2).map((r) => [r.level, r.msg])).toEqual([['info', `${signal}: stopping`], ['info', 'stopped: every snapshot written, store closed']]);
    });
  }

  it('stops cleanly on a SIGTERM that comes while it starts, before it listens', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, [MAIN, 'serve', '--listen', '127.0.0.1:0', ...fixtureArgs(dir)], { cwd: dir, env: { ...process.env, HOSTGUARD_TRACE_MODE: 'off' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let output = '';
    let signalled = false;
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      // at the first line: the store is not open yet and nothing listens
      if (!signalled && output.includes(' starting: ') && child.pid !== undefined) {
        signalled = true;
        process.kill(child.pid, 'SIGTERM');
      }
    });
    const exit = await new Promise<string>((resolve) => child.once('close', (code, signal) => resolve(`code ${code} signal ${signal}`)));
    expect(signalled, output).toBe(true);
    expect(exit, output).toBe('code 0 signal null');
    const messages = logRecords(output).map((r) => r.msg);
    expect(messages.slice(-2), output).toEqual(['SIGTERM: stopping', 'stopped: every snapshot written, store closed']);
  });

  it('reports every bad key of the file and the environment with its source, and does not start', async () => {
    const dir = tempDir();
    const file = join(dir, 'bad.toml');
    writeFileSync(file, '[api]\nlisten = "127.0.0.1:80800"\nmax_point = 10\n[sampler.idle]\ninterval = "30 sec"\n');
    const result = await runServe(['--config', file], { env: { HOSTGUARD_RETENTION_RAW: 'a week', HOSTGUARD_TOKEN: 'short' } });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toBe('hostguard serve: the configuration has errors; not starting.');
    expect(lines.slice(1).sort()).toEqual(
      [
        `${file}: api.listen: '127.0.0.1:80800' is not HOST:PORT such as "127.0.0.1:8080", "[::1]:8080" or "localhost:8080" (port 0 to 65535)`,
        `${file}: api.max_point: unknown key`,
        `${file}: sampler.idle.interval: '30 sec' is not a duration such as "500ms", "30s", "5m" or "1h"`,
        `environment HOSTGUARD_RETENTION_RAW: retention.raw: 'a week' is not a retention period such as "7d", "36h" or "90m"`,
        'environment HOSTGUARD_TOKEN: api.token: a token of 5 characters is too easy to guess; use at least 16',
      ].sort(),
    );
  });

  it('names a missing --config file, a TOML syntax error with its line, and an unknown flag', async () => {
    const missing = await runServe(['--config', '/nonexistent/hostguard.toml']);
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining('/nonexistent/hostguard.toml: cannot be read (ENOENT)') });
    const dir = tempDir();
    writeFileSync(join(dir, 'hostguard.toml'), '[api]\nlisten = 127.0.0.1:8080\n');
    // found by the default search in the working directory
    const syntax = await runServe([], { cwd: dir });
    expect(syntax).toMatchObject({ code: 2, stderr: expect.stringMatching(/\nhostguard\.toml:2:\d+: /) });
    const flag = await runServe(['--lisen', '127.0.0.1:1']);
    expect(flag).toMatchObject({ code: 2, stderr: expect.stringContaining("'--lisen'") });
  });

  it('names the store it would use, never printing a PostgreSQL password', async () => {
    const result = await runServe(['--check', '--db', 'postgres://hostguard:s3cret@127.0.0.1:1/history']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('store postgres postgres://hostguard:***@127.0.0.1:1/history');
    expect(result.stdout + result.stderr).not.toContain('s3cret');
  });

  it('says when the address is taken', async () => {
    const first = await startDaemon({ config: FAST_SAMPLING, fixtureProc: true });
    const second = await runServe(['--listen', `127.0.0.1:${first.port}`]);
    expect(second.code).toBe(1);
    expect(logRecords(second.stderr).at(-1)).toMatchObject({ level: 'fatal', msg: `cannot listen on 127.0.0.1:${first.port}: EADDRINUSE` });
  });

  it('runs with no arguments from a fresh directory on 127.0.0.1:8080, keeping its data under ./data/', async (context) => {
    if (!(await portFree(8080))) {
      context.skip('127.0.0.1:8080 is in use on this machine; the defaults cannot be tried here');
      return;
    }
    const daemon = await startDaemon({ listenDefault: true });
    expect(daemon.baseUrl).toBe('http://127.0.0.1:8080');
    expect((await getJson(`${daemon.baseUrl}/health`)).status).toBe(200);
    expect(existsSync(join(daemon.dir, 'data', 'hostguard.db'))).toBe(true);
    process.kill(daemon.pid, 'SIGTERM');
    expect((await daemon.exited()).code).toBe(0);
  });
});
