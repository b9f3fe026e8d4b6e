// The OpenAPI 3.1 document of the API, generated from the route table (paths, parameters, answers)
// so that it cannot drift from what the server accepts.
import { z } from 'zod';
import { TOPICS } from './hub.ts';
import type { Route } from './route.ts';

interface ParameterSchema {
  description?: string;
}

const ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['status', 'message'],
      properties: { status: { type: 'integer' }, message: { type: 'string' }, parameter: { type: 'string', description: 'the query or path parameter at fault' }, field: { type: 'string', description: 'the request body field at fault, as a dotted path' } },
    },
  },
};

const WEBSOCKET_PATH = {
  get: {
    tags: ['realtime'],
    summary: 'WebSocket: the latest snapshot on connect, then {type:"snapshot",data} per snapshot and {type:"anomaly",event:"open"|"close",data} per episode',
    description: `Send {"subscribe":[...]} with topics from ${TOPICS.join(', ')} to choose (default: all); the answer is {"type":"subscribed","topics":[...]} or {"type":"error","message":...}. The server pings; a client that misses a pong, or reads so slowly that its unsent data passes [api.websocket] max_buffered_bytes, is dropped.`,
    parameters: [{ name: 'token', in: 'query', required: false, description: 'the access token, for browsers that cannot send an Authorization header', schema: { type: 'string' } }],
    responses: { 101: { description: 'switching to the WebSocket protocol' }, 401: { description: 'missing or wrong token' }, 503: { description: 'too many clients' } },
  },
};

function queryParameters(route: Route): unknown[] {
  if (!route.query) return [];
  const schema = z.toJSONSchema(route.query, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, ParameterSchema>; required?: string[] };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: schema.required?.includes(name) ?? false,
    ...(property.description === undefined ? {} : { description: property.description }),
    schema: { type: 'string' },
  }));
}

function pathParameters(route: Route): unknown[] {
  return [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
}

function responses(route: Route): Record<string, unknown> {
  const entries = Object.entries(route.responses).map(([code, description]) => {
    const isError = Number(code) >= 400;
    if (code === '204' || code === '304') return [code, { description }];
    const type = route.path === '/metrics' && !isError ? 'text/plain' : 'application/json';
    return [code, { description, content: { [type]: { schema: isError ? { $ref: '#/components/schemas/Error' } : {} } } }];
  });
  return Object.fromEntries([...entries, ['401', { description: 'missing or wrong token (only when a token is configured)', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }]]);
}

function requestBody(route: Route): Record<string, unknown> {
  if (!route.body) return {};
  const schema = z.toJSONSchema(route.body, { io: 'input', unrepresentable: 'any' });
  return { requestBody: { required: true, description: 'JSON, at most 64 KiB', content: { 'application/json': { schema } } } };
}

export function openApiDocument(routes: readonly Route[], version: string): unknown {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    paths[route.path] = {
      ...paths[route.path],
      [route.method.toLowerCase()]: {
        tags: [route.tag],
        summary: route.summary,
        ...(route.description === undefined ? {} : { description: route.description }),
        parameters: [...pathParameters(route), ...queryParameters(route)],
        ...requestBody(route),
        responses: responses(route),
      },
    };
  }
  paths['/ws'] = WEBSOCKET_PATH;
  return {
    openapi: '3.1.0',
    info: { title: 'hostguard', version, description: 'The hostguard daemon: host metrics now and in history, anomaly episodes, processes, Prometheus metrics. JSON; request bodies (POST, DELETE) are JSON too. Times: ISO 8601, "now" or relative such as "-1h". See docs/API.md.' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } }, schemas: { Error: ERROR_SCHEMA } },
    // No token is needed on loopback unless one is configured; any other address requires one.
    security: [{}, { bearer: [] }],
    paths,
  };
}
