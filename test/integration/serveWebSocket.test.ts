// WebSocket /ws of a real `hostguard serve`: snapshot on connect and per tick, topics, anomaly
// events, and the two ways a client is dropped (it reads too slowly; it does not answer pings).
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { cleanUp, eventually, FAST_SAMPLING, getJson, type RunningDaemon, setMemAvailablePercent, startDaemon } from './serveDaemon.ts';

interface Message {
  type: string;
  event?: string;
  data?: { timestampMs?: number; id?: string; rule?: string; endMs?: number | null };
  topics?: string[];
  message?: string;
}

// A client that keeps every message it receives, in order.
class Client {
  readonly ws: WebSocket;
  readonly messages: Message[] = [];
  closed = false;

  constructor(url: string, options: WebSocket.ClientOptions = {}) {
    this.ws = new WebSocket(url, options);
    this.ws.on('message', (data) => this.messages.push(JSON.parse(data.toString()) as Message));
    this.ws.on('close', () => (this.closed = true));
    this.ws.on('error', () => undefined);
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
  }

  next(what: string, match: (m: Message) => boolean, from = 0): Promise<Message> {
    return eventually(what, async () => this.messages.slice(from).find(match));
  }
}

const clients: Client[] = [];
const sockets: Socket[] = [];
function client(url: string, options?: WebSocket.ClientOptions): Client {
  const c = new Client(url, options);
  clients.push(c);
  return c;
}
afterEach(() => {
  for (const c of clients.splice(0)) c.ws.terminate();
  for (const s of sockets.splice(0)) s.destroy();
});
afterAll(cleanUp);

const wsUrl = (daemon: RunningDaemon): string => `ws://127.0.0.1:${daemon.port}/ws`;

async function status(daemon: RunningDaemon): Promise<{ clients: number; droppedTotal: { slow: number; no_pong: number } }> {
  return ((await getJson(`${daemon.baseUrl}/api/v1/monitoring/status`)).body as { websocket: { clients: number; droppedTotal: { slow: number; no_pong: number } } }).websocket;
}

describe('hostguard serve WebSocket /ws', () => {
  it('sends the latest snapshot on connect, each new one after, and anomaly open/close events to subscribers', async () => {
    const config = `${FAST_SAMPLING}\n[anomaly]\ndefault_rules = false\n[[anomaly.rules]]\nname = "test-memory"\nmetric = "memory_used_percent"\nthreshold = 50\nseverity = "warning"\n`;
    const daemon = await startDaemon({ config, fixtureProc: true });
    const all = client(wsUrl(daemon));
    await all.opened();
    const first = await all.next('the snapshot sent on connect', () => true);
    expect(first.type).toBe('snapshot');
    const newer = await all.next('a newer snapshot', (m) => m.type === 'snapshot' && (m.data?.timestampMs ?? 0) > (first.data?.timestampMs ?? 0));
    expect(newer.type).toBe('snapshot');

    const anomalies = client(wsUrl(daemon));
    await anomalies.opened();
    await anomalies.next('the snapshot sent on connect', (m) => m.type === 'snapshot');
    anomalies.ws.send(JSON.stringify({ subscribe: ['anomaly'] }));
    const subscribed = await anomalies.next('the subscription answer', (m) => m.type === 'subscribed');
    expect(subscribed.topics).toEqual(['anomaly']);
    const mark = anomalies.messages.length;
    setMemAvailablePercent(daemon.dir, 10);
    const opened = await anomalies.next('an anomaly open event', (m) => m.type === 'anomaly' && m.event === 'open', mark);
    expect(opened.data).toMatchObject({ rule: 'test-memory', endMs: null });
    setMemAvailablePercent(daemon.dir, 95);
    const closed = await anomalies.next('an anomaly close event', (m) => m.type === 'anomaly' && m.event === 'close', mark);
    expect(closed.data?.id).toBe(opened.data?.id);
    expect(closed.data?.endMs).toEqual(expect.any(Number));
    // after subscribing to anomalies only, no snapshot came
    expect(anomalies.messages.slice(mark).every((m) => m.type === 'anomaly')).toBe(true);
    // the other client got the same events among its snapshots
    await all.next('the close event on the all-topics client', (m) => m.type === 'anomaly' && m.event === 'close');
  });

  it('answers a subscription it does not understand with an error naming the topics', async () => {
    const daemon = await startDaemon({ config: FAST_SAMPLING, fixtureProc: true });
    const c = client(wsUrl(daemon));
    await c.opened();
    c.ws.send(JSON.stringify({ subscribe: ['snapshots'] }));
    expect((await c.next('an error', (m) => m.type === 'error')).message).toBe('unknown topic "snapshots"; send {"subscribe":[topics]} with topics from snapshot, anomaly, alerts, events');
    c.ws.send('hello');
    await eventually('a second error', async () => (c.messages.filter((m) => m.type === 'error').length === 2 ? true : undefined));
    expect(c.closed).toBe(false);
  });

  it('drops a client that stops reading once its unsent data passes max_buffered_bytes', async () => {
    // Large snapshots (every process of the host in the top lists) ten times a second.
    const config = `${FAST_SAMPLING.replaceAll('200ms', '100ms')}\n[collectors]\ntop_processes = 1000\n[api.websocket]\nmax_buffered_bytes = 65536\n`;
    const daemon = await startDaemon({ config });
    // A raw TCP client: the WebSocket handshake, then it never reads again.
    const socket = connect(daemon.port, '127.0.0.1');
    sockets.push(socket);
    const key = randomBytes(16).toString('base64');
    socket.write(`GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    const handshake = await new Promise<string>((resolve) => socket.once('data', (chunk: Buffer) => resolve(chunk.toString('latin1'))));
    expect(handshake).toMatch(/^HTTP\/1\.1 101 /);
    socket.pause();
    expect((await status(daemon)).clients).toBe(1);
    // A well-behaved client beside it keeps its connection.
    const reader = client(wsUrl(daemon));
    await reader.opened();
    const dropped = await eventually('the slow client dropped', async () => {
      const ws = await status(daemon);
      return ws.droppedTotal.slow === 1 ? ws : undefined;
    }, 60_000);
    expect(dropped.clients).toBe(1);
    expect(reader.closed).toBe(false);
    const metrics = await (await fetch(`${daemon.baseUrl}/metrics`)).text();
    expect(metrics).toContain('hostguard_websocket_dropped_total{reason="slow"} 1\n');
    expect(metrics).toContain('hostguard_websocket_clients 1\n');
  }, 90_000);

  it('drops a client that does not answer pings, and keeps one that does', async () => {
    const daemon = await startDaemon({ config: `${FAST_SAMPLING}\n[api.websocket]\nping_interval = "300ms"\n` , fixtureProc: true });
    const silent = client(wsUrl(daemon), { autoPong: false });
    const polite = client(wsUrl(daemon));
    await Promise.all([silent.opened(), polite.opened()]);
    let pings = 0;
    polite.ws.on('ping', () => (pings += 1));
    await eventually('the silent client dropped', async () => (silent.closed ? true : undefined));
    expect((await status(daemon)).droppedTotal).toEqual({ slow: 0, no_pong: 1 });
    // the polite one has answered pings meanwhile and is still there
    await eventually('two pings answered', async () => (pings >= 2 ? true : undefined));
    expect(polite.closed).toBe(false);
    expect((await status(daemon)).clients).toBe(1);
  });
});
