// The HTTP server in this process on a real loopback socket, with routes made for the test: POST and
// DELETE with a validated JSON body (400 naming the field, 413 over 64 KiB), 405 naming the methods
// a path takes, CORS preflights per path, the token on mutating requests, the dashboard from a temp
// folder (index.html for client routes, cache headers, content types, no way out of the folder) and
// request lines at debug level only.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { LogLevel } from '../../src/log/logger.ts';
import { ApiServer, defaultRoutes } from '../../src/serve/http.ts';
import { apiError, defineRoute, json } from '../../src/serve/route.ts';
import type { SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import { memoryLogger, testApiDeps } from '../helpers/apiServer.ts';

const TOKEN = 'http-test-token-0123456789';
const dirs: string[] = [];
const servers: ApiServer[] = [];
const stores: SqliteStore[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hostguard-http-'));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  for (const store of stores.splice(0)) await store.close();
});
afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface Started {
  base: string;
  port: number;
  logLines: () => Array<{ level: string; msg: string; url?: string }>;
  acknowledged: Array<{ id: string; note: string; until?: number }>;
}

// A server with the daemon's routes plus two that change things, as the alerts API will.
async function start(options: { token?: string; cors?: string[]; webDir?: string; logLevel?: LogLevel } = {}): Promise<Started> {
  const dir = tempDir();
  const deps = testApiDeps(dir, options);
  stores.push(deps.store);
  const { log, records } = memoryLogger<{ level: string; msg: string; url?: string }>(options.logLevel);
  const acknowledged: Started['acknowledged'] = [];
  const routes = [
    ...defaultRoutes(deps),
    defineRoute({
      method: 'POST',
      path: '/api/v1/test-items/{id}/acknowledge',
      tag: 'alerts',
      summary: 'test: acknowledge',
      body: z.strictObject({ note: z.string().max(200), until: z.number().int().positive().optional() }),
      responses: { 200: 'acknowledged' },
      handle: ({ params, body }) => {
        acknowledged.push({ id: params['id'] ?? '', ...body });
        return json(200, { acknowledged: params['id'] });
      },
    }),
    defineRoute({ method: 'DELETE', path: '/api/v1/test-items/{id}', tag: 'alerts', summary: 'test: delete', responses: { 204: 'gone' }, handle: ({ params }) => (params['id'] === 'missing' ? apiError(404, 'no such alert') : json(200, { deleted: params['id'] })) }),
    defineRoute({ path: '/api/v1/test-items/{id}', tag: 'alerts', summary: 'test: one alert', responses: { 200: 'the alert' }, handle: ({ params }) => json(200, { id: params['id'] }) }),
  ];
  const server = new ApiServer(deps, { log, routes });
  servers.push(server);
  const address = await server.listen();
  return { base: `http://127.0.0.1:${address.port}`, port: address.port, logLines: records, acknowledged };
}

async function call(url: string, init: RequestInit = {}): Promise<{ status: number; body: { error?: { status: number; message: string; field?: string; parameter?: string } } & Record<string, unknown>; headers: Headers }> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, never>), headers: response.headers };
}

const post = (body: string, type = 'application/json', extra: Record<string, string> = {}): RequestInit => ({ method: 'POST', body, headers: { 'Content-Type': type, ...extra } });

