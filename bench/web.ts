// Benchmark of the web dashboard, run as `npm run bench -- ui [--dashboards 20] [--seconds 30] [--runs 10]`
// (bench/ui.ts runs this file; it is type-checked with the browser code, web/tsconfig.json).
// Prints: the built bundle's size gzipped (the entry, and everything the overview loads); time to
// the first chart drawn with data on loopback (cold and warm cache, Debian's Chromium, the
// renderer's CPU beside the wall time); the time per zoom step and the frame intervals while 24 h
// of 2 s data (43,200 points x 6 series) are zoomed on History; and the daemon's CPU with
// --dashboards overviews connected, against none. --parts first-chart,zoom,dashboards picks some;
// --web-dir serves another build (to compare two).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { requireBuild, type RunningBrowser, startBrowser, WEB_ROOT } from '../test/web/dashboard.ts';
import { seedStore } from '../test/web/seed.ts';
import { median, percentile, processCpuSeconds } from './lib/stats.ts';

const { values } = parseArgs({ options: { dashboards: { type: 'string', default: '20' }, seconds: { type: 'string', default: '30' }, runs: { type: 'string', default: '10' }, parts: { type: 'string', default: 'first-chart,zoom,dashboards' }, 'web-dir': { type: 'string' } } });
const dashboards = Number(values.dashboards);
const seconds = Number(values.seconds);
const runs = Number(values.runs);
const PARTS = ['first-chart', 'zoom', 'dashboards'];
const parts = new Set(values.parts.split(','));
if (!(dashboards >= 1) || !(seconds >= 5) || !(runs >= 1) || ![...parts].every((part) => PARTS.includes(part))) {
  process.stderr.write(`bench ui: --dashboards and --runs must be at least 1, --seconds at least 5, --parts some of ${PARTS.join(',')}\n`);
  process.exit(2);
}

const out = (line: string): boolean => process.stdout.write(`${line}\n`);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
const ms = (n: number): string => `${n.toFixed(1)} ms`;
const BIN = fileURLToPath(new URL('../bin/hostguard.js', import.meta.url));
const HOST = 'bench-web';
const ZOOM_FIELDS = ['cpu_busy_percent', 'cpu_iowait_percent', 'memory_used_percent', 'swap_used_percent', 'pressure_cpu_some_percent', 'pressure_io_some_percent'];
const dir = mkdtempSync(join(tmpdir(), 'hostguard-bench-web-'));
const daemons: ChildProcess[] = [];
let chrome: RunningBrowser | undefined;

function killDaemons(): void {
  for (const child of daemons.splice(0)) if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
}
process.on('exit', () => {
  killDaemons();
  rmSync(dir, { recursive: true, force: true });
});
process.on('SIGINT', () => process.exit(130));
// SIGTERM too (kill, timeout): the exit handler then stops what the bench started.
process.on('SIGTERM', () => process.exit(143));

const DIST = values['web-dir'] === undefined ? join(WEB_ROOT, 'dist') : resolve(values['web-dir']);

function bundleSizes(): void {
  const dist = DIST;
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const initial = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1] ?? '');
  const gz = (file: string): number => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
  const all = readdirSync(join(dist, 'assets')).filter((f) => f.endsWith('.js'));
  out(`bundle: initial JS (index.html's scripts and modulepreloads: ${initial.length} files) ${kib(initial.reduce((s, f) => s + gz(f), 0))} gzipped; all ${all.length} JS chunks ${kib(all.reduce((s, f) => s + gz(join('assets', f)), 0))} gzipped (target: initial <= 250 KiB)`);
}

async function startDaemon(db: string, name: string): Promise<{ child: ChildProcess; url: string }> {
  const config = join(dir, `${name}.toml`);
  // every level samples every 2 s: the cost of dashboards is measured against a steady sampler
  writeFileSync(config, `${['idle', 'normal', 'intensive', 'critical'].map((l) => `[sampler.${l}]\ninterval = "2s"\n`).join('')}[store]\nhost_id = "${HOST}"\n`);
  const child = spawn(process.execPath, [BIN, 'serve', '--listen', '127.0.0.1:0', '--db', db, '--config', config, '--web-dir', DIST], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  daemons.push(child);
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    // the start line is a log line, on stderr
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`hostguard serve exited with ${code}: ${output}`)));
  });
  return { child, url };
}

