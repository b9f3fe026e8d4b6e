// What a route is (path, documented parameters, handler) and what a handler answers.
import type { ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { Store } from '../store/store.ts';
import type { LiveHub } from './hub.ts';
import type { EventsApi } from './routesEvents.ts';
import { describeParamIssue } from './params.ts';
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

export type Reply =
  | { status: number; json: unknown }
  // raw: written as is; several pieces are written one after another (no copy into one buffer)
  | { status: number; raw: Buffer | string | readonly Buffer[]; contentType: string }
  // large answers are written piece by piece so that serializing them never holds up sampling
  | { status: number; stream: (response: ServerResponse) => Promise<void> };

export interface RequestContext<Q> {
  query: Q;
  // path parameters, e.g. id of /api/v1/anomalies/{id}
  params: Record<string, string>;
  nowMs: number;
}

type QuerySchema<Q> = z.ZodType<Q, Record<string, string>>;

export interface Route {
  // OpenAPI style: /api/v1/anomalies/{id}
  path: string;
  summary: string;
  description?: string;
  tag: 'system' | 'metrics' | 'anomalies' | 'alerts' | 'events' | 'processes' | 'monitoring' | 'fleet';
  // documents the parameters; run() validates with it
  query?: QuerySchema<unknown>;
  // status code -> what it means
  responses: Record<number, string>;
  run: (rawQuery: Record<string, string>, params: Record<string, string>, nowMs: number) => Reply | Promise<Reply>;
}

export type RouteSpec<Q> = Omit<Route, 'query' | 'run'> & { query?: QuerySchema<Q>; handle: (context: RequestContext<Q>) => Reply | Promise<Reply> };

export function json(status: number, body: unknown): Reply {
  return { status, json: body };
}

export function apiError(status: number, message: string, parameter?: string): Reply {
  return json(status, { error: { status, message, ...(parameter === undefined ? {} : { parameter }) } });
}

export function iso(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}

function parameterNames(schema: unknown): string[] {
  const shape = typeof schema === 'object' && schema !== null && 'shape' in schema ? schema.shape : undefined;
  return typeof shape === 'object' && shape !== null ? Object.keys(shape) : [];
}

// A route whose handler sees its parameters parsed and typed; a bad one is answered with 400 naming it.
export function defineRoute<Q = Record<string, never>>(spec: RouteSpec<Q>): Route {
  const { handle, query, ...rest } = spec;
  const accepted = parameterNames(query);
  const run = (rawQuery: Record<string, string>, params: Record<string, string>, nowMs: number): Reply | Promise<Reply> => {
    if (!query) {
      const name = Object.keys(rawQuery)[0];
      return name === undefined ? handle({ query: {} as Q, params, nowMs }) : apiError(400, `unknown parameter '${name}'; this endpoint takes no parameters`, name);
    }
    const parsed = query.safeParse(rawQuery);
    if (parsed.success) return handle({ query: parsed.data, params, nowMs });
    const issue = parsed.error.issues[0];
    const error = issue ? describeParamIssue(issue, accepted) : { message: 'bad parameters' };
    return apiError(400, error.message, error.parameter);
  };
  return { ...rest, ...(query ? { query } : {}), run };
}