// A request with the path exactly as written (fetch would normalize "..").
function rawGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path, method: 'GET' }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('HTTP server: methods and bodies', () => {
  it('passes a valid JSON body to a POST route, and answers a bad one with 400 naming the field', async () => {
    const server = await start();
    const url = `${server.base}/api/v1/test-items/a-17/acknowledge`;
    const ok = await call(url, post(JSON.stringify({ note: 'on it', until: 5 })));
    expect(ok).toMatchObject({ status: 200, body: { acknowledged: 'a-17' } });
    expect(server.acknowledged).toEqual([{ id: 'a-17', note: 'on it', until: 5 }]);
    const wrongType = await call(url, post(JSON.stringify({ note: 7 })));
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error).toMatchObject({ field: 'note', message: expect.stringMatching(/^note: .*string/) });
    const unknown = await call(url, post(JSON.stringify({ note: 'x', notes: 'y' })));
    expect(unknown.body.error).toMatchObject({ status: 400, field: 'notes', message: "unknown field 'notes'; the body takes note, until" });
    const missing = await call(url, { method: 'POST' });
    expect(missing.body.error).toMatchObject({ status: 400, message: expect.stringContaining('a JSON body is required') });
    const broken = await call(url, post('{"note": '));
    expect(broken.body.error).toMatchObject({ status: 400, message: expect.stringMatching(/^body: not valid JSON/) });
    const text = await call(url, post('note', 'text/plain'));
    expect(text.status).toBe(415);
    expect(text.body.error?.message).toContain('Content-Type: application/json');
    expect(server.acknowledged).toHaveLength(1);
  });

  it('refuses a JSON body over 64 KiB with 413, and takes one just under', async () => {
    const server = await start();
    const url = `${server.base}/api/v1/test-items/a-1/acknowledge`;
    const big = await call(url, post(JSON.stringify({ note: 'x'.repeat(65_536) })));
    expect(big.status).toBe(413);
    expect(big.body.error?.message).toBe('the request body is larger than 65536 bytes');
    // under the limit, the schema (note at most 200 characters) decides
    const under = await call(url, post(JSON.stringify({ note: 'x'.repeat(60_000) })));
    expect(under.status).toBe(400);
    expect(under.body.error?.field).toBe('note');
  });

  it('answers 405 with the methods a path takes, a body on a GET route with 400, DELETE where declared', async () => {
    const server = await start();
    const put = await call(`${server.base}/api/v1/test-items/a-1`, { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('DELETE, GET, HEAD');
    expect(put.body.error?.message).toBe('method PUT is not allowed on /api/v1/test-items/{id}; it takes DELETE, GET, HEAD');
    expect(put.body.error?.message).not.toContain('read-only');
    const getAck = await call(`${server.base}/api/v1/test-items/a-1/acknowledge`);
    expect(getAck).toMatchObject({ status: 405, body: { error: { message: expect.stringContaining('it takes POST') } } });
    expect((await call(`${server.base}/api/v1/test-items/a-1`, { method: 'DELETE' })).body).toEqual({ deleted: 'a-1' });
    expect((await call(`${server.base}/api/v1/test-items/missing`, { method: 'DELETE' })).status).toBe(404);
    // the router's own refusals, in the API's error shape
    expect((await call(`${server.base}/api/v1/test-items/${'x'.repeat(300)}`)).body).toEqual({ error: { status: 414, message: 'a path parameter is longer than 200 characters' } });
    expect((await call(`${server.base}/api/v1/test-items/%E0%A4%A`)).body).toEqual({ error: { status: 400, message: 'the path is not valid percent-encoding' } });
    const withBody = await call(`${server.base}/api/v1/test-items/a-1`, { method: 'DELETE', body: '{}', headers: { 'Content-Type': 'application/json' } });
    expect(withBody.body.error).toMatchObject({ status: 400, message: 'this endpoint takes no request body' });
    // the OpenAPI document has each method of a path, and the body schema
    const document = (await call(`${server.base}/api/v1/openapi.json`)).body as unknown as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { required?: string[] } }> } }>> };
    expect(Object.keys(document.paths['/api/v1/test-items/{id}'] ?? {}).sort()).toEqual(['delete', 'get']);
    expect(document.paths['/api/v1/test-items/{id}/acknowledge']?.['post']?.requestBody?.content['application/json']?.schema.required).toEqual(['note']);
  });

  it('answers a CORS preflight with the methods of that path, and needs the token for changes', async () => {
    const server = await start({ token: TOKEN, cors: ['https://dash.example'] });
    const preflight = await fetch(`${server.base}/api/v1/test-items/a-1/acknowledge`, { method: 'OPTIONS', headers: { Origin: 'https://dash.example', 'Access-Control-Request-Method': 'POST' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toBe('POST');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('Authorization, Content-Type');
    const url = `${server.base}/api/v1/test-items/a-1/acknowledge`;
    const anonymous = await call(url, post('{"note":"x"}'));
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="hostguard"');
    // even on a path that is not the API's: a change always needs the token
    expect((await call(`${server.base}/somewhere`, { method: 'POST' })).status).toBe(401);
    expect(server.acknowledged).toEqual([]);
    expect((await call(url, post('{"note":"x"}', 'application/json', { Authorization: `Bearer ${TOKEN}` }))).status).toBe(200);
  });
});

describe('HTTP server: the dashboard', () => {
  function dashboardDir(): string {
    const dir = tempDir();
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>hostguard</title><script src="/assets/index-4f1c2a9b.js"></script>');
    writeFileSync(join(dir, 'assets', 'index-4f1c2a9b.js'), 'console.log("dashboard");\n');
    writeFileSync(join(dir, 'assets', 'index-77aa01.css'), 'body { margin: 0 }\n');
    writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    // beside the folder: what a traversal would try to read
    writeFileSync(join(dir, '..', `${dir.split('/').at(-1)}-secret.txt`), 'TOP-SECRET-CONTENT');
    return dir;
  }

  it('serves index.html at / and for client-side routes, hashed assets with a long cache, and the right types', async () => {
    const server = await start({ webDir: dashboardDir(), token: TOKEN });
    for (const path of ['/', '/anomalies/mem-1', '/history?range=1h']) {
      const page = await fetch(`${server.base}${path}`);
      expect(page.status, path).toBe(200);
      expect(page.headers.get('content-type'), path).toBe('text/html; charset=utf-8');
      expect(page.headers.get('cache-control'), path).toBe('no-cache');
      expect(await page.text(), path).toContain('<title>hostguard</title>');
    }
    const script = await fetch(`${server.base}/assets/index-4f1c2a9b.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await script.text()).toBe('console.log("dashboard");\n');
    expect((await fetch(`${server.base}/assets/index-77aa01.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await fetch(`${server.base}/favicon.svg`)).headers.get('content-type')).toBe('image/svg+xml');
    // the page loads without the token; the API still asks for it
    expect((await call(`${server.base}/api/v1/openapi.json`)).status).toBe(401);
    const etag = script.headers.get('etag') ?? '';
    expect((await fetch(`${server.base}/assets/index-4f1c2a9b.js`, { headers: { 'If-None-Match': etag } })).status).toBe(304);
    const head = await fetch(`${server.base}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(50);
  });

  it('answers 404 for a missing asset and unknown /api paths, and never reads outside the folder', async () => {
    const dir = dashboardDir();
    const server = await start({ webDir: dir });
    const asset = await call(`${server.base}/assets/index-00000000.js`);
    expect(asset.status).toBe(404);
    expect((await call(`${server.base}/missing.js`)).status).toBe(404);
    const api = await call(`${server.base}/api/v9/anything`);
    expect(api).toMatchObject({ status: 404, body: { error: { message: expect.stringContaining('no endpoint /api/v9/anything') } } });
    const secret = `${dir.split('/').at(-1)}-secret.txt`;
    for (const path of [`/../${secret}`, `/%2e%2e/${secret}`, `/assets/..%2f..%2f${secret}`, `/..%5c${secret}`, '/%00', '/.hidden', '/assets/%E0%A4%A']) {
      const answer = await rawGet(server.port, path);
      expect(answer.body, path).not.toContain('TOP-SECRET-CONTENT');
      expect([200, 400, 404], path).toContain(answer.status);
    }
    expect((await call(`${server.base}/`, { method: 'POST' })).status).toBe(405);
  });

  it('says how to build the dashboard when the folder has no index.html', async () => {
    const server = await start({ webDir: join(tempDir(), 'web', 'dist') });
    const page = await fetch(`${server.base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const text = await page.text();
    expect(text).toContain('The web dashboard is not built');
    expect(text).toContain('npm run build:web');
  });
});

describe('HTTP server: request log', () => {
  it('logs each request at debug level, and none at info', async () => {
    const quiet = await start({ logLevel: 'info' });
    await fetch(`${quiet.base}/api/v1/system/info`);
    expect(quiet.logLines().filter((l) => l.msg === 'request')).toEqual([]);
    const chatty = await start({ logLevel: 'debug' });
    await fetch(`${chatty.base}/api/v1/system/info`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(chatty.logLines().filter((l) => l.msg === 'request')).toEqual([expect.objectContaining({ level: 'debug', url: '/api/v1/system/info', statusCode: 200, method: 'GET' })]);
  });
});
