// What a test of the HTTP server needs around an ApiServer: a store, a hub and settings on loopback
// port 0 (testApiDeps), and a logger whose JSON lines the test can read (memoryLogger).
import { Writable } from 'node:stream';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { createLogger, type LogLevel } from '../../src/log/logger.ts';
import { LiveHub } from '../../src/serve/hub.ts';
import type { ApiDeps } from '../../src/serve/route.ts';
import type { ApiSettings } from '../../src/serve/settings.ts';
import { newDaemonStatus } from '../../src/serve/status.ts';
import { SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';

export interface TestApiOptions {
  token?: string;
  cors?: string[];
  webDir?: string;
  // LiveHub's runtime series (process_*, nodejs_*); on unless false
  runtimeSeries?: boolean;
}

// The store lives in dir (hostguard.db); the caller closes it. Without webDir there is no dashboard.
export function testApiDeps(dir: string, options: TestApiOptions = {}): ApiDeps & { hub: LiveHub; store: SqliteStore } {
  const store = new SqliteStore({ path: join(dir, 'hostguard.db'), hostId: 'test' });
  const status = newDaemonStatus({ version: '0.0.0', startTimeMs: Date.now(), hostId: 'test', level: 'normal', intervalMs: 5000, storeKind: 'sqlite', collectors: [] });
  const settings: ApiSettings = { listen: { host: '127.0.0.1', port: 0 }, ...(options.token ? { token: options.token } : {}), corsOrigins: options.cors ?? [], maxPoints: 1000, maxConnections: 64, webDir: options.webDir ?? join(dir, 'no-dashboard'), websocket: { maxClients: 2, maxBufferedBytes: 65_536, pingIntervalMs: 30_000 } };
  const hub = options.runtimeSeries === false ? new LiveHub(status, { runtimeSeries: false }) : new LiveHub(status);
  return { hub, store, settings, now: () => Date.now(), collectors: [] };
}

// A JSON logger at `level` (info by default) and the records it has written so far.
export function memoryLogger<T>(level: LogLevel = 'info'): { log: Logger; records: () => T[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      lines.push(chunk.toString());
      done();
    },
  });
  return { log: createLogger({ level, format: 'json' }, sink), records: () => lines.map((line) => JSON.parse(line) as T) };
}