const loadAverage = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const stat = (values: number[]): string => `median ${ms(median(values))}, max ${ms(Math.max(...values))}`;

// CPU seconds of every renderer process (SystemInfo.getProcessInfo): one page at a time is loaded,
// so what they used between two readings is that page's, whichever process the navigation chose.
async function rendererCpuSeconds(cdp: CDPSession, types = ['renderer']): Promise<Map<number, number>> {
  const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: Array<{ type: string; id: number; cpuTime: number }> };
  return new Map(processInfo.filter((p) => types.includes(p.type)).map((p) => [p.id, p.cpuTime]));
}

const cpuUsedSeconds = (before: Map<number, number>, after: Map<number, number>): number => [...after].reduce((sum, [pid, seconds]) => sum + seconds - (before.get(pid) ?? 0), 0);

interface Load {
  chartMs: number;
  loadedMs: number;
  historyMs: number;
  currentMs: number;
  socketMs: number;
  appMs: number;
  rendererCpuMs: number;
}

// Loads the overview and waits for its first chart drawn with data; times from navigation start.
async function loadOverview(page: Page, url: string, cdp: CDPSession): Promise<Load> {
  const before = await rendererCpuSeconds(cdp);
  await page.goto(`${url}/`);
  await page.waitForFunction(() => performance.getEntriesByName('hostguard:first-chart').length > 0, undefined, { timeout: 30_000 });
  const after = await rendererCpuSeconds(cdp);
  const times = await page.evaluate(() => {
    const answered = (path: string): number => (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).find((r) => new URL(r.name).pathname === path)?.responseEnd ?? Number.NaN;
    return {
      chartMs: performance.getEntriesByName('hostguard:first-chart')[0]?.startTime ?? Number.NaN,
      loadedMs: (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined)?.domContentLoadedEventEnd ?? Number.NaN,
      historyMs: answered('/api/v1/metrics/history'),
      currentMs: answered('/api/v1/metrics/current'),
      socketMs: performance.getEntriesByName('hostguard:first-snapshot')[0]?.startTime ?? Number.NaN,
      appMs: performance.getEntriesByName('hostguard:app')[0]?.startTime ?? Number.NaN,
    };
  });
  return { ...times, rendererCpuMs: cpuUsedSeconds(before, after) * 1000 };
}

function printLoads(label: string, loads: Load[]): void {
  const pick = (key: keyof Load): number[] => loads.map((load) => load[key]).filter((n) => Number.isFinite(n));
  out(`first chart, ${label} (${loads.length} loads, load average ${loadAverage()}): ${stat(pick('chartMs'))} (target <= 1000 ms) [${pick('chartMs').map((t) => t.toFixed(0)).join(', ')}]`);
  out(`  before it: history answered ${stat(pick('historyMs'))}; latest snapshot (REST) ${stat(pick('currentMs'))}; DOMContentLoaded (the entry ran) ${stat(pick('loadedMs'))}; the app's code evaluated ${stat(pick('appMs'))}; the socket's first snapshot (often after the chart) ${stat(pick('socketMs'))}`);
  out(`  renderer CPU from navigation to the first chart (all its threads; other load changes it little): ${stat(pick('rendererCpuMs'))}`);
}

// Cold cache: a new context per load (empty HTTP and code caches, as on a first visit), either
// straight from about:blank (the navigation starts a renderer process, as a new tab does) or after
// the context opened /health (a renderer of that origin already running: the page's own cost).
async function coldLoads(browser: Browser, url: string, cdp: CDPSession, rendererFirst: boolean): Promise<{ loads: Load[]; scripts: number[] }> {
  const loads: Load[] = [];
  const scripts: number[] = [];
  for (let run = 0; run < runs; run++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    if (rendererFirst) await page.goto(`${url}/health`);
    let scriptBytes = 0;
    page.on('response', (response) => {
      if (response.request().resourceType() === 'script') void response.body().then((body) => (scriptBytes += gzipSync(body, { level: 9 }).length), () => undefined);
    });
    loads.push(await loadOverview(page, url, cdp));
    await sleep(200);
    scripts.push(scriptBytes);
    await context.close();
  }
  return { loads, scripts };
}

