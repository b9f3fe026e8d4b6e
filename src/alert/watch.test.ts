import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { NewAlert } from './model.ts';
import { EndpointWatch, checkEndpoint } from './watch.ts';

let server: Server | undefined;
let status = 200;

async function listen(): Promise<string> {
  server = createServer((_request, response) => response.writeHead(status).end('ok'));
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server?.address() as AddressInfo).port}/health`;
}
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
  status = 200;
});

describe('checkEndpoint', () => {
  it('says up for 2xx, and names the status, the refusal or the timeout otherwise', async () => {
    const url = await listen();
    expect(await checkEndpoint(url, 2000)).toMatchObject({ ok: true, detail: 'HTTP 200' });
    status = 503;
    expect(await checkEndpoint(url, 2000)).toMatchObject({ ok: false, detail: 'HTTP 503' });
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
    expect(await checkEndpoint(url, 2000)).toMatchObject({ ok: false, detail: 'ECONNREFUSED' });
  });
});

describe('EndpointWatch', () => {
  it('fires SERVER_DOWN after the configured failures in a row, once, and resolves on the first good answer', async () => {
    const url = await listen();
    const raised: NewAlert[] = [];
    const resolved: string[] = [];
    const watch = new EndpointWatch({ name: 'web', url, intervalMs: 60_000, timeoutMs: 2000, failures: 2 }, { raise: (a) => raised.push(a), resolve: (k) => resolved.push(k) });
    await watch.check();
    status = 500;
    await watch.check();
    expect(raised).toEqual([]);
    await watch.check();
    await watch.check();
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ type: 'SERVER_DOWN', severity: 'critical', dedupKey: 'server-down:web', context: { url, detail: 'HTTP 500', failures: 2 } });
    status = 204;
    await watch.check();
    expect(resolved).toEqual(['server-down:web']);
  });
});
