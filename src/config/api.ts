// [api]: where the daemon listens, its access token, CORS, and the WebSocket limits.
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { isLoopback, parseListenAddress } from '../serve/address.ts';
import { type ApiSettings, MIN_TOKEN_LENGTH } from '../serve/settings.ts';
import { durationSchema } from './duration.ts';

const listenSchema = z
  .string()
  .transform((text, context) => {
    const result = parseListenAddress(text);
    if (result.ok) return result.value;
    context.addIssue({ code: 'custom', message: result.error });
    return z.NEVER;
  })
  .describe('HOST:PORT the HTTP API listens on; any address but loopback requires token');

// The dashboard's build output in this package: web/dist beside src/ (and beside dist/ when installed).
export const PACKAGE_WEB_DIR = fileURLToPath(new URL('../../web/dist', import.meta.url));

const websocketSchema = z
  .strictObject({
    max_clients: z.number().int().min(1).max(10_000).default(100).describe('WebSocket clients at once; more are refused with 503'),
    max_buffered_bytes: z.number().int().min(16_384).max(1_073_741_824).default(4_194_304).describe('a client with more than this many bytes not yet sent to it is dropped (a slow reader)'),
    ping_interval: durationSchema('a ping this often; a client that has not answered the previous ping is dropped', 3_600_000).prefault('30s'),
  })
  .refine((w) => w.ping_interval >= 100, { message: 'ping_interval must be at least 100ms', path: ['ping_interval'] })
  .prefault({});

export const apiSchema = z
  .strictObject({
    listen: listenSchema.prefault('127.0.0.1:8080'),
    token: z
      .string()
      .superRefine((token, context) => {
        if (token !== '' && token.length < MIN_TOKEN_LENGTH) context.addIssue({ code: 'custom', message: `a token of ${token.length} characters is too easy to guess; use at least ${MIN_TOKEN_LENGTH}` });
      })
      .default('')
      .describe(`bearer token required on every request when set (at least ${MIN_TOKEN_LENGTH} characters); also HOSTGUARD_TOKEN`),
    cors_origins: z.array(z.string().regex(/^(\*|https?:\/\/[^/\s]+)$/, 'use an origin such as "https://grafana.example.org" or "*"')).default([]).describe('origins allowed to call the API from a browser; empty = CORS off'),
    max_points: z.number().int().min(10).max(100_000).default(1000).describe('history answers at most this many points per series by default'),
    max_connections: z.number().int().min(1).max(100_000).default(1024).describe('HTTP connections at once'),
    web_dir: z.string().min(1).optional().describe("folder of the built web dashboard served at / (relative to the working directory); default the package's web/dist (npm run build:web); also --web-dir, HOSTGUARD_WEB_DIR"),
    websocket: websocketSchema,
  })
  .superRefine((api, context) => {
    if (api.token === '' && !isLoopback(api.listen.host)) {
      context.addIssue({ code: 'custom', path: ['listen'], message: `${api.listen.host} is not a loopback address: set api.token (or HOSTGUARD_TOKEN) to listen there, or listen on 127.0.0.1` });
    }
  })
  .transform(
    (api): ApiSettings => ({
      listen: api.listen,
      ...(api.token === '' ? {} : { token: api.token }),
      corsOrigins: api.cors_origins,
      maxPoints: api.max_points,
      maxConnections: api.max_connections,
      webDir: api.web_dir ?? PACKAGE_WEB_DIR,
      websocket: { maxClients: api.websocket.max_clients, maxBufferedBytes: api.websocket.max_buffered_bytes, pingIntervalMs: api.websocket.ping_interval },
    }),
  );
