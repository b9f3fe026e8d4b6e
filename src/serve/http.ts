// The HTTP server (fastify): the route table, the token check, CORS, 405s, the dashboard at /, and
// /ws upgrades for the WebSocket hub. Everything a request needs is in memory or behind the Store.
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { formatListenAddress, isLoopback } from './address.ts';
import { TokenCheck } from './auth.ts';
import { answerCurrentDirectly } from './currentAnswer.ts';
import { Dashboard } from './dashboard.ts';
import { EXPOSITION_CONTENT_TYPE } from './exposition.ts';
import { countRequest, failureReply, MAX_PARAM_LENGTH, requestErrorReply, sendReply } from './httpReply.ts';
import { openApiDocument } from './openapi.ts';
import { type QueryResult, queryObject } from './params.ts';
import { apiError, type ApiDeps, defineRoute, type Reply, type Route } from './route.ts';
import { allowHeader, RouteTable } from './routeTable.ts';
import { buildRoutes } from './routes.ts';
import { WebSocketHub } from './websocket.ts';

// A JSON body larger than this is refused with 413 before it is parsed.
export const BODY_LIMIT_BYTES = 64 * 1024;

// The API's own paths: they need the token when one is set; any other path belongs to the dashboard.
export function isApiPath(path: string): boolean {
  return path.startsWith('/api/') || path === '/api' || path === '/metrics' || path === '/health' || path === '/ws';
}

function pathOf(url: string): string {
  const mark = url.indexOf('?');
  return mark < 0 ? url : url.slice(0, mark);
}

// Every route of the daemon: the REST table and /metrics (the server adds the OpenAPI document).
export function defaultRoutes(deps: ApiDeps): Route[] {
  return [
    ...buildRoutes(deps),
    defineRoute({ path: '/metrics', tag: 'monitoring', summary: 'Prometheus text exposition: node_exporter names where the meaning is the same, hostguard_* for the daemon', responses: { 200: 'text/plain; version=0.0.4' }, handle: async () => ({ status: 200, raw: await deps.hub.metricsBody(), contentType: EXPOSITION_CONTENT_TYPE }) }),
  ];
}

// The OpenAPI document of all the server's routes, itself included.
function withOpenApi(routes: readonly Route[], version: string): Route[] {
  const all = [...routes];
  all.push(defineRoute({ path: '/api/v1/openapi.json', tag: 'system', summary: 'This API as an OpenAPI 3.1 document', responses: { 200: 'the document' }, handle: () => ({ status: 200, json: openApiDocument(all, version) }) }));
  return all;
}

export class ApiServer {
  readonly app: FastifyInstance;
  private readonly deps: ApiDeps;
  private readonly log: Logger;
  private readonly token: TokenCheck;
  private readonly websocket: WebSocketHub;
  private readonly table: RouteTable;
  private readonly dashboard: Dashboard;

  constructor(deps: ApiDeps, options: { log: Logger; routes?: Route[] }) {
    this.deps = deps;
    this.log = options.log;
    this.token = new TokenCheck(deps.settings.token);
    if (!isLoopback(deps.settings.listen.host) && !this.token.required) {
      throw new Error(`refusing to listen on ${formatListenAddress(deps.settings.listen)} without a token: set [api] token or HOSTGUARD_TOKEN`);
    }
    const routes = withOpenApi(options.routes ?? defaultRoutes(deps), deps.hub.status.version);
    this.table = new RouteTable(routes);
    this.dashboard = new Dashboard(deps.settings.webDir);
    this.websocket = new WebSocketHub(deps.hub, deps.settings.websocket);
    // fastify gets no logger: with one it makes a child logger for every request, work that would
    // be thrown away at info (bench/fastifyLogger.ts). What it would log is ours to say: requests at
    // debug (below), errors in failed(), the start line in cli/serve.ts.
    // CORS and the token need the onRequest hook on every request; without them there is nothing
    // to check, and the latest snapshot is answered before fastify sees the request (unless every
    // request is to be logged): see docs/API.md, "The cost of a request".
    const checks = this.token.required || deps.settings.corsOrigins.length > 0;
    const direct = !checks && !options.log.isLevelEnabled('debug');
    this.app = Fastify({
      requestTimeout: 30_000,
      bodyLimit: BODY_LIMIT_BYTES,
      routerOptions: { querystringParser: (text: string): QueryResult => queryObject(text), maxParamLength: MAX_PARAM_LENGTH },
      // the router's own refusals (a bad URL, a path parameter too long), in the API's error shape
      frameworkErrors: (error, request, reply) => this.failed(error, request, reply),
      ...(direct ? { serverFactory: (handler: RequestListener, settings: Record<string, unknown>) => this.directServer(handler, settings) } : {}),
    });
    this.app.server.maxConnections = deps.settings.maxConnections;
    this.app.server.headersTimeout = 10_000;
    this.app.removeContentTypeParser('text/plain');
    if (checks) {
      this.app.addHook('onRequest', (request, reply, done) => {
        if (!this.admit(request, reply)) return;
        done();
      });
    }
    if (options.log.isLevelEnabled('debug')) {
      this.app.addHook('onResponse', (request, reply, done) => {
        options.log.debug({ method: request.method, url: request.url, statusCode: reply.statusCode, responseTimeMs: Math.round(reply.elapsedTime * 100) / 100 }, 'request');
        done();
      });
    }
    this.app.setErrorHandler((error: FastifyError, request, reply) => this.failed(error, request, reply));
    this.app.setNotFoundHandler((request, reply) => this.notFound(request, reply));
    this.registerWebSocket();
    for (const route of routes) this.register(route);
  }

