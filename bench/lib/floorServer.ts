// The floor of bench/api.ts: a server that answers GET /current with a constant body and does nothing
// else, so that wrk against it measures what HTTP on this machine costs before the daemon does any work.
// `node bench/lib/floorServer.ts http|fastify BODY_FILE` prints its port on stdout and runs until killed.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';

const [kind, bodyFile] = process.argv.slice(2);
if ((kind !== 'http' && kind !== 'fastify') || bodyFile === undefined) {
  process.stderr.write('floorServer: usage: floorServer.ts http|fastify BODY_FILE\n');
  process.exit(2);
}
const body = readFileSync(bodyFile);

if (kind === 'http') {
  // node:http alone, the headers the daemon sends written as one array
  const headers = ['content-type', 'application/json', 'cache-control', 'no-store', 'content-length', String(body.length)];
  const server = createServer((_request, response) => {
    response.writeHead(200, headers);
    response.end(body);
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
} else {
  // a bare fastify route: no hooks, no plugins, no logger
  const app = Fastify();
  app.get('/current', (_request, reply) => reply.header('cache-control', 'no-store').type('application/json').send(body));
  await app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(`${(app.server.address() as AddressInfo).port}\n`);
}
