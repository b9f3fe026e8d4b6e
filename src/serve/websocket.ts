// WebSocket /ws: the latest snapshot on connect, then every snapshot and anomaly open/close to the
// topics a client subscribed to. A client that reads too slowly (its unsent data passes the limit)
// or misses a pong is dropped, so clients can never grow the daemon's memory.
import { WebSocket } from 'ws';
import { type LiveHub, type Topic, TOPICS } from './hub.ts';
import type { WebSocketSettings } from './settings.ts';
import type { DropReason } from './status.ts';

interface Client {
  ws: WebSocket;
  topics: Set<Topic>;
  awaitingPong: boolean;
}

export class WebSocketHub {
  private readonly hub: LiveHub;
  private readonly settings: WebSocketSettings;
  private readonly clients = new Set<Client>();
  private readonly unsubscribe: () => void;
  private readonly pingTimer: ReturnType<typeof setInterval>;

  constructor(hub: LiveHub, settings: WebSocketSettings) {
    this.hub = hub;
    this.settings = settings;
    this.unsubscribe = hub.subscribe((topic, message) => this.broadcast(topic, message));
    this.pingTimer = setInterval(() => this.pingAll(), settings.pingIntervalMs);
    this.pingTimer.unref();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  close(): void {
    clearInterval(this.pingTimer);
    this.unsubscribe();
    for (const client of this.clients) client.ws.close(1001, 'server shutting down');
    // A client that does not answer the close handshake soon is cut off.
    setTimeout(() => {
      for (const client of this.clients) client.ws.terminate();
    }, 200).unref();
  }

  // A client after the handshake: the HTTP server has checked the token and the client limit.
  accept(ws: WebSocket): void {
    const client: Client = { ws, topics: new Set(TOPICS), awaitingPong: false };
    this.clients.add(client);
    this.updateCount();
    ws.on('pong', () => {
      client.awaitingPong = false;
    });
    ws.on('message', (data, isBinary) => this.receive(client, data, isBinary));
    ws.on('close', () => {
      this.clients.delete(client);
      this.updateCount();
    });
    // Protocol errors (an oversized or malformed frame) close the connection; nothing else to do.
    ws.on('error', () => undefined);
    const latest = this.hub.snapshotMessage;
    if (latest) this.send(client, latest);
  }

  private receive(client: Client, data: WebSocket.RawData, isBinary: boolean): void {
    let request: unknown;
    try {
      request = isBinary ? undefined : JSON.parse(data.toString());
    } catch {
      request = undefined;
    }
    const topics = typeof request === 'object' && request !== null && 'subscribe' in request ? request.subscribe : undefined;
    const usage = `send {"subscribe":[topics]} with topics from ${TOPICS.join(', ')}`;
    if (!Array.isArray(topics)) {
      this.send(client, Buffer.from(JSON.stringify({ type: 'error', message: `not understood; ${usage}` })));
      return;
    }
    const unknown = topics.find((t) => !(TOPICS as readonly unknown[]).includes(t));
    if (unknown !== undefined) {
      this.send(client, Buffer.from(JSON.stringify({ type: 'error', message: `unknown topic ${JSON.stringify(unknown)}; ${usage}` })));
      return;
    }
    client.topics = new Set(topics as Topic[]);
    this.send(client, Buffer.from(JSON.stringify({ type: 'subscribed', topics: [...client.topics] })));
  }

  private broadcast(topic: Topic, message: Buffer): void {
    for (const client of this.clients) if (client.topics.has(topic)) this.send(client, message);
  }

  private send(client: Client, message: Buffer): void {
    if (client.ws.readyState !== WebSocket.OPEN) return;
    // The backlog, not the message: one snapshot larger than the limit still goes to a client that keeps up.
    if (client.ws.bufferedAmount > this.settings.maxBufferedBytes) {
      this.drop(client, 'slow');
      return;
    }
    client.ws.send(message, { binary: false });
  }

  private pingAll(): void {
    for (const client of this.clients) {
      if (client.awaitingPong) {
        this.drop(client, 'no_pong');
        continue;
      }
      client.awaitingPong = true;
      client.ws.ping();
    }
  }

  private drop(client: Client, reason: DropReason): void {
    this.hub.status.websocket.droppedTotal[reason] += 1;
    this.clients.delete(client);
    this.updateCount();
    client.ws.terminate();
  }

  private updateCount(): void {
    this.hub.status.websocket.clients = this.clients.size;
  }
}
