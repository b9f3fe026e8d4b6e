// Access control of `hostguard serve`: the token on REST, /metrics and WebSocket, the refusal to
// listen beyond loopback without one, and CORS (off unless origins are configured). Traffic goes to
// loopback only: the token path uses 127.0.0.2, a second loopback address.
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { cleanUp, FAST_SAMPLING, getJson, runServe, startDaemon } from './serveDaemon.ts';

const TOKEN = 'test-token-0123456789abcdef';
afterAll(cleanUp);

function upgradeStatus(url: string, options: WebSocket.ClientOptions = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, options);
    ws.once('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', () => undefined);
  });
}

describe('hostguard serve access control', () => {
  it('with a token, refuses REST, /metrics and WebSocket requests without it or with a wrong one', async () => {
    const daemon = await startDaemon({ config: FAST_SAMPLING, fixtureProc: true, listen: '127.0.0.2:0', env: { HOSTGUARD_TOKEN: TOKEN } });
    expect(daemon.host).toBe('127.0.0.2');
    for (const path of ['/health', '/api/v1/metrics/current', '/metrics', '/api/v1/openapi.json']) {
      const missing = await getJson(`${daemon.baseUrl}${path}`);
      expect(missing.status, path).toBe(401);
      expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="hostguard"');
      expect((await fetch(`${daemon.baseUrl}${path}`, { headers: { Authorization: 'Bearer wrong-token-0123456789' } })).status, path).toBe(401);
      expect((await fetch(`${daemon.baseUrl}${path}`, { headers: { Authorization: `Bearer ${TOKEN}` } })).status, path).not.toBe(401);
    }
    // the query-string token is for WebSocket only
    expect((await fetch(`${daemon.baseUrl}/health?token=${TOKEN}`)).status).toBe(401);
    const ws = `ws://127.0.0.2:${daemon.port}/ws`;
    expect(await upgradeStatus(ws)).toBe(401);
    expect(await upgradeStatus(`${ws}?token=wrong`)).toBe(401);
    expect(await upgradeStatus(`${ws}?token=${TOKEN}`)).toBe(101);
    expect(await upgradeStatus(ws, { headers: { Authorization: `Bearer ${TOKEN}` } })).toBe(101);
  });

  it('refuses to start on a non-loopback address without a token, naming the flag (without binding it)', async () => {
    for (const listen of ['0.0.0.0:18080', '[::]:18080', '192.0.2.10:18080', 'example.org:18080']) {
      const result = await runServe(['--listen', listen, '--check']);
      expect(result.code, listen).toBe(2);
      expect(result.stderr).toMatch(/^hostguard serve: the configuration has errors; not starting\.\n--listen: api\.listen: \S+ is not a loopback address: set api\.token \(or HOSTGUARD_TOKEN\) to listen there, or listen on 127\.0\.0\.1\n$/);
      expect(result.stdout).toBe('');
    }
    // the same refusal without --check: it stops before opening the store or a socket
    const started = await runServe(['--listen', '0.0.0.0:18080']);
    expect(started.code).toBe(2);
    expect(started.stdout).not.toContain('listening');
    // with a token the configuration is accepted (checked only: no public socket is opened here)
    const accepted = await runServe(['--listen', '0.0.0.0:18080', '--check'], { env: { HOSTGUARD_TOKEN: TOKEN } });
    expect(accepted).toMatchObject({ code: 0, stdout: expect.stringContaining('listen 0.0.0.0:18080; store sqlite ./data/hostguard.db; token set') });
  });

  it('refuses a --proc-root that does not exist, naming it, before reading the configuration', async () => {
    const result = await runServe(['--proc-root', '/nonexistent-proc', '--check']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("hostguard serve: --proc-root '/nonexistent-proc' does not exist. See 'hostguard serve --help'.\n");
    expect(result.stdout).toBe('');
  });

  it('sends no CORS headers by default, and only to configured origins otherwise', async () => {
    const plain = await startDaemon({ config: FAST_SAMPLING, fixtureProc: true });
    const response = await fetch(`${plain.baseUrl}/health`, { headers: { Origin: 'https://dash.example' } });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect((await fetch(`${plain.baseUrl}/health`, { method: 'OPTIONS', headers: { Origin: 'https://dash.example' } })).status).toBe(405);

    const cors = await startDaemon({ config: `${FAST_SAMPLING}\n[api]\ncors_origins = ["https://dash.example"]\n`, fixtureProc: true });
    const allowed = await fetch(`${cors.baseUrl}/health`, { headers: { Origin: 'https://dash.example' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://dash.example');
    expect(allowed.headers.get('vary')).toBe('Origin');
    const other = await fetch(`${cors.baseUrl}/health`, { headers: { Origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${cors.baseUrl}/api/v1/metrics/current`, { method: 'OPTIONS', headers: { Origin: 'https://dash.example', 'Access-Control-Request-Method': 'GET' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toBe('Authorization, Content-Type');
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET, HEAD');
  });
});
