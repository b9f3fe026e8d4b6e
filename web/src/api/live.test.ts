// LiveConnection against a real WebSocket server on loopback (the ws package the daemon uses):
// snapshots in, staleness when the server drops the socket, reconnection by itself, the probe
// called when the upgrade is refused.
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket as ServerSocket, WebSocketServer } from 'ws';
import { SnapshotSimulator } from '../../../test/helpers/simulatedSnapshots.ts';
import { LiveConnection } from './live.ts';

const simulator = new SnapshotSimulator({ startMs: Date.UTC(2026, 0, 5, 12), intervalMs: 2000 });
const servers: WebSocketServer[] = [];
const connections: LiveConnection[] = [];

afterEach(async () => {
  for (const live of connections.splice(0)) live.stop();
  for (const server of servers.splice(0)) {
    for (const client of server.clients) client.terminate();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function server(options: ConstructorParameters<typeof WebSocketServer>[0] = {}): Promise<{ wss: WebSocketServer; url: string; sockets: ServerSocket[] }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, ...options });
  servers.push(wss);
  await new Promise((resolve) => wss.once('listening', resolve));
  const sockets: ServerSocket[] = [];
  wss.on('connection', (socket) => sockets.push(socket));
  return { wss, url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws`, sockets };
}

function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      if (check()) resolve();
      else if (Date.now() > deadline) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(poll, 10);
    };
    poll();
  });
}

const message = (index: number): string => JSON.stringify({ type: 'snapshot', data: simulator.snapshot(index) });

describe('LiveConnection', () => {
  it('shows snapshots, turns stale when the socket drops, and reconnects by itself', async () => {
    const { wss, url, sockets } = await server();
    let sent = 0;
    wss.on('connection', (socket) => socket.send(message(sent++)));
    const live = new LiveConnection({ url: () => url, random: () => 0 });
    connections.push(live);
    live.start();
    await until('the first snapshot', () => live.getState().status === 'open');
    expect(live.getState().latest?.timestampMs).toBe(simulator.snapshot(0).timestampMs);

    const states: string[] = [];
    live.subscribe(() => states.push(live.getState().status));
    sockets[0]?.terminate();
    await until('the stale state', () => live.getState().status === 'reconnecting');
    expect(live.getState().staleSinceMs).toBe(simulator.snapshot(0).timestampMs);

    await until('the snapshot of the second connection', () => live.getState().status === 'open');
    expect(sockets).toHaveLength(2);
    expect(live.getState().staleSinceMs).toBeUndefined();
    expect(live.getState().series.length).toBe(2);
    expect(states[0]).toBe('reconnecting');
    expect(states.at(-1)).toBe('open');
  });

  it('passes other messages to listeners and ignores text that is not JSON', async () => {
    const { wss, url } = await server();
    const episode = { id: 'e1', rule: 'r', metric: 'cpu_busy_percent', category: 'cpu', severity: 'warning', startMs: 1, endMs: null };
    wss.on('connection', (socket) => {
      socket.send('not json');
      socket.send(JSON.stringify({ type: 'anomaly', event: 'open', data: episode }));
    });
    const live = new LiveConnection({ url: () => url });
    connections.push(live);
    const received: unknown[] = [];
    live.onMessage((m) => received.push(m));
    live.start();
    await until('the anomaly message', () => received.length === 1);
    expect(received[0]).toMatchObject({ type: 'anomaly', event: 'open', data: { id: 'e1' } });
    expect(live.getState().latest).toBeUndefined();
  });

  it('asks the probe why when the upgrade is refused, and keeps retrying', async () => {
    const { url } = await server({ verifyClient: (_info, done) => done(false, 401, 'Unauthorized') });
    let probes = 0;
    const live = new LiveConnection({ url: () => url, random: () => 0, probe: () => (probes += 1) });
    connections.push(live);
    live.start();
    await until('two refused attempts', () => probes >= 2);
    expect(live.getState().status).toBe('reconnecting');
    expect(live.getState().staleSinceMs).toEqual(expect.any(Number));
  });

  it('shows the REST snapshot it is seeded with, and the socket adds no second point for the same snapshot', async () => {
    const { wss, url } = await server();
    wss.on('connection', (socket) => {
      socket.send(message(3));
      socket.send(message(4));
    });
    const live = new LiveConnection({ url: () => url, random: () => 0 });
    connections.push(live);
    live.seed(simulator.snapshot(3));
    // before any socket: the numbers and one point, still "connecting"
    expect(live.getState().latest?.timestampMs).toBe(simulator.snapshot(3).timestampMs);
    expect(live.getState().series.length).toBe(1);
    expect(live.getState().status).toBe('connecting');
    live.start();
    await until('the newer snapshot', () => live.getState().latest?.timestampMs === simulator.snapshot(4).timestampMs);
    expect(live.getState().series.data.timeSeconds).toEqual([3, 4].map((i) => simulator.snapshot(i).timestampMs / 1000));
    // a REST answer older than what the socket brought changes nothing
    live.seed(simulator.snapshot(2));
    expect(live.getState().latest?.timestampMs).toBe(simulator.snapshot(4).timestampMs);
    expect(live.getState().series.length).toBe(2);
  });
});
