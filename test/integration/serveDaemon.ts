// Starts `hostguard serve` as a real process in a temp directory on a free loopback port, and stops
// it by PID: the helper every serve*.test.ts uses.
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

// Every level samples every 200 ms, so tests see several snapshots a second.
export const FAST_SAMPLING = ['idle', 'normal', 'intensive', 'critical'].map((level) => `[sampler.${level}]\ninterval = "200ms"\n`).join('');

export interface DaemonOptions {
  config?: string;
  args?: string[];
  env?: Record<string, string>;
  // read a copy of the fixture /proc tree that the test may rewrite (meminfo), instead of the real one
  fixtureProc?: boolean;
  listen?: string;
  // no --listen flag: the default address (127.0.0.1:8080)
  listenDefault?: boolean;
}

export interface RunningDaemon {
  child: ChildProcess;
  pid: number;
  dir: string;
  baseUrl: string;
  port: number;
  host: string;
  output: () => string;
  // resolves with the exit code (null if killed by a signal) and how long it took from now
  exited: () => Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running: RunningDaemon[] = [];
const dirs: string[] = [];

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hostguard-serve-'));
  dirs.push(dir);
  return dir;
}

function exitPromise(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

// Runs the command to its end (config errors, --check): exit code, stdout and stderr.
export async function runServe(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [MAIN, 'serve', ...args], { cwd: options.cwd ?? tempDir(), env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const { code } = await exitPromise(child);
  clearTimeout(timer);
  return { code, stdout, stderr };
}

export function fixtureArgs(dir: string): string[] {
  const proc = join(dir, 'proc');
  cpSync(fixture('collect-proc'), proc, { recursive: true });
  return ['--proc-root', proc, '--sys-root', fixture('collect-sys'), '--etc-root', fixture('collect-etc'), '--kmsg', fixture('collect-kmsg/usb-events.txt')];
}

// Rewrites MemAvailable (and MemFree) of the fixture /proc copy to a share of MemTotal, atomically:
// the reader sees the old file or the new one, never half of one.
export function setMemAvailablePercent(dir: string, percent: number): void {
  const original = readFileSync(fixture('collect-proc/meminfo'), 'utf8');
  const totalKib = Number(/^MemTotal:\s+(\d+) kB$/m.exec(original)?.[1]);
  const availableKib = Math.round((totalKib * percent) / 100);
  const text = original.replace(/^(MemAvailable|MemFree):\s+\d+ kB$/gm, (_line, key: string) => `${key}: ${availableKib} kB`);
  const file = join(dir, 'proc', 'meminfo');
  writeFileSync(`${file}.new`, text);
  renameSync(`${file}.new`, file);
}

export async function startDaemon(options: DaemonOptions = {}): Promise<RunningDaemon> {
  const dir = tempDir();
  const args = [...(options.listenDefault ? [] : ['--listen', options.listen ?? '127.0.0.1:0']), ...(options.fixtureProc ? fixtureArgs(dir) : []), ...(options.args ?? [])];
  if (options.config !== undefined) {
    writeFileSync(join(dir, 'hostguard.toml'), options.config);
    args.push('--config', join(dir, 'hostguard.toml'));
  }
  const child = spawn(process.execPath, [MAIN, 'serve', ...args], { cwd: dir, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const pid = child.pid;
  if (pid === undefined) throw new Error('hostguard serve did not start');
  const address = await new Promise<{ host: string; port: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hostguard serve did not say where it listens within 60 s:\n${output}`)), 60_000);
    const check = (): void => {
      const match = /listening on http:\/\/(\[[^\]]+\]|[^:\s]+):(\d+)/.exec(output);
      if (!match?.[1] || !match[2]) return;
      clearTimeout(timer);
      resolve({ host: match[1], port: Number(match[2]) });
    };
    // the start line is a log line: on stderr
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`hostguard serve exited with ${code} before listening:\n${output}`));
    });
  });
  const daemon: RunningDaemon = { child, pid, dir, ...address, baseUrl: `http://${address.host}:${address.port}`, output: () => output, exited: () => exitPromise(child) };
  running.push(daemon);
  return daemon;
}

// For afterEach: kills every daemon still running (by its PID) and removes the temp directories.
export async function cleanUp(): Promise<void> {
  for (const daemon of running.splice(0)) {
    if (daemon.child.exitCode === null && daemon.child.signalCode === null) {
      process.kill(daemon.pid, 'SIGKILL');
      await daemon.exited();
    }
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

// The daemon's log: one JSON object per line (pino); other lines (plain-text errors) are skipped.
export function logRecords(output: string): Array<{ level: string; msg: string; [key: string]: unknown }> {
  return output.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line) as { level: string; msg: string }];
    } catch {
      return [];
    }
  });
}

export async function getJson(url: string, init: RequestInit = {}): Promise<{ status: number; body: unknown; headers: Headers }> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown), headers: response.headers };
}

// Polls until check returns a value (not undefined), or fails after timeoutMs.
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
