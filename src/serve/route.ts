// What a route is (method, path, documented parameters and body, handler) and what a handler answers.
import type { IncomingHttpHeaders } from 'node:http';
import type { z } from 'zod';
import type { Store } from '../store/store.ts';
import type { LiveHub } from './hub.ts';
import { describeBodyIssue, describeParamIssue } from './params.ts';
import type { EventsApi } from './routesEvents.ts';
import type { ApiSettings } from './settings.ts';

export interface ApiDeps {
  hub: LiveHub;
  store: Store;
  settings: ApiSettings;
  now: () => number;
  collectors: readonly string[];
  // alerts, host events, I/O tops, trace status (absent in tests that do not need them)
  events?: EventsApi;
}

export type Reply = (
  | { status: number; json: unknown }
  // raw: written as is; several pieces are written one after another
  | { status: number; raw: Buffer | string | readonly Buffer[]; contentType: string }
  // large answers are produced piece by piece (pulled as the client reads), so that serializing
  // them never holds up the event loop for long and a slow reader never makes them pile up in memory
  | { status: number; stream: () => AsyncIterable<string> }
  // no body at all (304)
  | { status: number; empty: true }
) & {
  // more headers (ETag, Last-Modified)
  headers?: Readonly<Record<string, string>>;
};

export type Method = 'GET' | 'POST' | 'DELETE';

export interface RequestContext<Q, B> {
  query: Q;
  // path parameters, e.g. id of /api/v1/anomalies/{id}
  params: Record<string, string>;
  body: B;
  nowMs: number;
  // the request's headers (If-None-Match)
  headers: IncomingHttpHeaders;
}

// What the server hands a route: the query string as an object, path parameters, the parsed JSON body.
export interface RawRequest {
  query: Record<string, string>;
  params: Record<string, string>;
  body: unknown;
  nowMs: number;
  headers: IncomingHttpHeaders;
}

type QuerySchema<Q> = z.ZodType<Q, Record<string, string>>;

export interface Route {
  // GET routes answer HEAD too
  method: Method;
  // OpenAPI style: /api/v1/anomalies/{id}
  path: string;
  summary: string;
  description?: string;
  tag: 'system' | 'metrics' | 'anomalies' | 'alerts' | 'events' | 'processes' | 'monitoring' | 'fleet';
  // documents the parameters; run() validates with it
  query?: QuerySchema<unknown>;
  // a JSON body (POST, DELETE): documents it; run() validates with it. Without it a body is refused.
  body?: z.ZodType;
  // status code -> what it means
  responses: Record<number, string>;
  run: (request: RawRequest) => Reply | Promise<Reply>;
}

export type RouteSpec<Q, B> = Omit<Route, 'method' | 'query' | 'body' | 'run'> & {
  method?: Method;
  query?: QuerySchema<Q>;
  body?: z.ZodType<B>;
  handle: (context: RequestContext<Q, B>) => Reply | Promise<Reply>;
};

export function json(status: number, body: unknown): Reply {
  return { status, json: body };
}

// field: the body field at fault, as a dotted path (note, labels.team)
export function apiError(status: number, message: string, parameter?: string, field?: string): Reply {
  return json(status, { error: { status, message, ...(parameter === undefined ? {} : { parameter }), ...(field === undefined ? {} : { field }) } });
}

export function iso(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}

function parameterNames(schema: unknown): string[] {
  const shape = typeof schema === 'object' && schema !== null && 'shape' in schema ? schema.shape : undefined;
  return typeof shape === 'object' && shape !== null ? Object.keys(shape) : [];
}

function parseQuery<Q>(query: QuerySchema<Q> | undefined, raw: Record<string, string>): { ok: true; value: Q } | { ok: false; reply: Reply } {
  if (!query) {
    const name = Object.keys(raw)[0];
    return name === undefined ? { ok: true, value: {} as Q } : { ok: false, reply: apiError(400, `unknown parameter '${name}'; this endpoint takes no parameters`, name) };
  }
  const parsed = query.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const error = issue ? describeParamIssue(issue, parameterNames(query)) : { message: 'bad parameters' };
  return { ok: false, reply: apiError(400, error.message, error.parameter) };
}

function parseBody<B>(schema: z.ZodType<B> | undefined, body: unknown): { ok: true; value: B } | { ok: false; reply: Reply } {
  if (!schema) return body === undefined ? { ok: true, value: undefined as B } : { ok: false, reply: apiError(400, 'this endpoint takes no request body') };
  if (body === undefined) return { ok: false, reply: apiError(400, 'a JSON body is required (Content-Type: application/json)') };
  const parsed = schema.safeParse(body);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const error = issue ? describeBodyIssue(issue, parameterNames(schema)) : { message: 'bad body' };
  return { ok: false, reply: apiError(400, error.message, undefined, error.field) };
}

// A route whose handler sees its parameters and body parsed and typed; a bad one is answered with
// 400 naming the parameter or the body field.
export function defineRoute<Q = Record<string, never>, B = undefined>(spec: RouteSpec<Q, B>): Route {
  const { handle, query, body, method, ...rest } = spec;
  const run = (request: RawRequest): Reply | Promise<Reply> => {
    const parsedQuery = parseQuery(query, request.query);
    if (!parsedQuery.ok) return parsedQuery.reply;
    const parsedBody = parseBody(body, request.body);
    if (!parsedBody.ok) return parsedBody.reply;
    return handle({ query: parsedQuery.value, params: request.params, body: parsedBody.value, nowMs: request.nowMs, headers: request.headers });
  };
  return { ...rest, method: method ?? 'GET', ...(query ? { query } : {}), ...(body ? { body } : {}), run };
}
