// What a logger handed to fastify costs each request: `npm run bench -- fastifyLogger [--seconds 6] [--rounds 3]`.
// The same small async JSON answer (the shape of /health) from node:http, from fastify without a
// logger (as the daemon runs it: its request lines come from its own hook, only at debug), and from
// fastify with a pino logger at info (request logging off), which makes a child logger per request,
// or with a childLoggerFactory returning the logger itself. wrk, 100 connections, rounds alternated.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import pino from 'pino';
import { median } from './lib/stats.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '6' }, rounds: { type: 'string', default: '3' } } });
if (spawnSync('wrk', ['--version']).error !== undefined) {
  process.stderr.write('bench fastifyLogger: needs wrk (apt-get install wrk)\n');
  process.exit(2);
}
const body = JSON.stringify({ status: 'ok', version: '0.1.0', uptimeSeconds: 1.5, store: { kind: 'sqlite', ok: true }, sampler: { level: 'normal', lastCollection: new Date().toISOString() } });
// an answer that waits for a turn of the event loop, as /health waits for the store
const answer = async (): Promise<string> => {
  await new Promise((resolve) => setImmediate(resolve));
  return body;
};
const quietPino = (): pino.Logger => pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: true }));

async function wrk(port: number): Promise<number> {
  const child = spawn('wrk', ['-t1', '-c100', `-d${values.seconds}s`, `http://127.0.0.1:${port}/health`], { stdio: ['ignore', 'pipe', 'inherit'] });
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  await new Promise((resolve) => child.once('exit', resolve));
  return Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1]);
}

async function withFastify<L extends FastifyBaseLogger>(app: FastifyInstance<Server, IncomingMessage, ServerResponse, L>): Promise<{ port: number; close: () => Promise<void> }> {
  app.get('/health', (_request, reply) => answer().then((text) => reply.type('application/json').send(text)));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { port: (app.server.address() as AddressInfo).port, close: () => app.close() };
}

const variants: Record<string, () => Promise<{ port: number; close: () => Promise<void> }>> = {
  'node:http': async () => {
    const server = createServer((_request, response) => {
      void answer().then((text) => response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }).end(text));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { port: (server.address() as AddressInfo).port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  },
  'fastify, no logger (the daemon)': () => withFastify(Fastify()),
  'fastify, pino at info': () => withFastify(Fastify({ loggerInstance: quietPino(), logController: new LogController({ disableRequestLogging: true }) })),
  'fastify, pino, child = the logger': () => withFastify(Fastify({ loggerInstance: quietPino(), logController: new LogController({ disableRequestLogging: true }), childLoggerFactory: (logger) => logger })),
};

const results = new Map<string, number[]>();
for (let round = 0; round < Number(values.rounds); round++) {
  for (const [name, make] of Object.entries(variants)) {
    const server = await make();
    await wrk(server.port);
    results.set(name, [...(results.get(name) ?? []), await wrk(server.port)]);
    await server.close();
  }
}
process.stdout.write(`bench fastifyLogger: node ${process.version}, ${values.rounds} rounds of ${values.seconds} s, load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}\n`);
for (const [name, list] of results) process.stdout.write(`${name.padEnd(34)} median ${Math.round(median(list))} req/s (${list.map(Math.round).join(', ')})\n`);
