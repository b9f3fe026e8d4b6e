// Helpers for the browser tests and bench/web.ts: Debian's Chromium (never a downloaded browser)
// driven by playwright-core and stopped by PID, and the dashboard in front of a real daemon.
import { type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserServer, chromium } from 'playwright-core';
import { preview, type PreviewServer } from 'vite';
import { daemonProxy } from '../../web/vite.config.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const WEB_ROOT = fileURLToPath(new URL('../../web/', import.meta.url));
export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/web/', import.meta.url));

export interface RunningBrowser {
  browser: Browser;
  pid: number;
  stop: () => Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// Chromium as a server process of our own, so that its PID is known and it can be killed for sure.
export async function startBrowser(args: string[] = []): Promise<RunningBrowser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (the tests never download a browser)`);
  const server: BrowserServer = await chromium.launchServer({ executablePath: CHROMIUM, headless: true, args: ['--disable-dev-shm-usage', ...args] });
  const child: ChildProcess = server.process();
  const pid = child.pid;
  if (pid === undefined) throw new Error('chromium did not start');
  const browser = await chromium.connect(server.wsEndpoint());
  return {
    browser,
    pid,
    stop: async () => {
      await browser.close().catch(() => undefined);
      await server.close().catch(() => undefined);
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    },
  };
}

export interface Dashboard {
  url: string;
  stop: () => Promise<void>;
}

// The built dashboard (web/dist; `npm run build:web`) in front of the daemon at daemonUrl:
// Vite's preview server gives the pages and passes /api, /health and /ws to the daemon.
export async function serveDashboard(daemonUrl: string): Promise<Dashboard> {
  if (!existsSync(`${WEB_ROOT}dist/index.html`)) throw new Error('web/dist/index.html is missing: run npm run build:web first');
  const server: PreviewServer = await preview({
    configFile: `${WEB_ROOT}vite.config.ts`,
    logLevel: 'silent',
    preview: { host: '127.0.0.1', port: 0, strictPort: false, proxy: daemonProxy(daemonUrl) },
  });
  const url = server.resolvedUrls?.local[0];
  if (url === undefined) throw new Error('vite preview did not say where it listens');
  return { url: url.replace(/\/$/, ''), stop: () => server.close() };
}

export function artifactsDir(): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return ARTIFACTS;
}
