// Opens authenticated D-Bus connections (short-lived under one deadline, or kept open for the pool and
// for listeners); loads the D-Bus library on first use.
import type { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { type DbusSocketTarget, parseDbusAddress } from './dbusAddress.ts';
import { type AuthenticatedSocket, PreauthenticatedStream, openAuthenticatedSocket } from './dbusAuth.ts';
import { DbusErrorReply } from './dbusErrors.ts';

export const SIGNAL_MESSAGE_TYPE = 4;

// The subset of @homebridge/dbus-native this project uses; its bundled typings omit createClient.
export interface DbusMessage {
  type?: number;
  serial?: number;
  sender?: string;
  destination?: string;
  path: string;
  interface: string;
  member: string;
  signature?: string;
  body?: unknown[];
}
export interface DbusReplyError {
  name?: string;
  message?: string;
}
export interface NativeBus {
  invoke(message: DbusMessage, callback: (error: DbusReplyError | null, ...values: unknown[]) => void): void;
  sendSignal(path: string, iface: string, member: string, signature: string, body: unknown[]): void;
  sendReply(message: DbusMessage, signature: string, body: unknown[]): void;
  connection: EventEmitter & { end(): void; stream: { destroy(): void } };
}
export interface NativeModule {
  createClient(options: { stream?: Duplex; busAddress?: string; direct?: boolean }): NativeBus;
}

let loading: Promise<NativeModule> | undefined;

// Loaded on first use so a guard that never notifies never pays for the library.
export function loadDbusNative(): Promise<NativeModule> {
  loading ??= import('@homebridge/dbus-native').then((module) => module.default as unknown as NativeModule);
  return loading;
}

export interface ConnectOptions {
  // The uid to authenticate as; defaults to this process's effective uid. Root may name any uid.
  uid?: number;
  // The callers (dbus.ts) own the default.
  timeoutMs: number;
}

export interface BusSession {
  call(message: DbusMessage): Promise<unknown[]>;
  signal(path: string, iface: string, member: string, signature: string, body: unknown[]): void;
}

export interface BusClient {
  bus: NativeBus;
  session: BusSession;
  // Aborted once the connection is gone; the reason is an Error saying why (closed by the bus, a
  // connection error, a deadline, or close()).
  closed: AbortSignal;
  // Whether the open socket keeps the process alive: the pool lets an idle connection go unnoticed.
  holdProcess(hold: boolean): void;
  close(reason?: Error): void;
}

// Rejects `rejected` on the first of: the deadline, the connection closing, a connection error.
// `teardown` is aborted to destroy the socket; `stopClock` ends the deadline for a client kept open.
class Failure {
  phase = 'connecting';
  readonly rejected: Promise<never>;
  readonly teardown = new AbortController();
  readonly #timer: ReturnType<typeof setTimeout>;
  #reject: (error: Error) => void = () => undefined;

  constructor(timeoutMs: number) {
    this.rejected = new Promise<never>((_resolve, reject) => {
      this.#reject = reject;
    });
    // Nobody may be awaiting `rejected` any more when a kept-open client is closed later.
    this.rejected.catch(() => undefined);
    this.#timer = setTimeout(() => this.fail(`no answer within ${timeoutMs} ms while ${this.phase}`), timeoutMs);
  }

  fail(reason: string): void {
    const error = new Error(reason);
    this.#reject(error);
    this.close(error);
  }

  stopClock(): void {
    clearTimeout(this.#timer);
  }

  // The first reason given stays: a connection the bus closed stays "closed by the bus".
  close(reason: Error = new Error('the connection was closed by this process')): void {
    this.stopClock();
    this.teardown.abort(reason);
  }
}

function describeTarget(target: DbusSocketTarget): string {
  return target.abstract ? `abstract socket @${target.socketPath}` : `socket ${target.socketPath}`;
}

async function firstReachable(targets: DbusSocketTarget[], uid: number, failure: Failure): Promise<AuthenticatedSocket> {
  const errors: string[] = [];
  for (const target of targets) {
    try {
      const authenticated = await openAuthenticatedSocket(target, uid, failure.teardown.signal);
      failure.teardown.signal.addEventListener('abort', () => authenticated.socket.destroy());
      return authenticated;
    } catch (error) {
      errors.push(`${describeTarget(target)}: ${(error as Error).message}`);
    }
  }
  throw new Error(errors.join('; '));
}

function makeSession(bus: NativeBus, failure: Failure): BusSession {
  return {
    call(message) {
      failure.phase = `calling ${message.interface}.${message.member}`;
      return new Promise((resolve, reject) => {
        bus.invoke(message, (error, ...values) => {
          if (error) reject(new DbusErrorReply(`${message.interface}.${message.member} failed: ${error.name ?? 'error'}: ${error.message ?? ''}`));
          else resolve(values);
        });
      });
    },
    signal(path, iface, member, signature, body) {
      bus.sendSignal(path, iface, member, signature, body);
    },
  };
}

async function connect(targets: DbusSocketTarget[], options: ConnectOptions, failure: Failure): Promise<BusClient> {
  const uid = options.uid ?? process.geteuid?.() ?? 0;
  failure.phase = `connecting and authenticating as uid ${uid}`;
  const authenticated = await firstReachable(targets, uid, failure);
  const stream = new PreauthenticatedStream(authenticated);
  stream.on('close', () => failure.fail(`the bus closed the connection while ${failure.phase}`));
  failure.teardown.signal.addEventListener('abort', () => stream.destroy());
  failure.phase = 'loading the D-Bus library';
  const library = await loadDbusNative();
  const bus = library.createClient({ stream, direct: true });
  bus.connection.on('error', (error: Error) => failure.fail(`connection error while ${failure.phase}: ${error.message}`));
  const session = makeSession(bus, failure);
  // A bus admits a connection only after Hello; a user its policy refuses is disconnected here.
  const hello = session.call({ destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus', member: 'Hello' });
  failure.phase = `registering with Hello as uid ${uid} (a bus disconnects users its policy refuses; a session bus admits only its owner)`;
  await hello;
  const socket = authenticated.socket;
  return {
    bus,
    session,
    closed: failure.teardown.signal,
    holdProcess: (hold) => void (hold ? socket.ref() : socket.unref()),
    close: (reason) => failure.close(reason),
  };
}

function start(address: string, options: ConnectOptions): { targets: DbusSocketTarget[]; failure: Failure } {
  const parsed = parseDbusAddress(address);
  if (!parsed.ok) throw new Error(parsed.error);
  return { targets: parsed.value, failure: new Failure(options.timeoutMs) };
}

export function named(address: string, error: unknown): Error {
  return new Error(`D-Bus ${address}: ${(error as Error).message}`, { cause: error });
}

// Connects to `address`, runs `use`, and disconnects. Every failure rejects with an Error that names the
// address and the reason; nothing takes longer than timeoutMs.
export async function withBus<T>(address: string, options: ConnectOptions, use: (session: BusSession) => Promise<T>): Promise<T> {
  const { targets, failure } = start(address, options);
  const run = async (): Promise<T> => use((await connect(targets, options, failure)).session);
  try {
    return await Promise.race([run(), failure.rejected]);
  } catch (error) {
    throw named(address, error);
  } finally {
    failure.close();
  }
}

// A connection kept open until close(), for listeners and servers; timeoutMs bounds connecting only.
export async function openBusClient(address: string, options: ConnectOptions): Promise<BusClient> {
  const { targets, failure } = start(address, options);
  try {
    const client = await Promise.race([connect(targets, options, failure), failure.rejected]);
    failure.stopClock();
    return client;
  } catch (error) {
    failure.close();
    throw named(address, error);
  }
}
