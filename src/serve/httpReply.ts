// Writes a route's Reply through fastify, counts it, and turns fastify's own errors (bad JSON, a
// body over the limit, an unsupported Content-Type) into the API's error shape.
import { Readable } from 'node:stream';
import type { FastifyError, FastifyReply } from 'fastify';
import { HistoryQueryError } from '../store/history.ts';
import type { DaemonStatus } from './status.ts';
import { apiError, type Reply } from './route.ts';

export const JSON_TYPE = 'application/json; charset=utf-8';
// The router refuses longer path parameters (414) before any route runs.
export const MAX_PARAM_LENGTH = 200;

export function countRequest(status: DaemonStatus, routeName: string, code: number): void {
  const key = `${routeName} ${code}`;
  status.httpRequestsTotal.set(key, (status.httpRequestsTotal.get(key) ?? 0) + 1);
}

export function sendReply(reply: FastifyReply, status: DaemonStatus, routeName: string, answer: Reply): FastifyReply {
  countRequest(status, routeName, answer.status);
  reply.code(answer.status).header('cache-control', 'no-store');
  if (answer.headers) reply.headers(answer.headers);
  if ('empty' in answer) return reply.send();
  if ('json' in answer) return reply.type(JSON_TYPE).send(JSON.stringify(answer.json));
  if ('raw' in answer) {
    const body = answer.raw;
    return reply.type(answer.contentType).send(typeof body === 'string' || Buffer.isBuffer(body) ? body : Buffer.concat(body));
  }
  reply.type(JSON_TYPE);
  // HEAD: the headers only; the answer is not produced at all.
  if (reply.request.method === 'HEAD') return reply.send();
  return reply.send(Readable.from(answer.stream(), { objectMode: false }));
}

// A handler that threw: the store's own check of a history query (an entity it has never seen) is
// the caller's mistake; anything else is ours.
export function failureReply(error: unknown, status: DaemonStatus): Reply {
  if (error instanceof HistoryQueryError) return apiError(400, error.message);
  const message = error instanceof Error ? error.message : String(error);
  status.store.lastError = message;
  return apiError(500, `internal error: ${message}`);
}

// fastify's errors before a handler runs, in words that say what to send instead.
export function requestErrorReply(error: FastifyError, bodyLimitBytes: number): Reply | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return apiError(413, `the request body is larger than ${bodyLimitBytes} bytes`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return apiError(error.statusCode ?? 415, `${error.message}; send a JSON body with Content-Type: application/json`);
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return apiError(414, `a path parameter is longer than ${MAX_PARAM_LENGTH} characters`);
    case 'FST_ERR_BAD_URL':
      return apiError(400, 'the path is not valid percent-encoding');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return apiError(400, 'body: empty, but Content-Type says application/json; send a JSON object');
    default:
      break;
  }
  if (error instanceof SyntaxError || error.statusCode === 400) return apiError(400, `body: not valid JSON (${error.message})`);
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) return apiError(error.statusCode, error.message);
  return undefined;
}
