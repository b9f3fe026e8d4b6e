// What @fastify/websocket costs plain HTTP requests: `npm run bench -- fastifyWs [--seconds 10]`.
// The plugin adds an onRequest and an onResponse hook and wraps every route handler, so each request
// pays for it, WebSocket or not. Two fastify servers answer the same 14 KB JSON body (the size of
// /api/v1/metrics/current) with and without the plugin, one after the other, to wrk (100 connections);
// then WebSocket handshakes per second of the plugin against ws on the server's upgrade event.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import WebSocket, { WebSocketServer } from 'ws';
import { median, percentile } from './lib/stats.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, rounds: { type: 'string', default: '2' } } });
const out = (line: string): boolean => process.stdout.write(`${line}\n`);
if (spawnSync('wrk', ['--version']).error !== undefined) {
  process.stderr.write('bench fastifyWs: needs wrk (apt-get install wrk)\n');
  process.exit(2);
}
const body = Buffer.from(JSON.stringify({ padding: 'x'.repeat(14_000) }));
const hello = Buffer.from('{"type":"snapshot","data":{}}');

async function server(plugin: boolean): Promise<{ app: FastifyInstance; port: number }> {
  const app = Fastify();
  if (plugin) {
    await app.register(fastifyWebsocket, { options: { perMessageDeflate: false, clientTracking: false } });
    app.route({ method: 'GET', url: '/ws', handler: (_request, reply) => reply.code(426).send(), wsHandler: (socket) => socket.send(hello) });
  } else {
    const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false });
    app.server.on('upgrade', (request, socket, head) => wss.handleUpgrade(request, socket, head, (ws) => ws.send(hello)));
  }
  app.get('/current', (_request, reply) => reply.type('application/json').send(body));
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, port: (app.server.address() as AddressInfo).port };
}

async function wrk(port: number): Promise<string> {
  const child = spawn('wrk', ['-t1', '-c100', `-d${values.seconds}s`, '--latency', `http://127.0.0.1:${port}/current`], { stdio: ['ignore', 'pipe', 'inherit'] });
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  await new Promise((resolve) => child.once('exit', resolve));
  const p = (label: string): string => new RegExp(`${label}\\s+([\\d.]+\\w+)`).exec(text)?.[1] ?? '?';
  return `${Math.round(Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1]))} req/s, p50 ${p('50%')}, p99 ${p('99%')}`;
}

async function handshakes(port: number, count: number): Promise<string> {
  const times: number[] = [];
  const started = performance.now();
  const one = (): Promise<number> => new Promise((resolve, reject) => {
    const t = performance.now();
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    ws.once('message', () => {
      resolve(performance.now() - t);
      ws.terminate();
    });
    ws.once('error', reject);
  });
  await Promise.all(Array.from({ length: 10 }, async () => {
    while (times.length < count) times.push(await one());
  }));
  return `${Math.round(times.length / ((performance.now() - started) / 1000))} handshakes/s, p50 ${median(times).toFixed(2)} ms, p99 ${percentile(times, 99).toFixed(2)} ms`;
}

const load = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
out(`bench fastifyWs: node ${process.version}, ${values.seconds} s per run, load ${load()}`);
for (let round = 1; round <= Number(values.rounds); round++) {
  for (const plugin of [false, true]) {
    const { app, port } = await server(plugin);
    await wrk(port);
    const http = await wrk(port);
    const ws = await handshakes(port, 2000);
    await app.close();
    out(`round ${round}, ${plugin ? '@fastify/websocket    ' : 'ws on the upgrade event'}: GET 14 KB ${http}; /ws ${ws} (load ${load()})`);
  }
}
