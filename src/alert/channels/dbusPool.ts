// Keeps one D-Bus connection per (bus address, uid) open and reuses it for every call, so an alert
// storm costs one connect + EXTERNAL auth + Hello per bus instead of one per notification.
//
// Why per uid as well as per address: a connection authenticates once, at connect() time, as the uid
// it was opened for (dbusAuth.ts), and a session bus admits only its owner. Keying by address alone
// would let a call meant to run as one uid ride on a connection opened as another.
// Calls need no serializing here: the library writes each message whole and matches replies by serial.
// An idle connection does not keep the process alive (its socket is unref'd while no call runs), so a
// process that forgets close() still exits; the daemon should call close() on shutdown anyway.
import { setMaxListeners } from 'node:events';
import { type BusClient, type BusSession, type ConnectOptions, named, openBusClient } from './dbusConnection.ts';
import { deadline } from './deadline.ts';
import { CallUnanswered } from './dbusErrors.ts';

export const DEFAULT_IDLE_MS = 60_000;

export interface BusPoolOptions {
  // A connection with no call for this long is closed.
  idleMs?: number;
}

export interface BusPoolStats {
  // Connections opened since the pool was made (a reconnect counts), and how many are open now.
  opened: number;
  open: number;
  // Calls that found their connection broken and were retried once on a new one.
  reconnects: number;
}

// The connection was found closed before the call was written: safe to run on a new connection.
class ConnectionLost extends Error {}

// Settles with `work`, or rejects with the reason of the first of `signals` to abort.
function unlessAborted<T>(work: Promise<T>, signals: AbortSignal[], wrap: (reason: unknown) => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (event: Event): void => {
      cleanup();
      reject(wrap((event.target as AbortSignal).reason));
    };
    const cleanup = (): void => {
      for (const signal of signals) signal.removeEventListener('abort', onAbort);
    };
    for (const signal of signals) {
      if (signal.aborted) return reject(wrap(signal.reason));
      signal.addEventListener('abort', onAbort, { once: true });
    }
    work.then(
      (value) => {
        cleanup();
        resolve(value);
      },
      (error: unknown) => {
        cleanup();
        reject(error);
      },
    );
  });
}

function reasonText(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}

// One call's deadline (timeoutMs, or the caller's abort, whichever comes first) and what it was
// doing; dispose() clears its timer when the call ends (deadline.ts says why not AbortSignal.timeout).
class Deadline {
  readonly signal: AbortSignal;
  phase: string;
  readonly #limit: ReturnType<typeof deadline>;
  readonly #timeoutMs: number;

  constructor(timeoutMs: number, abort: AbortSignal | undefined, phase: string) {
    this.#limit = deadline(timeoutMs, [abort]);
    this.#timeoutMs = timeoutMs;
    this.signal = this.#limit.signal;
    this.phase = phase;
  }

  error(): Error {
    const what = this.#limit.expired ? `no answer within ${this.#timeoutMs} ms` : `aborted (${reasonText(this.signal.reason)})`;
    return new Error(`${what} while ${this.phase}`);
  }

  dispose(): void {
    this.#limit.dispose();
  }
}

class PooledConnection {
  readonly client: BusClient;
  inFlight = 0;
  lastUsedMs = performance.now();

  constructor(client: BusClient) {
    this.client = client;
    // Every call in flight listens for the connection's end: many at once is the point of the pool.
    setMaxListeners(0, client.closed);
    client.holdProcess(false);
  }

  get lost(): boolean {
    return this.client.closed.aborted;
  }

  // A session whose calls fail as ConnectionLost when the connection was gone before they were
  // written, and as CallUnanswered when it went (or the deadline passed) after.
  session(deadline: Deadline): BusSession {
    const lost = (reason: unknown): Error => new ConnectionLost(reasonText(reason));
    return {
      call: (message) => {
        if (this.lost) return Promise.reject(lost(this.client.closed.reason));
        const what = `${message.interface}.${message.member}`;
        deadline.phase = `calling ${what}`;
        const unanswered = (reason: unknown): Error => new CallUnanswered(`the connection closed after ${what} was sent, before its answer (${reasonText(reason)})`);
        const reply = unlessAborted(this.client.session.call(message), [this.client.closed], unanswered);
        return unlessAborted(reply, [deadline.signal], () => new CallUnanswered(`${deadline.error().message}, after it was sent`));
      },
      signal: (path, iface, member, signature, body) => {
        if (this.lost) throw lost(this.client.closed.reason);
        this.client.session.signal(path, iface, member, signature, body);
      },
    };
  }

