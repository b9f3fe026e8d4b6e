// Data from a hostguard daemon: the WebSocket for snapshots, anomalies, alerts and events as they
// happen; REST for the lists on each (re)connect. Reconnects by itself, with a growing pause.
import { hostname as osHostname } from 'node:os';
import WebSocket from 'ws';
import type { Alert } from '../alert/model.ts';
import type { MetricsSnapshot } from '../collect/types.ts';
import type { Episode } from '../detect/rules.ts';
import type { HostEvent } from '../events/model.ts';
import { isLoopback } from '../serve/address.ts';
import { DataStore, initialData, type ViewData, withAlert, withEpisode, withEvent, withSnapshot } from './model.ts';
import type { DataSource } from './source.ts';

export interface DaemonSourceOptions {
  url: URL;
  token?: string;
  now?: () => number;
  hostname?: () => string;
  // how often the connection is checked with a ping; no pong by the next check: reconnect
  heartbeatMs?: number;
  requestTimeoutMs?: number;
}

const RETRY_DELAYS_MS = [500, 1000, 2000, 4000, 5000];
const LIST_LIMIT = 30;

// The base URL with a trailing slash, so relative paths resolve under a reverse proxy's prefix too.
function baseOf(url: URL): URL {
  const base = new URL(url.href);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  base.search = '';
  base.hash = '';
  return base;
}

// ws reports an HTTP answer to the upgrade as "Unexpected server response: 401".
// The fields the events panel reads as strings: an event from a daemon of another version that
// lacks one is left out rather than breaking the panel.
function isHostEvent(value: unknown): value is HostEvent {
  const event = value as Partial<HostEvent> | null;
  return typeof event === 'object' && event !== null && typeof event.id === 'string' && typeof event.type === 'string' && typeof event.timeMs === 'number' && typeof event.message === 'string';
}

function describeError(error: Error, url: string): string {
  const status = /Unexpected server response: (\d+)/.exec(error.message)?.[1];
  if (status === '401') return `the daemon at ${url} refused the token (401): pass --token or set HOSTGUARD_TOKEN`;
  if (status === '503') return `the daemon at ${url} has too many WebSocket clients (503)`;
  if (status !== undefined) return `the daemon at ${url} answered the WebSocket upgrade with HTTP ${status}`;
  return `cannot reach ${url}: ${error.message}`;
}

export class DaemonSource implements DataSource {
  readonly store: DataStore;
  private readonly base: URL;
  private readonly options: DaemonSourceOptions;
  private readonly now: () => number;
  private ws: WebSocket | undefined;
  private generation = 0;
  private attempts = 0;
  private awaitingPong = false;
  private stopped = false;
  private lastError = '';
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeat: ReturnType<typeof setInterval> | undefined;

  constructor(options: DaemonSourceOptions) {
    this.options = options;
    this.base = baseOf(options.url);
    this.now = options.now ?? Date.now;
    this.store = new DataStore(initialData(this.base.href.replace(/\/$/, ''), this.now(), { alerts: true, events: true }));
  }

