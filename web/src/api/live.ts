// The dashboard's one WebSocket to /ws: the latest snapshot and the live chart buffer, other
// messages passed to listeners, reconnecting by itself with backoff, and honest about staleness
// (the time of the last data it has, once the socket is gone or silent).
import { reconnectDelayMs, silenceLimitMs } from './backoff.ts';
import { LiveSeries } from './liveSeries.ts';
import type { HistoryAnswer, LiveMessage, MetricsSnapshot } from './types.ts';

export type LiveStatus = 'connecting' | 'open' | 'reconnecting';

export interface LiveState {
  status: LiveStatus;
  latest: MetricsSnapshot | undefined;
  // when the socket dropped: the time of the newest data the page has (or of the drop, with none)
  staleSinceMs: number | undefined;
  // when the next attempt starts, while reconnecting
  retryAtMs: number | undefined;
  // grows with every snapshot: the buffer below changed
  version: number;
  series: LiveSeries;
}

export interface LiveOptions {
  url: () => string;
  // After a socket closed before opening: asks the REST API why (a 401 brings up the login prompt).
  probe?: () => void;
  WebSocketImpl?: typeof WebSocket;
  now?: () => number;
  random?: () => number;
  capacity?: number;
}

type MessageListener = (message: LiveMessage) => void;

export class LiveConnection {
  private readonly options: Required<Omit<LiveOptions, 'probe'>> & Pick<LiveOptions, 'probe'>;
  private state: LiveState;
  private socket: WebSocket | undefined;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private watchdog: ReturnType<typeof setInterval> | undefined;
  private lastMessageAtMs = 0;
  private stopped = true;
  private snapshotMarked = false;
  private readonly stateListeners = new Set<() => void>();
  private readonly messageListeners = new Set<MessageListener>();

  constructor(options: LiveOptions) {
    this.options = { WebSocketImpl: WebSocket, now: () => Date.now(), random: Math.random, capacity: 900, ...options };
    this.state = { status: 'connecting', latest: undefined, staleSinceMs: undefined, retryAtMs: undefined, version: 0, series: new LiveSeries(this.options.capacity) };
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  };

  readonly getState = (): LiveState => this.state;

  onMessage(listener: MessageListener): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  // Older points for the charts, from the history API (the socket only brings new ones).
  prefill(answer: HistoryAnswer): void {
    this.state.series.prefill(answer);
    this.update({ version: this.state.version + 1 });
  }

  // The latest snapshot from REST before the socket brings one: numbers and a point at once.
  seed(snapshot: MetricsSnapshot): void {
    if (this.state.series.add(snapshot)) this.update({ latest: snapshot, version: this.state.version + 1 });
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.watchdog = setInterval(() => this.checkSilence(), 5000);
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.watchdog);
    this.socket?.close(1000, 'page closed');
    this.socket = undefined;
  }

  // Reconnects now, from attempt zero (a new token was entered).
  restart(): void {
    this.attempt = 0;
    clearTimeout(this.retryTimer);
    const socket = this.socket;
    this.socket = undefined;
    socket?.close(1000, 'restart');
    this.connect();
  }

  private update(patch: Partial<LiveState>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of this.stateListeners) listener();
  }

  private connect(): void {
    if (this.stopped) return;
    let opened = false;
    const socket = new this.options.WebSocketImpl(this.options.url());
    this.socket = socket;
    this.lastMessageAtMs = this.options.now();
    if (this.state.status !== 'reconnecting') this.update({ status: 'connecting', retryAtMs: undefined });
    socket.onopen = () => {
      opened = true;
      this.lastMessageAtMs = this.options.now();
    };
    socket.onmessage = (event: MessageEvent) => {
      if (this.socket === socket && typeof event.data === 'string') this.receive(event.data);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (!opened) this.options.probe?.();
      this.scheduleRetry();
    };
  }

  private receive(text: string): void {
    this.lastMessageAtMs = this.options.now();
    let message: LiveMessage;
    try {
      message = JSON.parse(text) as LiveMessage;
    } catch {
      return;
    }
    if (message.type === 'snapshot') {
      // for bench/web.ts: when the socket's first snapshot arrived, beside when the first chart was drawn
      if (!this.snapshotMarked) performance.mark('hostguard:first-snapshot');
      this.snapshotMarked = true;
      this.attempt = 0;
      this.state.series.add(message.data);
      this.update({ status: 'open', latest: message.data, staleSinceMs: undefined, retryAtMs: undefined, version: this.state.version + 1 });
    }
    for (const listener of this.messageListeners) listener(message);
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    const delayMs = reconnectDelayMs(this.attempt, this.options.random);
    this.attempt += 1;
    const staleSinceMs = this.state.staleSinceMs ?? this.state.latest?.timestampMs ?? this.options.now();
    this.update({ status: 'reconnecting', staleSinceMs, retryAtMs: this.options.now() + delayMs });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), delayMs);
  }

  // A socket silent for longer than the limit is given up (a half-open one may never report its
  // close) and a new one started.
  private checkSilence(): void {
    const socket = this.socket;
    if (!socket || this.options.now() - this.lastMessageAtMs <= silenceLimitMs(this.state.latest?.intervalSeconds)) return;
    this.socket = undefined;
    socket.close(4000, 'silent');
    this.scheduleRetry();
  }
}