  async listen(): Promise<AddressInfo> {
    const { host, port } = this.deps.settings.listen;
    try {
      await this.app.listen({ host, port });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new Error(`cannot listen on ${formatListenAddress({ host, port })}: ${code ?? (error instanceof Error ? error.message : String(error))}`, { cause: error });
    }
    return this.app.server.address() as AddressInfo;
  }

  // Stops accepting, says goodbye to WebSocket clients and ends open connections.
  close(): Promise<void> {
    this.websocket.close();
    setTimeout(() => this.app.server.closeAllConnections(), 300).unref();
    return this.app.close();
  }

  // node:http's server as fastify would make it, with GET /api/v1/metrics/current answered first.
  private directServer(handler: RequestListener, settings: Record<string, unknown>): Server {
    const hub = this.deps.hub;
    const server = createServer((request: IncomingMessage, response: ServerResponse) => {
      if (!answerCurrentDirectly(request, response, hub.currentAnswer, hub.status)) handler(request, response);
    });
    server.keepAliveTimeout = Number(settings['keepAliveTimeout']);
    server.requestTimeout = Number(settings['requestTimeout']);
    server.setTimeout(Number(settings['connectionTimeout']));
    return server;
  }

  private register(route: Route): void {
    const url = route.path.replace(/\{(\w+)\}/g, ':$1');
    const status = this.deps.hub.status;
    this.app.route({
      method: route.method,
      url,
      handler: (request, reply) => {
        const query = request.query as QueryResult;
        if (!query.ok) return sendReply(reply, status, route.path, apiError(400, query.error.message, query.error.parameter));
        let answer: Reply | Promise<Reply>;
        try {
          answer = route.run({ query: query.value, params: request.params as Record<string, string>, body: request.body, nowMs: this.deps.now(), headers: request.headers });
        } catch (error) {
          return sendReply(reply, status, route.path, failureReply(error, status));
        }
        if (!(answer instanceof Promise)) return sendReply(reply, status, route.path, answer);
        return answer.then(
          (r) => sendReply(reply, status, route.path, r),
          (error: unknown) => sendReply(reply, status, route.path, failureReply(error, status)),
        );
      },
    });
  }

  private registerWebSocket(): void {
    const settings = this.deps.settings.websocket;
    // preClose: the hub says goodbye to its clients itself (close()); errors: a client's protocol
    // error (an oversized frame) ends that connection, nothing more to say above debug.
    this.app.register(fastifyWebsocket, {
      options: { maxPayload: 16_384, perMessageDeflate: false, clientTracking: false },
      preClose: (done) => done(),
      errorHandler: (error, socket) => {
        this.log.debug({ err: error }, 'websocket client error');
        socket.terminate();
      },
    });
    this.app.register(async (app) => {
      app.route({
        method: 'GET',
        url: '/ws',
        // More clients than allowed get 503 before the handshake.
        preValidation: (request, reply, done) => {
          if (request.ws && this.websocket.clientCount >= settings.maxClients) {
            sendReply(reply, this.deps.hub.status, '/ws', apiError(503, `too many WebSocket clients (the limit, [api.websocket] max_clients, is ${settings.maxClients})`));
            return;
          }
          done();
        },
        handler: (_request, reply) => sendReply(reply, this.deps.hub.status, '/ws', apiError(426, '/ws is a WebSocket: connect with a WebSocket client (Upgrade: websocket)')),
        wsHandler: (socket) => this.websocket.accept(socket),
      });
    });
  }

