// Helpers for the browser tests and bench/web.ts: Debian's Chromium (never a downloaded browser)
// driven by playwright-core and stopped by PID. The daemon itself serves the dashboard (web/dist) at /.
import { type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserServer, chromium } from 'playwright-core';
import { alive } from '../helpers/processes.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const WEB_ROOT = fileURLToPath(new URL('../../web/', import.meta.url));
export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/web/', import.meta.url));

export interface RunningBrowser {
  browser: Browser;
  pid: number;
  stop: () => Promise<void>;
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

// The daemon serves web/dist; without a build it answers a page that says how to make one.
export function requireBuild(): void {
  if (!existsSync(`${WEB_ROOT}dist/index.html`)) throw new Error('web/dist/index.html is missing: run npm run build:web first (npm test does)');
}

export function artifactsDir(): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return ARTIFACTS;
}
