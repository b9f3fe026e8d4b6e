// GET /api/v1/metrics/current as a ready answer: the body, its ETag and Last-Modified and the header
// lists are made once per snapshot, so a request costs a header comparison and one write.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DaemonStatus } from './status.ts';

export const CURRENT_PATH = '/api/v1/metrics/current';
export const CURRENT_CONTENT_TYPE = 'application/json';
// hostguard_http_requests_total keys, made once (see countRequest)
const COUNT_200 = `${CURRENT_PATH} 200`;
const COUNT_304 = `${CURRENT_PATH} 304`;

export interface CurrentAnswer {
  body: Buffer;
  // strong validator from the body's digest: equal bodies, equal tags
  etag: string;
  // the snapshot's time as an HTTP date
  lastModified: string;
  // for fastify's reply.headers() (the route when a token, CORS or the debug log is on)
  headers: Readonly<Record<string, string>>;
  // node:http's flat lists for writeHead (no object to walk per request)
  okHeaders: string[];
  notModifiedHeaders: string[];
}

export function currentAnswer(body: Buffer, timestampMs: number): CurrentAnswer {
  const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
  const lastModified = new Date(timestampMs).toUTCString();
  const validators = ['cache-control', 'no-store', 'etag', etag, 'last-modified', lastModified];
  return {
    body,
    etag,
    lastModified,
    headers: { etag, 'last-modified': lastModified },
    okHeaders: ['content-type', CURRENT_CONTENT_TYPE, 'content-length', String(body.length), ...validators],
    notModifiedHeaders: validators,
  };
}

// If-None-Match against our tag (RFC 9110 13.1.2: weak comparison, a list, or "*").
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header === etag || header === '*') return true;
  for (const part of header.split(',')) {
    const tag = part.trim();
    if (tag === etag || tag === `W/${etag}` || tag === '*') return true;
  }
  return false;
}

function count(status: DaemonStatus, key: string): void {
  status.httpRequestsTotal.set(key, (status.httpRequestsTotal.get(key) ?? 0) + 1);
}

// Answers GET or HEAD of exactly the path (no query string) with node:http alone; false when the
// request is not that one, or there is no snapshot yet (fastify answers those, with the 400s and 503).
export function answerCurrentDirectly(request: IncomingMessage, response: ServerResponse, answer: CurrentAnswer | undefined, status: DaemonStatus): boolean {
  if (request.url !== CURRENT_PATH || answer === undefined || (request.method !== 'GET' && request.method !== 'HEAD')) return false;
  if (matchesIfNoneMatch(request.headers['if-none-match'], answer.etag)) {
    count(status, COUNT_304);
    response.writeHead(304, answer.notModifiedHeaders);
    response.end();
    return true;
  }
  count(status, COUNT_200);
  response.writeHead(200, answer.okHeaders);
  // node:http writes no body for HEAD and keeps the Content-Length
  response.end(answer.body);
  return true;
}
