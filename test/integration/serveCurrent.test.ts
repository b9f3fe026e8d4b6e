// GET /api/v1/metrics/current on a real loopback socket, in both ways it is answered: by node:http
// before fastify (no token, no CORS, log above debug) and by the fastify route (a token, CORS or the
// debug log): the same body, headers, ETag and 304, HEAD, the count in hostguard_http_requests_total.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { MetricsSnapshot, SystemInfo } from '../../src/collect/types.ts';
import type { LogLevel } from '../../src/log/logger.ts';
import { ApiServer } from '../../src/serve/http.ts';
import type { LiveHub } from '../../src/serve/hub.ts';
import type { SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import { memoryLogger, testApiDeps } from '../helpers/apiServer.ts';

const TOKEN = 'current-test-token-0123456789';
const PATH = '/api/v1/metrics/current';
const dirs: string[] = [];
const servers: ApiServer[] = [];
const stores: SqliteStore[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  for (const store of stores.splice(0)) await store.close();
});
afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface Started {
  url: string;
  hub: LiveHub;
  logLines: () => Array<{ msg: string; url?: string; statusCode?: number }>;
  // "METHOD url" of each request fastify saw (the ones node:http answered first are not here)
  seenByFastify: string[];
}

async function start(options: { token?: string; cors?: string[]; logLevel?: LogLevel } = {}): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), 'hostguard-current-'));
  dirs.push(dir);
  const deps = testApiDeps(dir, { ...options, runtimeSeries: false });
  const { hub, store } = deps;
  stores.push(store);
  const logger = memoryLogger<{ msg: string; url?: string; statusCode?: number }>(options.logLevel);
  const server = new ApiServer(deps, { log: logger.log });
  servers.push(server);
  const seenByFastify: string[] = [];
  server.app.addHook('onRequest', (request, _reply, done) => {
    seenByFastify.push(`${request.method} ${request.url}`);
    done();
  });
  const address = await server.listen();
  return { url: `http://127.0.0.1:${address.port}${PATH}`, hub, logLines: logger.records, seenByFastify };
}

function snapshot(timestampMs: number, hostname: string): MetricsSnapshot {
  return { timestamp: new Date(timestampMs).toISOString(), timestampMs, intervalSeconds: 2, system: { hostname } as SystemInfo };
}

// hostguard_http_requests_total of this route and code, as /metrics reads it
function counted(server: Started, code: number): number | undefined {
  return server.hub.status.httpRequestsTotal.get(`${PATH} ${code}`);
}

// The same checks for each way of answering; auth: the headers every request carries.
async function expectCurrentContract(server: Started, auth: Record<string, string>): Promise<void> {
  expect((await fetch(server.url, { headers: auth })).status).toBe(503);
  server.hub.publishSnapshot({ snapshot: snapshot(Date.UTC(2026, 10, 23, 9, 38, 33, 634), 'first-host') });
  const first = await fetch(server.url, { headers: auth });
  expect(first.status).toBe(200);
  expect(first.headers.get('content-type')).toBe('application/json');
  expect(first.headers.get('cache-control')).toBe('no-store');
  expect(first.headers.get('last-modified')).toBe('Mon, 23 Nov 2026 09:38:33 GMT');
  const etag = first.headers.get('etag') ?? '';
  expect(etag).toMatch(/^"[\w-]{27}"$/);
  const body = await first.text();
  expect(Number(first.headers.get('content-length'))).toBe(Buffer.byteLength(body));
  expect((JSON.parse(body) as MetricsSnapshot).system?.hostname).toBe('first-host');

  // If-None-Match: the current tag (alone, weak, in a list, or *) gets 304 without a body; another tag the body
  for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
    const same = await fetch(server.url, { headers: { ...auth, 'If-None-Match': ifNoneMatch } });
    expect(same.status, ifNoneMatch).toBe(304);
    expect(same.headers.get('etag')).toBe(etag);
    expect(await same.text()).toBe('');
  }
  expect((await fetch(server.url, { headers: { ...auth, 'If-None-Match': '"other"' } })).status).toBe(200);
  const head = await fetch(server.url, { method: 'HEAD', headers: auth });
  expect(head.status).toBe(200);
  expect(Number(head.headers.get('content-length'))).toBe(Buffer.byteLength(body));
  expect(head.headers.get('etag')).toBe(etag);

  // a new snapshot: a new body and tag, and the old tag no longer matches
  server.hub.publishSnapshot({ snapshot: snapshot(Date.UTC(2026, 10, 23, 9, 38, 35, 640), 'second-host') });
  const second = await fetch(server.url, { headers: { ...auth, 'If-None-Match': etag } });
  expect(second.status).toBe(200);
  expect(second.headers.get('etag')).not.toBe(etag);
  expect(second.headers.get('last-modified')).toBe('Mon, 23 Nov 2026 09:38:35 GMT');
  expect(((await second.json()) as MetricsSnapshot).system?.hostname).toBe('second-host');

  // parameters and other methods still get the API's errors
  expect((await fetch(`${server.url}?pretty=1`, { headers: auth })).status).toBe(400);
  const post = await fetch(server.url, { method: 'POST', headers: auth });
  expect(post.status).toBe(405);
  expect(post.headers.get('allow')).toBe('GET, HEAD');
  expect([200, 304, 400, 405, 503].map((code) => counted(server, code))).toEqual([4, 4, 1, 1, 1]);
}

describe('GET /api/v1/metrics/current', () => {
  it('answers from node:http before fastify when nothing is to be checked or logged', async () => {
    const server = await start();
    await expectCurrentContract(server, {});
    // fastify saw only what node:http left to it: before the first snapshot, a parameter, a POST
    expect(server.seenByFastify).toEqual([`GET ${PATH}`, `GET ${PATH}?pretty=1`, `POST ${PATH}`]);
    expect((await fetch(server.url, { method: 'OPTIONS' })).status).toBe(405);
    expect(server.logLines().filter((l) => l.msg === 'request')).toEqual([]);
    // the OpenAPI document says so too: a 304 without a body
    const document = (await (await fetch(server.url.replace(PATH, '/api/v1/openapi.json'))).json()) as { paths: Record<string, { get: { responses: Record<string, object> } }> };
    expect(document.paths[PATH]?.get.responses['304']).toEqual({ description: 'not modified: If-None-Match named the current ETag' });
  });

  it('answers the same through fastify when a token is set, and refuses a request without it', async () => {
    const server = await start({ token: TOKEN });
    const auth = { Authorization: `Bearer ${TOKEN}` };
    await expectCurrentContract(server, auth);
    expect(server.seenByFastify).toHaveLength(11);
    const refused = await fetch(server.url);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="hostguard"');
  });

  it('answers the same through fastify with CORS on, with the CORS header', async () => {
    const server = await start({ cors: ['https://dash.example'] });
    await expectCurrentContract(server, { Origin: 'https://dash.example' });
    expect((await fetch(server.url, { headers: { Origin: 'https://dash.example' } })).headers.get('access-control-allow-origin')).toBe('https://dash.example');
  });

  it('logs every request at debug level, this one included', async () => {
    const server = await start({ logLevel: 'debug' });
    await expectCurrentContract(server, {});
    const lines = server.logLines().filter((l) => l.msg === 'request' && l.url === PATH);
    expect(lines.map((l) => l.statusCode)).toEqual([503, 200, 304, 304, 304, 304, 200, 200, 200, 405]);
  });
});