  private corsOrigin(origin: string | undefined): string | undefined {
    const allowed = this.deps.settings.corsOrigins;
    if (origin === undefined || allowed.length === 0) return undefined;
    if (allowed.includes('*')) return '*';
    return allowed.includes(origin) ? origin : undefined;
  }

  // CORS headers, preflights, the token: false when the request has been answered here.
  private admit(request: FastifyRequest, reply: FastifyReply): boolean {
    const allowOrigin = this.corsOrigin(request.headers.origin);
    if (allowOrigin !== undefined) reply.header('Access-Control-Allow-Origin', allowOrigin).header('Vary', 'Origin');
    const path = pathOf(request.url);
    const status = this.deps.hub.status;
    if (request.method === 'OPTIONS') {
      const methods = this.table.match(path)?.methods ?? ['GET'];
      if (allowOrigin === undefined) {
        this.refuseOptions(reply, path);
        return false;
      }
      reply.code(204).header('Access-Control-Allow-Methods', allowHeader(methods)).header('Access-Control-Allow-Headers', 'Authorization, Content-Type').header('Access-Control-Max-Age', '600').send();
      return false;
    }
    const mutating = request.method !== 'GET' && request.method !== 'HEAD';
    if (!mutating && !isApiPath(path)) return true;
    const query = request.query as QueryResult;
    const queryToken = path === '/ws' && query.ok ? query.value['token'] : undefined;
    if (this.token.allows(request.headers, queryToken)) return true;
    reply.header('WWW-Authenticate', 'Bearer realm="hostguard"');
    sendReply(reply, status, this.table.match(path)?.path ?? 'unmatched', apiError(401, 'missing or wrong token: send "Authorization: Bearer TOKEN"'));
    return false;
  }

  // A preflight from an origin CORS does not allow (or with CORS off): 405 with the methods the path takes.
  private refuseOptions(reply: FastifyReply, path: string): FastifyReply {
    const known = this.table.match(path);
    reply.header('Allow', allowHeader(known?.methods ?? ['GET']));
    return sendReply(reply, this.deps.hub.status, known?.path ?? 'unmatched', apiError(405, `method OPTIONS is not allowed: CORS is off for this origin ([api] cors_origins)`));
  }

  private async notFound(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const path = pathOf(request.url);
    const status = this.deps.hub.status;
    const known = this.table.match(path);
    const method = request.method;
    if (method === 'OPTIONS') return this.refuseOptions(reply, path);
    if (known) {
      reply.header('Allow', allowHeader(known.methods));
      return sendReply(reply, status, known.path, apiError(405, `method ${method} is not allowed on ${known.path}; it takes ${allowHeader(known.methods)}`));
    }
    if (isApiPath(path)) return sendReply(reply, status, 'unmatched', apiError(404, `no endpoint ${path.slice(0, 200)}; the endpoints are listed in /api/v1/openapi.json`));
    if (method !== 'GET' && method !== 'HEAD') {
      reply.header('Allow', 'GET, HEAD');
      return sendReply(reply, status, 'dashboard', apiError(405, `method ${method} is not allowed on ${path.slice(0, 200)}: the dashboard takes GET, HEAD`));
    }
    const answer = await this.dashboard.answer(path, method === 'HEAD', request.headers['if-none-match']);
    if (!answer) return sendReply(reply, status, 'dashboard', apiError(404, `no file ${path.slice(0, 200)} in the dashboard (${this.dashboard.webDir})`));
    countRequest(status, 'dashboard', answer.status);
    return reply.code(answer.status).headers(answer.headers).send(answer.body);
  }

  private failed(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
    const routeName = this.table.match(pathOf(request.url))?.path ?? 'unmatched';
    const known = requestErrorReply(error, BODY_LIMIT_BYTES);
    if (known) return sendReply(reply, this.deps.hub.status, routeName, known);
    this.log.error({ err: error, method: request.method, url: request.url }, 'request failed');
    return sendReply(reply, this.deps.hub.status, routeName, failureReply(error, this.deps.hub.status));
  }
}
