// Benchmark of `hostguard top`: `npm run bench -- top [--runs N] [--seconds S]`.
// In tmux at 80x24, against a daemon sampling every second and with --local at 1 s: time from
// launch to the first frame and to the first frame with live data (median of --runs launches), then
// RSS and CPU of one run left idle for --seconds; from dist/ (compiled) and from src/ (type
// stripping). Also what importing ink and react alone costs a bare Node process.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TmuxPane } from '../test/helpers/tmux.ts';
import { cleanUp, startDaemon, tempDir } from '../test/integration/serveDaemon.ts';
import { median, processCpuSeconds, processRssBytes } from './lib/stats.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, seconds: { type: 'string', default: '60' } } });
const runs = Number(values.runs);
const seconds = Number(values.seconds);
if (!(Number.isInteger(runs) && runs > 0) || !(seconds > 0)) {
  process.stderr.write('bench top: --runs must be a positive integer and --seconds a positive number\n');
  process.exit(2);
}

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DIST = join(ROOT, 'dist', 'cli', 'main.js');
const SOURCE = join(ROOT, 'src', 'cli', 'main.ts');
if (!existsSync(DIST)) {
  process.stderr.write('bench top: dist/ is missing; run npm run build first\n');
  process.exit(2);
}
const MiB = 1024 * 1024;
const CONFIG = `${['idle', 'normal', 'intensive', 'critical'].map((level) => `[sampler.${level}]\ninterval = "1s"\n`).join('')}[collectors]\ntop_processes = 50\n`;

async function poll<T>(check: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

interface Launch {
  pane: TmuxPane;
  pid: number;
  firstFrameMs: number;
  liveMs: number;
}

// Launches top in a fresh 80x24 pane; times the first frame (the header) and the first live data.
async function launch(entry: string, args: string, nodeFlags: string): Promise<Launch> {
  const pane = await TmuxPane.start({ columns: 80, rows: 24, cwd: tempDir() });
  const pidFile = join(tempDir(), 'top.pid');
  const startedMs = performance.now();
  pane.type(`bash -c 'echo $$ > ${pidFile}; exec ${process.execPath} ${nodeFlags} ${entry} top ${args}'`, true);
  const firstFrameMs = await poll(() => (pane.screen().startsWith('hostguard top') ? performance.now() - startedMs : undefined));
  const liveMs = await poll(() => (/live \d\d:\d\d:\d\d/.test(pane.screen()) && /\[Processes \d+\]/.test(pane.screen()) ? performance.now() - startedMs : undefined));
  return { pane, pid: Number(readFileSync(pidFile, 'utf8').trim()), firstFrameMs, liveMs };
}

async function variant(name: string, entry: string, args: string, nodeFlags = ''): Promise<void> {
  const first: number[] = [];
  const live: number[] = [];
  let last: Launch | undefined;
  for (let i = 0; i < runs; i++) {
    last?.pane.kill();
    last = await launch(entry, args, nodeFlags);
    first.push(last.firstFrameMs);
    live.push(last.liveMs);
  }
  if (!last) return;
  const cpuBefore = processCpuSeconds(last.pid);
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const cpuPercent = ((processCpuSeconds(last.pid) - cpuBefore) / seconds) * 100;
  const memory = processRssBytes(last.pid);
  last.pane.kill();
  process.stdout.write(
    `${name.padEnd(30)} first frame ${median(first).toFixed(0).padStart(5)} ms  live data ${median(live).toFixed(0).padStart(5)} ms  ` +
      `RSS ${(memory.rss / MiB).toFixed(1)} MiB (peak ${(memory.hwm / MiB).toFixed(1)})  CPU idle ${cpuPercent.toFixed(2)}% of a core\n`,
  );
}

// What ink + react (production builds, as hostguard top loads them) cost a bare process: import time and RSS after.
function importCost(): void {
  const script = (imports: string): { ms: number; rssMiB: number } => {
    const code = `const t = performance.now(); ${imports} console.log(JSON.stringify({ ms: performance.now() - t, rssMiB: process.memoryUsage().rss / ${MiB} }));`;
    const samples = Array.from({ length: 5 }, () => JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_ENV: 'production' } })) as { ms: number; rssMiB: number });
    return { ms: median(samples.map((s) => s.ms)), rssMiB: median(samples.map((s) => s.rssMiB)) };
  };
  const bare = script('');
  const ink = script("await import('react'); await import('ink');");
  process.stdout.write(`import ink + react      ${ink.ms.toFixed(0)} ms, RSS ${ink.rssMiB.toFixed(1)} MiB (bare node ${bare.rssMiB.toFixed(1)} MiB: +${(ink.rssMiB - bare.rssMiB).toFixed(1)})\n`);
}

try {
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  process.stdout.write(`hostguard top, 80x24 in tmux, ${runs} launches each, idle ${seconds} s; Node ${process.version}; load average ${load}\n`);
  importCost();
  const daemon = await startDaemon({ config: CONFIG });
  await variant('--url, dist/', DIST, `--url ${daemon.baseUrl}`);
  await variant('--url, src/ (stripped)', SOURCE, `--url ${daemon.baseUrl}`);
  await variant('--local 1s, dist/', DIST, '--local --interval 1');
  await variant('--local 1s, src/', SOURCE, '--local --interval 1');
  // A smaller young generation: less memory, more frequent scavenges.
  await variant('--url, dist/, semi-space 2M', DIST, `--url ${daemon.baseUrl}`, '--max-semi-space-size=2');
} finally {
  await cleanUp();
}
