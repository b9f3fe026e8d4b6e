// The HTTP server: routing, the token check, CORS, validated query parameters, JSON answers; /ws
// upgrades go to the WebSocket hub. Everything a request needs is in memory or behind the Store.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { formatListenAddress, isLoopback } from './address.ts';
import { TokenCheck } from './auth.ts';
import { EXPOSITION_CONTENT_TYPE } from './exposition.ts';
import { openApiDocument } from './openapi.ts';
import { queryObject } from './params.ts';
import { apiError, type ApiDeps, defineRoute, type Reply, type Route } from './route.ts';
import { buildRoutes } from './routes.ts';
import { HistoryQueryError } from '../store/history.ts';
import { WebSocketHub } from './websocket.ts';

interface Match {
  route: Route;
  params: Record<string, string>;
}

const JSON_TYPE = 'application/json; charset=utf-8';

export class ApiServer {
  private readonly deps: ApiDeps;
  private readonly server: Server;
  private readonly token: TokenCheck;
  private readonly websocket: WebSocketHub;
  private readonly exact = new Map<string, Route>();
  private readonly patterns: Array<{ regex: RegExp; names: string[]; route: Route }> = [];

  constructor(deps: ApiDeps) {
    this.deps = deps;
    this.token = new TokenCheck(deps.settings.token);
    if (!isLoopback(deps.settings.listen.host) && !this.token.required) {
      throw new Error(`refusing to listen on ${formatListenAddress(deps.settings.listen)} without a token: set [api] token or HOSTGUARD_TOKEN`);
    }
    const routes = buildRoutes(deps);
    routes.push(
      defineRoute({ path: '/metrics', tag: 'monitoring', summary: 'Prometheus text exposition: node_exporter names where the meaning is the same, hostguard_* for the daemon', responses: { 200: 'text/plain; version=0.0.4' }, handle: () => ({ status: 200, raw: deps.hub.metricsBody(), contentType: EXPOSITION_CONTENT_TYPE }) }),
      defineRoute({ path: '/api/v1/openapi.json', tag: 'system', summary: 'This API as an OpenAPI 3.1 document', responses: { 200: 'the document' }, handle: () => ({ status: 200, json: openApiDocument(routes, deps.hub.status.version) }) }),
    );
    for (const route of routes) this.addRoute(route);
    this.websocket = new WebSocketHub(deps.hub, deps.settings.websocket);
    this.server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, (request, response) => this.handle(request, response));
    this.server.maxConnections = deps.settings.maxConnections;
    this.server.on('upgrade', (request, socket, head) => this.upgrade(request, socket, head));
  }

  listen(): Promise<AddressInfo> {
    const { host, port } = this.deps.settings.listen;
    return new Promise((resolve, reject) => {
      const failed = (error: NodeJS.ErrnoException): void => reject(new Error(`cannot listen on ${formatListenAddress({ host, port })}: ${error.code ?? error.message}`));
      this.server.once('error', failed);
      this.server.listen({ host, port }, () => {
        this.server.off('error', failed);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  // Stops accepting, says goodbye to WebSocket clients and ends open connections.
  close(): Promise<void> {
    this.websocket.close();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    setTimeout(() => this.server.closeAllConnections(), 300).unref();
    return closed;
  }

  private addRoute(route: Route): void {
    if (!route.path.includes('{')) {
      this.exact.set(route.path, route);
      return;
    }
    const names: string[] = [];
    const source = route.path.replace(/\{(\w+)\}/g, (_all, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    this.patterns.push({ regex: new RegExp(`^${source}$`), names, route });
  }

  private match(path: string): Match | undefined {
    const route = this.exact.get(path);
    if (route) return { route, params: {} };
    for (const pattern of this.patterns) {
      const found = pattern.regex.exec(path);
      if (!found) continue;
      const params = Object.fromEntries(pattern.names.map((name, i) => [name, decodeURIComponent(found[i + 1] ?? '')]));
      return { route: pattern.route, params };
    }
    return undefined;
  }

  private corsOrigin(origin: string | undefined): string | undefined {
    const allowed = this.deps.settings.corsOrigins;
    if (origin === undefined || allowed.length === 0) return undefined;
    if (allowed.includes('*')) return '*';
    return allowed.includes(origin) ? origin : undefined;
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const url = request.url ?? '/';
    const mark = url.indexOf('?');
    const path = mark < 0 ? url : url.slice(0, mark);
    const allowOrigin = this.corsOrigin(request.headers.origin);
    if (allowOrigin !== undefined) response.setHeader('Access-Control-Allow-Origin', allowOrigin).setHeader('Vary', 'Origin');
    const match = this.match(path);
    const routeName = match?.route.path ?? 'unmatched';
    if (request.method === 'OPTIONS' && allowOrigin !== undefined) {
      response.writeHead(204, { 'Access-Control-Allow-Methods': 'GET, HEAD', 'Access-Control-Allow-Headers': 'Authorization', 'Access-Control-Max-Age': '600' }).end();
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      this.send(request, response, routeName, apiError(405, `method ${request.method ?? ''} is not allowed; this API is read-only (GET, HEAD)`));
      return;
    }
    if (!this.token.allows(request.headers)) {
      response.setHeader('WWW-Authenticate', 'Bearer realm="hostguard"');
      this.send(request, response, routeName, apiError(401, 'missing or wrong token: send "Authorization: Bearer TOKEN"'));
      return;
    }
    if (!match) {
      this.send(request, response, routeName, apiError(404, `no endpoint ${path.slice(0, 200)}; the endpoints are listed in /api/v1/openapi.json`));
      return;
    }
    const reply = this.run(match, mark < 0 ? '' : url.slice(mark + 1));
    if (reply instanceof Promise) {
      reply.then(
        (r) => this.send(request, response, routeName, r),
        (error: unknown) => this.send(request, response, routeName, this.failure(error)),
      );
    } else this.send(request, response, routeName, reply);
  }

  private run(match: Match, search: string): Reply | Promise<Reply> {
    const raw = queryObject(search);
    if (!raw.ok) return apiError(400, raw.error.message, raw.error.parameter);
    try {
      const reply = match.route.run(raw.value, match.params, this.deps.now());
      return reply instanceof Promise ? reply.catch((error: unknown) => this.failure(error)) : reply;
    } catch (error) {
      return this.failure(error);
    }
  }

  private failure(error: unknown): Reply {
    // The store's own check of a history query (an entity it has never seen, say) is the caller's mistake.
    if (error instanceof HistoryQueryError) return apiError(400, error.message);
    const message = error instanceof Error ? error.message : String(error);
    this.deps.hub.status.store.lastError = message;
    return apiError(500, `internal error: ${message}`);
  }

  private send(request: IncomingMessage, response: ServerResponse, routeName: string, reply: Reply): void {
    const counts = this.deps.hub.status.httpRequestsTotal;
    const key = `${routeName} ${reply.status}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    if (response.destroyed) return;
    if ('stream' in reply) {
      response.writeHead(reply.status, { 'Content-Type': JSON_TYPE, 'Cache-Control': 'no-store' });
      if (request.method === 'HEAD') response.end();
      else reply.stream(response).catch(() => response.destroy());
      return;
    }
    const body = 'json' in reply ? JSON.stringify(reply.json) : reply.raw;
    const pieces = typeof body === 'string' || Buffer.isBuffer(body) ? [body] : body;
    const length = pieces.reduce((sum, piece) => sum + (typeof piece === 'string' ? Buffer.byteLength(piece) : piece.length), 0);
    response.writeHead(reply.status, { 'Content-Type': 'json' in reply ? JSON_TYPE : reply.contentType, 'Content-Length': length, 'Cache-Control': 'no-store' });
    if (request.method === 'HEAD' || pieces.length === 0) {
      response.end();
      return;
    }
    // One write for all the pieces.
    response.cork();
    for (const piece of pieces.slice(0, -1)) response.write(piece);
    response.end(pieces.at(-1));
    response.uncork();
  }

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== '/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (!this.token.allows(request.headers, url.searchParams.get('token') ?? undefined)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nWWW-Authenticate: Bearer realm="hostguard"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.websocket.upgrade(request, socket, head);
  }
}