async function firstChart(browser: Browser, url: string): Promise<void> {
  const cdp = await browser.newBrowserCDPSession();
  const fresh = await coldLoads(browser, url, cdp, false);
  out(`overview: JS loaded for the first page ${kib(median(fresh.scripts))} gzipped (entry, app, charts)`);
  printLoads('cold cache, a new context each, its renderer process started by the navigation', fresh.loads);
  printLoads('cold cache, a new context each, its renderer already running (it opened /health first)', (await coldLoads(browser, url, cdp, true)).loads);
  // a person coming back: the same context, the assets from its cache
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await loadOverview(page, url, cdp);
  const warm: Load[] = [];
  for (let run = 0; run < runs; run++) warm.push(await loadOverview(page, url, cdp));
  printLoads('warm cache, the same context reloaded', warm);
  await context.close();
  await cdp.detach();
}

// In the page: one wheel step per animation frame over the CPU chart (in 20 steps, out 20, twice).
// Per step: the script time until every chart has redrawn (uPlot commits in microtasks: awaited
// until each chart's draw counter moved), the time until the next task (the browser renders the
// frame in between: style, paint, compositing), and the intervals between frames.
async function zoomInPage(): Promise<{ scripts: number[]; steps: number[]; frames: number[] }> {
  const over = document.querySelector('[data-testid="history-cpu"] .u-over');
  if (!over) throw new Error('no History chart');
  const rect = over.getBoundingClientRect();
  const plots = [...document.querySelectorAll<HTMLElement>('.uplot')];
  const drawCounts = (): number[] => plots.map((plot) => Number(plot.dataset['draws'] ?? 0));
  const nextTask = (): Promise<void> => new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
  const scripts: number[] = [];
  const steps: number[] = [];
  const frames: number[] = [];
  let last = await new Promise<number>((resolve) => requestAnimationFrame(resolve));
  for (let i = 0; i < 80; i++) {
    const before = drawCounts();
    const t0 = performance.now();
    over.dispatchEvent(new WheelEvent('wheel', { deltaY: i % 40 < 20 ? -100 : 100, clientX: rect.left + rect.width * 0.6, clientY: rect.top + rect.height / 2, bubbles: true, cancelable: true }));
    for (let k = 0; k < 100 && drawCounts().some((n, j) => n === before[j]); k++) await Promise.resolve();
    scripts.push(performance.now() - t0);
    await nextTask();
    steps.push(performance.now() - t0);
    const now = await new Promise<number>((resolve) => requestAnimationFrame(resolve));
    frames.push(now - last);
    last = now;
  }
  return { scripts, steps, frames };
}

async function zoom(browser: Browser, url: string): Promise<void> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${url}/history?range=-24h&points=100000&fields=${ZOOM_FIELDS.join(',')}`);
  // the charts draw empty first: wait for the answer's points
  await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('[data-testid="history-cpu"] .uplot')?.dataset['points'] ?? 0) > 1000, undefined, { timeout: 120_000 });
  const points = Number(await page.locator('[data-testid="history-cpu"] .uplot').getAttribute('data-points'));
  const series = await page.locator('.chart-legend .legend-item').count();
  await sleep(500);
  // the renderer runs the script; the GPU process (software compositing here) puts frames together
  const cdp = await browser.newBrowserCDPSession();
  const rendererBefore = await rendererCpuSeconds(cdp);
  const gpuBefore = await rendererCpuSeconds(cdp, ['GPU']);
  const { scripts, steps, frames } = await page.evaluate(zoomInPage);
  const perStepMs = (seconds: number): number => (seconds * 1000) / steps.length;
  const rendererMs = perStepMs(cpuUsedSeconds(rendererBefore, await rendererCpuSeconds(cdp)));
  const gpuMs = perStepMs(cpuUsedSeconds(gpuBefore, await rendererCpuSeconds(cdp, ['GPU'])));
  await cdp.detach();
  out(`zoom (load average ${loadAverage()}): ${series} series x ${points} points in ${await page.locator('.uplot').count()} charts; per wheel step, to the next task (charts redrawn, frame rendered): median ${ms(median(steps))}, p95 ${ms(percentile(steps, 95))} (target: median <= 16 ms)`);
  out(`zoom: of which script (every chart rescaled and redrawn): median ${ms(median(scripts))}, p95 ${ms(percentile(scripts, 95))}; frame intervals median ${ms(median(frames))}, p95 ${ms(percentile(frames, 95))}, over 17 ms: ${frames.filter((f) => f > 17).length} of ${frames.length}`);
  out(`zoom: Chromium's CPU per step (all threads; other load changes it little): renderer ${ms(rendererMs)}, GPU process (compositing, in software here) ${ms(gpuMs)}`);
  await context.close();
}

