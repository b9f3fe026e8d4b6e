// Opens an authenticated D-Bus socket as a chosen uid, so root can reach another user's session bus.
//
// dbus-daemon accepts EXTERNAL auth only for the uid the kernel reports for the socket (SO_PEERCRED,
// fixed at connect() time from the effective uid), and a session bus admits only its owner. Claiming
// another uid over a root socket is REJECTED (tested in test/integration/dbus.test.ts). So root
// switches its effective uid around the connect() call alone, then claims that uid in the handshake.
// libuv issues connect() for a unix socket synchronously inside net.connect(), so no other JavaScript
// runs while the effective uid is switched. The switch is process-wide: a file operation that a libuv
// pool thread happens to run in that moment runs with the user's rights, which are never more than root's.
import { Duplex } from 'node:stream';
import { type Socket, connect } from 'node:net';
import type { DbusSocketTarget } from './dbusAddress.ts';

export interface AuthenticatedSocket {
  socket: Socket;
  guid: string;
  // Bytes the server sent after its OK line (none in practice, kept so nothing is lost).
  leftover: Buffer;
}

function socketName(target: DbusSocketTarget): string {
  return target.abstract ? `\0${target.socketPath}` : target.socketPath;
}

function connectAs(target: DbusSocketTarget, uid: number): Socket {
  const ownUid = process.geteuid?.() ?? 0;
  if (uid === ownUid) return connect(socketName(target));
  if (ownUid !== 0 || process.seteuid === undefined) {
    throw new Error(`cannot connect as uid ${uid}: this process runs as uid ${ownUid}, and only root can switch`);
  }
  try {
    process.seteuid(uid);
  } catch (error) {
    throw new Error(`cannot switch the effective uid to ${uid} to connect (${(error as Error).message}); this needs CAP_SETUID`, { cause: error });
  }
  try {
    return connect(socketName(target));
  } finally {
    process.seteuid(0);
  }
}

function waitForConnect(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
}

// Reads one CRLF-terminated line; resolves with the line and whatever followed it.
function readAuthLine(socket: Socket): Promise<{ line: string; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n');
      if (end < 0) return;
      cleanup();
      resolve({ line: received.subarray(0, end).toString('latin1'), rest: received.subarray(end + 2) });
    };
    const onClose = (): void => {
      cleanup();
      reject(new Error('the bus closed the connection during authentication'));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const cleanup = (): void => {
      // Paused, so bytes that arrive before the library takes over stay buffered instead of dropped.
      socket.pause();
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('error', onError);
    };
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.once('error', onError);
  });
}

// Connects to one socket and completes EXTERNAL authentication as `uid`; `signal` aborts both.
export async function openAuthenticatedSocket(target: DbusSocketTarget, uid: number, signal: AbortSignal): Promise<AuthenticatedSocket> {
  const socket = connectAs(target, uid);
  const onAbort = (): void => {
    socket.destroy(new Error('aborted'));
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await waitForConnect(socket);
    const hexUid = Buffer.from(String(uid), 'ascii').toString('hex');
    socket.write(`\0AUTH EXTERNAL ${hexUid}\r\n`);
    const { line, rest } = await readAuthLine(socket);
    const okMatch = /^OK ([0-9a-fA-F]+)$/.exec(line);
    if (!okMatch?.[1]) {
      throw new Error(`the bus refused EXTERNAL authentication as uid ${uid} (it answered '${line}')`);
    }
    socket.write('BEGIN\r\n');
    return { socket, guid: okMatch[1], leftover: rest };
  } catch (error) {
    socket.destroy();
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

// A stream for the D-Bus library over an already authenticated socket: it answers the library's own
// handshake locally (the library always claims the process's real uid, which would be wrong here)
// and passes everything after the library's BEGIN through unchanged.
export class PreauthenticatedStream extends Duplex {
  readonly #socket: Socket;
  readonly #guid: string;
  #pending = '';
  #begun = false;

  constructor(authenticated: AuthenticatedSocket) {
    super();
    this.#socket = authenticated.socket;
    this.#guid = authenticated.guid;
    if (authenticated.leftover.length > 0) this.#socket.unshift(authenticated.leftover);
    this.#socket.pause();
    this.#socket.on('end', () => this.push(null));
    this.#socket.on('error', (error) => this.destroy(error));
    this.#socket.on('close', () => this.destroy());
  }

  // The library calls this on the stream it is given; there is no Nagle delay on a unix socket.
  setNoDelay(): this {
    return this;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.#begun) {
      this.#socket.write(chunk, callback);
      return;
    }
    this.#pending += chunk.toString('latin1');
    for (;;) {
      const end = this.#pending.indexOf('\r\n');
      if (end < 0) break;
      const line = this.#pending.slice(0, end).replace(/^\0/, '');
      this.#pending = this.#pending.slice(end + 2);
      if (line === 'BEGIN') {
        this.#startForwarding();
        break;
      }
      this.push(line.startsWith('AUTH ') ? `OK ${this.#guid}\r\n` : 'ERROR\r\n');
    }
    callback();
  }

  #startForwarding(): void {
    this.#begun = true;
    if (this.#pending.length > 0) this.#socket.write(Buffer.from(this.#pending, 'latin1'));
    this.#pending = '';
    this.#socket.on('data', (data: Buffer) => {
      if (!this.push(data)) this.#socket.pause();
    });
    this.#socket.resume();
  }

  override _read(): void {
    if (this.#begun) this.#socket.resume();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#socket.end(callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#socket.destroy();
    callback(error);
  }
}