  start(): void {
    this.connect();
    this.heartbeat = setInterval(() => this.checkAlive(), this.options.heartbeatMs ?? 10_000);
    this.heartbeat.unref();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.retryTimer);
    this.ws?.terminate();
  }

  signalRefusal(snapshot: MetricsSnapshot | undefined): string | undefined {
    const host = this.base.hostname.replace(/^\[|\]$/g, '');
    const readOnly = "the daemon's API is read-only and cannot be asked to signal; run 'hostguard top --local' on that host";
    if (!isLoopback(host)) return `the processes are on ${this.base.host}: ${readOnly}`;
    const theirs = snapshot?.system?.hostname;
    const ours = (this.options.hostname ?? osHostname)();
    if (theirs !== undefined && theirs !== ours) return `the daemon at ${this.base.host} reports host '${theirs}', not this host '${ours}': ${readOnly}`;
    return undefined;
  }

  // One REST round instead of the socket (for --once): the current snapshot and the lists.
  async poll(): Promise<string | undefined> {
    try {
      const response = await fetch(new URL('api/v1/metrics/current', this.base), { headers: this.headers, signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 5000) });
      if (response.status === 401) return `the daemon at ${this.base.href} refused the token (401): pass --token or set HOSTGUARD_TOKEN`;
      if (!response.ok) return `GET ${this.base.href}api/v1/metrics/current: HTTP ${response.status}`;
      const snapshot = (await response.json()) as MetricsSnapshot;
      this.store.update((data) => withSnapshot({ ...data, connection: { state: 'live' } }, snapshot, this.now()));
    } catch (error) {
      return `cannot reach ${this.base.href}: ${error instanceof Error ? error.message : String(error)}`;
    }
    await this.loadLists(this.generation);
    return undefined;
  }

  private get headers(): Record<string, string> {
    return this.options.token === undefined ? {} : { authorization: `Bearer ${this.options.token}` };
  }

  private connect(): void {
    const generation = ++this.generation;
    const wsUrl = new URL('ws', this.base);
    wsUrl.protocol = this.base.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(wsUrl, { headers: this.headers, handshakeTimeout: this.options.requestTimeoutMs ?? 5000, perMessageDeflate: false });
    this.ws = ws;
    this.awaitingPong = false;
    ws.on('open', () => {
      this.attempts = 0;
      this.store.update((data) => ({ ...data, connection: { state: 'live' } }));
      void this.loadLists(generation);
    });
    ws.on('message', (raw) => this.receive(raw.toString()));
    ws.on('pong', () => {
      this.awaitingPong = false;
    });
    ws.on('error', (error) => {
      this.lastError = describeError(error, this.base.href);
    });
    ws.on('close', () => {
      if (generation !== this.generation || this.stopped) return;
      this.disconnected();
    });
  }

  private disconnected(): void {
    const error = this.lastError || `the connection to ${this.base.href} closed`;
    this.lastError = '';
    this.store.update((data) => ({ ...data, connection: { state: 'disconnected', sinceMs: data.connection.state === 'disconnected' ? data.connection.sinceMs : this.now(), error } }));
    const delay = RETRY_DELAYS_MS[Math.min(this.attempts, RETRY_DELAYS_MS.length - 1)] ?? 5000;
    this.attempts++;
    this.retryTimer = setTimeout(() => this.connect(), delay);
    this.retryTimer.unref();
  }

  // A connection that stopped answering (a frozen daemon, a dead network path) never closes on its own.
  private checkAlive(): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    if (this.awaitingPong) {
      this.lastError = `${this.base.href} stopped answering pings`;
      ws.terminate();
      return;
    }
    this.awaitingPong = true;
    ws.ping();
  }

  private receive(text: string): void {
    let message: { type?: unknown; event?: unknown; data?: unknown };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return;
    }
    if (typeof message.data !== 'object' || message.data === null) return;
    const nowMs = this.now();
    if (message.type === 'snapshot') this.store.update((data) => withSnapshot(data, message.data as MetricsSnapshot, nowMs));
    else if (message.type === 'anomaly') this.store.update((data) => withEpisode(data, message.data as Episode));
    else if (message.type === 'alert') this.store.update((data) => withAlert(data, message.data as Alert));
    else if (message.type === 'event' && isHostEvent(message.data)) {
      const event = message.data;
      this.store.update((data) => withEvent(data, event));
    }
  }

  // GET a list; a 404 is a daemon without that API yet: an empty list, not an error.
  private async getList<T>(path: string, key: string): Promise<{ items: T[] } | { error: string }> {
    try {
      const response = await fetch(new URL(path, this.base), { headers: this.headers, signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 5000) });
      if (response.status === 404) return { items: [] };
      if (!response.ok) return { error: `GET /${path.split('?')[0]}: HTTP ${response.status}` };
      const body = (await response.json()) as Record<string, unknown>;
      const items = body[key];
      return Array.isArray(items) ? { items: items as T[] } : { error: `GET /${path.split('?')[0]}: no '${key}' list in the answer` };
    } catch (error) {
      return { error: `GET /${path.split('?')[0]}: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  private async loadLists(generation: number): Promise<void> {
    const [anomalies, alerts, events] = await Promise.all([
      this.getList<Episode>(`api/v1/anomalies?limit=${LIST_LIMIT}`, 'anomalies'),
      this.getList<Alert>(`api/v1/alerts?limit=${LIST_LIMIT}`, 'alerts'),
      this.getList<unknown>(`api/v1/events?limit=${LIST_LIMIT}`, 'events'),
    ]);
    if (generation !== this.generation) return;
    const errors = [anomalies, alerts, events].flatMap((result) => ('error' in result ? [result.error] : []));
    this.store.update((data): ViewData => {
      // Merged by id into what the socket delivered meanwhile (which may be newer).
      let next: ViewData = data;
      for (const episode of 'items' in anomalies ? anomalies.items : []) next = withEpisode(next, episode);
      for (const alert of 'items' in alerts ? alerts.items : []) next = withAlert(next, alert);
      for (const event of 'items' in events ? events.items.filter(isHostEvent) : []) next = withEvent(next, event);
      const { notice: _old, ...rest } = next;
      return errors.length > 0 ? { ...rest, notice: errors.join('; ') } : rest;
    });
  }
}