  begin(): void {
    if (this.inFlight++ === 0) this.client.holdProcess(true);
  }

  end(): void {
    this.lastUsedMs = performance.now();
    if (--this.inFlight === 0) this.client.holdProcess(false);
  }
}

export class BusPool {
  readonly #idleMs: number;
  readonly #connections = new Map<string, Promise<PooledConnection>>();
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  readonly #stats = { opened: 0, reconnects: 0 };

  constructor(options: BusPoolOptions = {}) {
    this.#idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
  }

  get stats(): BusPoolStats {
    return { ...this.#stats, open: this.#connections.size };
  }

  // Runs `use` on the pooled connection for (address, uid), opening it when there is none. When the
  // connection is found broken before `use` wrote anything (the bus restarted, say), it is replaced
  // and `use` runs once more; a call already written is never run again (CallUnanswered).
  // Rejects with an Error naming the address (the cause says which kind of failure it was);
  // connecting and calling take at most timeoutMs together.
  async run<T>(address: string, options: ConnectOptions, use: (session: BusSession) => Promise<T>, abort?: AbortSignal): Promise<T> {
    const uid = options.uid ?? process.geteuid?.() ?? 0;
    const deadline = new Deadline(options.timeoutMs, abort, `connecting and authenticating as uid ${uid}`);
    try {
      for (let attempt = 1; ; attempt++) {
        const connection = await unlessAborted(this.#acquire(address, { ...options, uid }), [deadline.signal], () => deadline.error());
        connection.begin();
        try {
          return await use(connection.session(deadline));
        } catch (error) {
          if (!(error instanceof ConnectionLost) || attempt > 1) throw error;
          this.#stats.reconnects++;
        } finally {
          connection.end();
        }
      }
    } catch (error) {
      throw named(address, error);
    } finally {
      deadline.dispose();
    }
  }

  // Closes every connection; later calls fail.
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#idleTimer);
    const connections = [...this.#connections.values()];
    this.#connections.clear();
    const settled = await Promise.allSettled(connections);
    for (const result of settled) if (result.status === 'fulfilled') result.value.client.close();
  }

  #acquire(address: string, options: ConnectOptions & { uid: number }): Promise<PooledConnection> {
    if (this.#closed) return Promise.reject(new Error('the D-Bus connection pool was closed'));
    const key = `${options.uid} ${address}`;
    const known = this.#connections.get(key);
    if (!known) return this.#open(key, address, options);
    // A lost connection has already been forgotten: looking again finds its replacement or opens one.
    return known.then((connection) => (connection.lost ? this.#acquire(address, options) : connection));
  }

  #open(key: string, address: string, options: ConnectOptions): Promise<PooledConnection> {
    // Concurrent callers share one connect; a failed connect is forgotten so the next call tries again.
    const opening = openBusClient(address, options).then((client) => {
      this.#stats.opened++;
      client.closed.throwIfAborted();
      const connection = new PooledConnection(client);
      client.closed.addEventListener('abort', () => this.#forget(key, opening), { once: true });
      if (this.#closed) client.close();
      this.#armIdleTimer(this.#idleMs);
      return connection;
    });
    opening.catch(() => this.#forget(key, opening));
    this.#connections.set(key, opening);
    return opening;
  }

  #forget(key: string, entry: Promise<PooledConnection>): void {
    if (this.#connections.get(key) === entry) this.#connections.delete(key);
  }

  // One timer for the whole pool, due when the least recently used connection would be idle; a
  // timer per call would cost a setTimeout per notification in a storm.
  #armIdleTimer(delayMs: number): void {
    if (this.#idleTimer !== undefined || this.#closed) return;
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = undefined;
      void this.#closeIdle();
    }, delayMs);
    this.#idleTimer.unref();
  }

  async #closeIdle(): Promise<void> {
    const settled = await Promise.allSettled([...this.#connections.values()]);
    const now = performance.now();
    let nextDueMs = Infinity;
    for (const result of settled) {
      if (result.status !== 'fulfilled' || result.value.lost) continue;
      const connection = result.value;
      const idleForMs = now - connection.lastUsedMs;
      if (connection.inFlight === 0 && idleForMs >= this.#idleMs) connection.client.close(new Error(`idle for ${this.#idleMs} ms`));
      else nextDueMs = Math.min(nextDueMs, connection.inFlight > 0 ? this.#idleMs : this.#idleMs - idleForMs);
    }
    if (nextDueMs < Infinity) this.#armIdleTimer(Math.max(1, nextDueMs));
  }
}
