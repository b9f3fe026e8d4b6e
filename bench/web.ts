// Benchmark of the web dashboard: `npm run bench -- web [--dashboards 20] [--seconds 30] [--runs 5]`.
// Prints: the built bundle's size gzipped (the entry, and everything the overview loads); time to
// the first chart drawn with data on loopback (cold cache, Debian's Chromium); the time per zoom
// step and the frame intervals while 24 h of 2 s data (43,200 points x 6 series) are zoomed on
// History; and the daemon's CPU with --dashboards overviews connected, against none.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { requireBuild, type RunningBrowser, startBrowser, WEB_ROOT } from '../test/web/dashboard.ts';
import { seedStore } from '../test/web/seed.ts';
import { median, percentile, processCpuSeconds } from './lib/stats.ts';

const { values } = parseArgs({ options: { dashboards: { type: 'string', default: '20' }, seconds: { type: 'string', default: '30' }, runs: { type: 'string', default: '5' } } });
const dashboards = Number(values.dashboards);
const seconds = Number(values.seconds);
const runs = Number(values.runs);
if (!(dashboards >= 1) || !(seconds >= 5) || !(runs >= 1)) {
  process.stderr.write('bench web: --dashboards and --runs must be at least 1, --seconds at least 5\n');
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

function bundleSizes(): void {
  const dist = join(WEB_ROOT, 'dist');
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
  const child = spawn(process.execPath, [BIN, 'serve', '--listen', '127.0.0.1:0', '--db', db, '--config', config], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
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

async function firstChart(browser: Browser, url: string): Promise<void> {
  const times: number[] = [];
  const loaded: number[] = [];
  const firstData: number[] = [];
  const scripts: number[] = [];
  for (let run = 0; run < runs; run++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    let scriptBytes = 0;
    page.on('response', (response) => {
      if (response.request().resourceType() === 'script') void response.body().then((body) => (scriptBytes += gzipSync(body, { level: 9 }).length), () => undefined);
    });
    await page.goto(`${url}/`);
    await page.waitForFunction(() => performance.getEntriesByName('hostguard:first-chart').length > 0, undefined, { timeout: 30_000 });
    times.push(await page.evaluate(() => performance.getEntriesByName('hostguard:first-chart')[0]?.startTime ?? Number.NaN));
    loaded.push(await page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined)?.domContentLoadedEventEnd ?? Number.NaN));
    firstData.push(await page.evaluate(() => performance.getEntriesByName('hostguard:first-snapshot')[0]?.startTime ?? Number.NaN));
    await sleep(200);
    scripts.push(scriptBytes);
    await context.close();
  }
  out(`overview: JS loaded for the first page ${kib(median(scripts))} gzipped (entry, page, charts)`);
  out(`first chart drawn with data, from navigation start (cold cache, ${runs} runs): median ${ms(median(times))}, max ${ms(Math.max(...times))} (target <= 1000 ms) [${times.map((t) => t.toFixed(0)).join(', ')}]; DOMContentLoaded (the bundle loaded and run): median ${ms(median(loaded))}; first WebSocket snapshot: median ${ms(median(firstData))}`);
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
  const { scripts, steps, frames } = await page.evaluate(zoomInPage);
  out(`zoom: ${series} series x ${points} points in ${await page.locator('.uplot').count()} charts; per wheel step, to the next task (charts redrawn, frame rendered): median ${ms(median(steps))}, p95 ${ms(percentile(steps, 95))} (target: median <= 16 ms)`);
  out(`zoom: of which script (every chart rescaled and redrawn): median ${ms(median(scripts))}, p95 ${ms(percentile(scripts, 95))}; frame intervals median ${ms(median(frames))}, p95 ${ms(percentile(frames, 95))}, over 17 ms: ${frames.filter((f) => f > 17).length} of ${frames.length}`);
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
  out(`daemon CPU, % of one core over ${seconds} s, sampling every 2 s: no dashboard: sampling thread ${f(idle.sampling)}, the rest ${f(idle.rest)}; ${dashboards} dashboards (WebSocket clients: ${status.websocket.clients}): sampling thread ${f(loaded.sampling)}, the rest ${f(loaded.rest)}`);
  out(`daemon CPU for ${dashboards} dashboards beyond sampling (the rest, with less without): ${f(loaded.rest - idle.rest)} (target <= 2 %); the sampling thread's change, ${f(loaded.sampling - idle.sampling)}, comes with the host's processes going from ${processesBefore} to ${await processCount()} (the browsers run on the same host here)`);
  await context.close();
}

async function main(): Promise<void> {
  out(`bench web: ${new Date().toISOString()}, load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  requireBuild();
  bundleSizes();
  const db = join(dir, 'history.db');
  const nowMs = Math.floor(Date.now() / 2000) * 2000;
  // 24 h of 2 s snapshots ending now: History's 43,200 points, and the overview's 15-minute prefill
  await seedStore({ path: db, hostId: HOST, startMs: nowMs - 43_200 * 2000, intervalMs: 2000, count: 43_200 });
  const daemon = await startDaemon(db, 'daemon');
  chrome = await startBrowser(['--disable-gpu-vsync', '--disable-frame-rate-limit']);
  await firstChart(chrome.browser, daemon.url);
  await zoom(chrome.browser, daemon.url);
  await daemonCpu(chrome.browser, daemon.url, daemon.child.pid ?? 0);
}

try {
  await main();
} finally {
  await chrome?.stop();
  killDaemons();
}
