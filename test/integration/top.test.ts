// The real `hostguard top` in tmux, against a real `hostguard serve` on a loopback port: live values,
// sort, filter, signalling a sleep this test started, the daemon going away and coming back, and
// the terminal put back after q. Every process and tmux server started here is stopped here.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROMPT, TmuxPane } from '../helpers/tmux.ts';
import { cleanUp, type RunningDaemon, startDaemon, tempDir } from './serveDaemon.ts';

const BIN = fileURLToPath(new URL('../../bin/hostguard.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// One snapshot a second at every level, and every process in the lists (so the sleep is there).
const CONFIG = `${['idle', 'normal', 'intensive', 'critical'].map((level) => `[sampler.${level}]\ninterval = "1s"\n`).join('')}[collectors]\ntop_processes = 1000\n`;

const panes: TmuxPane[] = [];
const children: ChildProcess[] = [];
let daemon: RunningDaemon;

beforeAll(async () => {
  daemon = await startDaemon({ config: CONFIG });
}, 90_000);

afterAll(async () => {
  for (const pane of panes.splice(0)) pane.kill();
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  await cleanUp();
}, 60_000);

async function openPane(columns = 80, rows = 24): Promise<TmuxPane> {
  const pane = await TmuxPane.start({ columns, rows, cwd: tempDir() });
  panes.push(pane);
  return pane;
}

// Starts top in the pane's shell; its PID goes to a file (exec keeps it), its exit status to the screen.
function launch(pane: TmuxPane, args: string, pidFile: string): void {
  pane.type(`stty -g > ${pidFile}.stty; bash -c 'echo $$ > ${pidFile}; exec ${process.execPath} ${BIN} top ${args}'; echo "EXIT=$?"`, true);
}

function startSleep(): ChildProcess {
  const child = spawn('sleep', ['3600'], { stdio: 'ignore' });
  children.push(child);
  return child;
}

// After the program ended: the shell's prompt is back, off the alternate screen, the cursor shown,
// and the line settings (canonical mode, echo) exactly as before it started.
async function expectRestored(pane: TmuxPane, pidFile: string, exitStatus: number): Promise<void> {
  await pane.waitForText(`EXIT=${exitStatus}`);
  expect(pane.variable('alternate_on')).toBe('0');
  expect(pane.variable('cursor_flag')).toBe('1');
  pane.type(`stty -g | cmp -s - ${pidFile}.stty && echo "STTY-$((40+2))-SAME"`, true);
  await pane.waitForText('STTY-42-SAME');
  expect(pane.screen()).toContain(PROMPT);
}

const rowsOf = (screen: string): string[][] => screen.split('\n').filter((line) => /^[> ] *\d+ \S+ +[A-Za-z] /.test(line)).map((line) => line.slice(1).trim().split(/\s+/));
const sizeValue = (text: string): number => (text === '-' ? -1 : Number.parseFloat(text) * 1024 ** ['B', 'K', 'M', 'G', 'T'].indexOf(text.slice(-1)));

describe('hostguard top in tmux against a real daemon (80x24)', () => {
  it('shows live values, sorts, filters, signals only after y, and restores the terminal after q', async () => {
    const pane = await openPane();
    const sleep = startSleep();
    const pidFile = join(tempDir(), 'top.pid');
    launch(pane, `--url ${daemon.baseUrl}`, pidFile);
    const first = await pane.waitFor((s) => /live \d\d:\d\d:\d\d/.test(s) && s.includes('[Processes'), 'live data');
    expect(pane.variable('alternate_on')).toBe('1');
    expect(first).toContain(hostname());
    expect(first).toContain(daemon.baseUrl);
    for (const line of first.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    // The header's clock is the snapshot's time: it moves as new snapshots arrive.
    const clock = /live (\d\d:\d\d:\d\d)/.exec(first)?.[1];
    await pane.waitFor((s) => /live (\d\d:\d\d:\d\d)/.exec(s)?.[1] !== clock, 'a newer snapshot');

    pane.keys('s');
    const byRss = await pane.waitForText('sort:rss');
    const rss = rowsOf(byRss).map((row) => sizeValue(row[4] ?? '-'));
    expect(rss.length).toBeGreaterThan(5);
    expect(rss.every((value, i) => i === 0 || value <= (rss[i - 1] ?? Infinity))).toBe(true);

    pane.keys('/');
    pane.type(String(sleep.pid));
    pane.keys('Enter');
    const filtered = await pane.waitFor((s) => s.includes(`filter:${sleep.pid}`) && !s.includes('Enter keeps it') && rowsOf(s).length === 1, 'the sleep alone in the table');
    expect(rowsOf(filtered)[0]?.[0]).toBe(String(sleep.pid));
    expect(filtered).toContain('sleep 3600');

    pane.keys('k');
    await pane.waitForText(`Send SIGTERM to ${sleep.pid} sleep`);
    pane.keys('n');
    await pane.waitForText(`SIGTERM not sent to ${sleep.pid}`);
    expect(sleep.exitCode).toBeNull();
    expect(sleep.signalCode).toBeNull();
    const exited = new Promise<NodeJS.Signals | null>((resolve) => sleep.once('exit', (_code, signal) => resolve(signal)));
    pane.keys('k');
    await pane.waitForText(`Send SIGTERM to ${sleep.pid} sleep`);
    pane.keys('y');
    expect(await exited).toBe('SIGTERM');
    await pane.waitForText(`sent SIGTERM to ${sleep.pid} (sleep)`);

    pane.keys('?');
    await pane.waitForText('hostguard top: keys');
    pane.keys('Escape');
    await pane.waitForText('[Processes');
    pane.keys('q');
    await expectRestored(pane, pidFile, 0);
  }, 180_000);

  it('shows "disconnected, retrying" with the age of the data when the daemon goes, and recovers when it is back', async () => {
    const own = await startDaemon({ config: CONFIG });
    const pane = await openPane();
    const pidFile = join(tempDir(), 'top.pid');
    launch(pane, `--url ${own.baseUrl}`, pidFile);
    await pane.waitFor((s) => /live \d\d:\d\d:\d\d/.test(s), 'live data');
    process.kill(own.pid, 'SIGKILL');
    await own.exited();
    const gone = await pane.waitFor((s) => /disconnected, retrying \(last data \d+s ago\)/.test(s), 'the disconnected header');
    // The last data stays on screen, and the age counts up while nothing comes.
    expect(gone).toContain('[Processes');
    const age = Number(/last data (\d+)s ago/.exec(gone)?.[1]);
    await pane.waitFor((s) => Number(/last data (\d+)s ago/.exec(s)?.[1]) >= age + 2, 'the age to grow');
    expect(pane.screen()).toContain('ECONNREFUSED');
    await startDaemon({ config: CONFIG, listen: `127.0.0.1:${own.port}` });
    await pane.waitFor((s) => /live \d\d:\d\d:\d\d/.test(s) && !s.includes('disconnected'), 'live again', 90_000);
    pane.keys('C-c');
    await expectRestored(pane, pidFile, 0);
  }, 240_000);

  it('puts the terminal back after SIGTERM (status 143)', async () => {
    const pane = await openPane();
    const pidFile = join(tempDir(), 'top.pid');
    launch(pane, `--url ${daemon.baseUrl}`, pidFile);
    await pane.waitFor((s) => /live \d\d:\d\d:\d\d/.test(s), 'live data');
    const pid = Number(execFileSync('cat', [pidFile], { encoding: 'utf8' }).trim());
    // The pid file holds the PID of the top this test launched (exec kept it); it is alive here.
    expect(execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' })).toContain('top --url');
    process.kill(pid, 'SIGTERM');
    await expectRestored(pane, pidFile, 143);
  }, 180_000);
});

describe('hostguard top in tmux: sizes and --local', () => {
  it('lays the panels out in two columns on a wide terminal and follows a resize', async () => {
    const pane = await openPane(160, 40);
    const pidFile = join(tempDir(), 'top.pid');
    launch(pane, `--url ${daemon.baseUrl}`, pidFile);
    const wide = await pane.waitFor((s) => /live \d\d:\d\d:\d\d/.test(s) && s.includes('Events'), 'the wide layout');
    const lines = wide.split('\n');
    expect(lines.find((line) => line.includes(' CPU '))).toContain(' MEM ');
    expect(lines.some((line) => line.indexOf('Events') > 90)).toBe(true);
    pane.resize(80, 24);
    const narrow = await pane.waitFor((s) => s.includes('[Processes') && !s.split('\n').some((line) => line.includes(' CPU ') && line.includes(' MEM ')), 'the narrow layout');
    for (const line of narrow.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    pane.keys('q');
    await expectRestored(pane, pidFile, 0);
  }, 180_000);

  it('--local reads the collectors itself, with no daemon', async () => {
    const pane = await openPane();
    const pidFile = join(tempDir(), 'top.pid');
    launch(pane, '--local', pidFile);
    const screen = await pane.waitFor((s) => /live \d\d:\d\d:\d\d/.test(s) && /\[Processes \d+\]/.test(s), 'local data');
    expect(screen).toContain(' local ');
    pane.keys('Tab');
    await pane.waitForText('alerts come from the daemon');
    pane.keys('q');
    await expectRestored(pane, pidFile, 0);
  }, 180_000);
});

describe('hostguard top without a terminal, and bad flags', () => {
  const run = (args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } => {
    const child = spawnSyncHostguard(args, env);
    return { status: child.status, stdout: child.stdout, stderr: child.stderr };
  };

  it('refuses a pipe with a clear message, and prints one screen with --once', () => {
    const piped = run(['top', '--url', daemon.baseUrl]);
    expect(piped.status).toBe(2);
    expect(piped.stderr).toContain("standard output is not a terminal; use 'hostguard top --once'");
    expect(piped.stdout).toBe('');
    const once = run(['top', '--once', '--url', daemon.baseUrl], { COLUMNS: '80', LINES: '24' });
    expect(once.status).toBe(0);
    expect(once.stdout).toContain(' CPU ');
    expect(once.stdout).toContain(hostname());
    expect(once.stdout).not.toContain('\u001b');
    for (const line of once.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('names the bad flag and what it accepts, with status 2', () => {
    const cases: Array<[string[], string]> = [
      [['top', '--bogus'], "Unknown option '--bogus'"],
      [['top', '--url', 'ftp://x'], "--url 'ftp://x' is not an http:// or https:// URL"],
      [['top', '--url', 'not a url'], "--url 'not a url' is not a URL such as http://127.0.0.1:8080"],
      [['top', '--interval', '2'], '--interval is for --local'],
      [['top', '--local', '--interval', '0'], "--interval '0' is not a number of seconds from 0.2 to 3600"],
      [['top', '--local', '--token', 'abcdefabcdefabcdef'], '--token is for a daemon'],
      [['top', '--local', '--once', '--proc-root', '/nonexistent-proc'], "--proc-root '/nonexistent-proc' does not exist"],
    ];
    for (const [args, message] of cases) {
      const result = run(args);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).toContain("See 'hostguard top --help'");
    }
    const unreachable = run(['top', '--once', '--url', 'http://127.0.0.1:9']);
    expect(unreachable.status).toBe(1);
    expect(unreachable.stderr).toContain('cannot reach http://127.0.0.1:9/');
  });
});

function spawnSyncHostguard(args: string[], env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
    return { status: 0, stdout, stderr: '' };
  } catch (error) {
    const failed = error as { status: number | null; stdout: string; stderr: string };
    return { status: failed.status, stdout: failed.stdout, stderr: failed.stderr };
  }
}
