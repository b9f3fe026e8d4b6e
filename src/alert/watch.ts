// Watched HTTP endpoints ([[alerts.watch]]): each is fetched every interval; after `failures`
// failed checks in a row it raises SERVER_DOWN, and the first good answer after that resolves it.
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import type { NewAlert } from './model.ts';

export interface WatchSettings {
  name: string;
  url: string;
  intervalMs: number;
  timeoutMs: number;
  // consecutive failed checks before the alert fires
  failures: number;
}

export interface WatchSink {
  raise(alert: NewAlert): void;
  resolve(dedupKey: string): void;
}

export interface CheckResult {
  ok: boolean;
  // "HTTP 503", "timeout after 5000 ms", "ECONNREFUSED"
  detail: string;
  durationMs: number;
}

// A fresh connection per check (no keep-alive pool): a pooled socket the server has since closed
// would otherwise read as the endpoint being down.
export function checkEndpoint(url: string, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  const done = (ok: boolean, detail: string): CheckResult => ({ ok, detail, durationMs: performance.now() - started });
  return new Promise((resolve) => {
    const get = url.startsWith('https:') ? httpsGet : httpGet;
    const request = get(url, { agent: false, timeout: timeoutMs, headers: { 'User-Agent': 'hostguard-watch' } }, (response) => {
      response.resume();
      const status = response.statusCode ?? 0;
      resolve(done(status >= 200 && status < 400, `HTTP ${status}`));
    });
    request.on('timeout', () => request.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    request.on('error', (error: NodeJS.ErrnoException) => resolve(done(false, error.code ?? error.message)));
  });
}

export class EndpointWatch {
  private readonly settings: WatchSettings;
  private readonly sink: WatchSink;
  private failuresInRow = 0;
  private down = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  last: CheckResult | undefined;

  constructor(settings: WatchSettings, sink: WatchSink) {
    this.settings = settings;
    this.sink = sink;
  }

  get key(): string {
    return `server-down:${this.settings.name}`;
  }

  start(): void {
    const loop = (): void => {
      if (this.stopped) return;
      void this.check().finally(() => {
        if (this.stopped) return;
        this.timer = setTimeout(loop, this.settings.intervalMs);
        this.timer.unref();
      });
    };
    loop();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  async check(): Promise<CheckResult> {
    const result = await checkEndpoint(this.settings.url, this.settings.timeoutMs);
    this.last = result;
    if (result.ok) {
      this.failuresInRow = 0;
      if (this.down) {
        this.down = false;
        this.sink.resolve(this.key);
      }
      return result;
    }
    this.failuresInRow++;
    if (!this.down && this.failuresInRow >= this.settings.failures) {
      this.down = true;
      const { name, url } = this.settings;
      this.sink.raise({ type: 'SERVER_DOWN', severity: 'critical', title: `${name} is down`, message: `${url} failed ${this.failuresInRow} checks in a row: ${result.detail}.`, context: { name, url, detail: result.detail, failures: this.failuresInRow }, dedupKey: this.key });
    }
    return result;
  }
}