// CPU seconds of the daemon's sampling thread (its name starts with "hostguard-sampl") and of the
// rest (the event loop that serves HTTP and the WebSocket, the store's threads, V8's helpers).
function threadCpuSeconds(pid: number): { sampling: number; rest: number } {
  const total = processCpuSeconds(pid);
  let sampling = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      if (readFileSync(`/proc/${pid}/task/${task}/comm`, 'utf8').startsWith('hostguard-sampl')) sampling += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]) / 1e9;
    } catch {
      // a thread that exited meanwhile
    }
  }
  return { sampling, rest: total - sampling };
}

async function daemonCpu(browser: Browser, url: string, pid: number): Promise<void> {
  // percent of one core over the window: the sampling thread, and everything else
  const cpuPercent = async (): Promise<{ sampling: number; rest: number }> => {
    const start = threadCpuSeconds(pid);
    await sleep(seconds * 1000);
    const end = threadCpuSeconds(pid);
    return { sampling: ((end.sampling - start.sampling) / seconds) * 100, rest: ((end.rest - start.rest) / seconds) * 100 };
  };
  const f = (n: number): string => `${n.toFixed(2)} %`;
  const processCount = async (): Promise<number> => ((await (await fetch(`${url}/api/v1/metrics/current`)).json()) as { processes?: { total: number } }).processes?.total ?? 0;
  await sleep(3000);
  const processesBefore = await processCount();
  const idle = await cpuPercent();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // opening a dashboard costs more (its history prefill) than keeping it open
  const openingStart = processCpuSeconds(pid);
  for (let i = 0; i < dashboards; i++) {
    const page = await context.newPage();
    await page.goto(`${url}/`);
    await page.locator('[data-testid="updated"]:not(:text-is("-"))').waitFor({ timeout: 60_000 });
  }
  out(`daemon CPU to open ${dashboards} dashboards one after another: ${(processCpuSeconds(pid) - openingStart).toFixed(2)} s (sampling included)`);
  const status = (await (await fetch(`${url}/api/v1/monitoring/status`)).json()) as { websocket: { clients: number } };
  await sleep(5000);
  const loaded = await cpuPercent();
  out(`daemon CPU (load average ${loadAverage()}), % of one core over ${seconds} s, sampling every 2 s: no dashboard: sampling thread ${f(idle.sampling)}, the rest ${f(idle.rest)}; ${dashboards} dashboards (WebSocket clients: ${status.websocket.clients}): sampling thread ${f(loaded.sampling)}, the rest ${f(loaded.rest)}`);
  out(`daemon CPU for ${dashboards} dashboards beyond sampling (the rest, with less without): ${f(loaded.rest - idle.rest)} (target <= 2 %); the sampling thread's change, ${f(loaded.sampling - idle.sampling)}, comes with the host's processes going from ${processesBefore} to ${await processCount()} (the browsers run on the same host here)`);
  await context.close();
}

async function main(): Promise<void> {
  out(`bench ui (the web dashboard): ${new Date().toISOString()}, load average ${loadAverage()}`);
  if (values['web-dir'] === undefined) requireBuild();
  bundleSizes();
  const db = join(dir, 'history.db');
  const nowMs = Math.floor(Date.now() / 2000) * 2000;
  // 24 h of 2 s snapshots ending now: History's 43,200 points, and the overview's 15-minute prefill
  await seedStore({ path: db, hostId: HOST, startMs: nowMs - 43_200 * 2000, intervalMs: 2000, count: 43_200 });
  const daemon = await startDaemon(db, 'daemon');
  chrome = await startBrowser(['--disable-gpu-vsync', '--disable-frame-rate-limit']);
  if (parts.has('first-chart')) await firstChart(chrome.browser, daemon.url);
  if (parts.has('zoom')) await zoom(chrome.browser, daemon.url);
  if (parts.has('dashboards')) await daemonCpu(chrome.browser, daemon.url, daemon.child.pid ?? 0);
}

try {
  await main();
} finally {
  await chrome?.stop();
  killDaemons();
}
