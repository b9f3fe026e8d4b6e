// The guard's choices through its real command line over a fake /proc (--proc-root, dry-run only):
// PSI as a trigger, --sort-by-rss, --ignore-root-user, --prefer, --ignore, protected processes.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/guardProcess.ts';

interface FakeProcess {
  pid: number;
  comm: string;
  uid: number;
  oomScore: number;
  rssKiB: number;
  adj?: number;
  kernel?: boolean;
}

let root: string;

function writeProc(rootDir: string, psiFullAvg10: number, processes: FakeProcess[]): void {
  mkdirSync(join(rootDir, 'pressure'), { recursive: true });
  writeFileSync(join(rootDir, 'meminfo'), 'MemTotal: 16000000 kB\nMemFree: 8000000 kB\nMemAvailable: 12000000 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\nAnonPages: 3000000 kB\n');
  writeFileSync(
    join(rootDir, 'pressure', 'memory'),
    `some avg10=${psiFullAvg10 + 5} avg60=1.00 avg300=0.50 total=123456\nfull avg10=${psiFullAvg10} avg60=1.00 avg300=0.50 total=65432\n`,
  );
  for (const p of processes) {
    const dir = join(rootDir, String(p.pid));
    mkdirSync(dir, { recursive: true });
    const flags = p.kernel ? 0x00200000 : 0x00400100;
    const rssPages = Math.floor(p.rssKiB / 4);
    writeFileSync(join(dir, 'stat'), `${p.pid} (${p.comm}) S 1 ${p.pid} ${p.pid} 0 -1 ${flags} 100 0 0 0 10 5 0 0 20 0 1 0 ${5000 + p.pid} 100000000 ${rssPages} 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n`);
    writeFileSync(join(dir, 'status'), `Name:\t${p.comm}\nState:\tS (sleeping)\nUid:\t${p.uid}\t${p.uid}\t${p.uid}\t${p.uid}\nVmRSS:\t${p.rssKiB} kB\nThreads:\t1\n`);
    writeFileSync(join(dir, 'oom_score'), `${p.oomScore}\n`);
    writeFileSync(join(dir, 'oom_score_adj'), `${p.adj ?? 0}\n`);
    writeFileSync(join(dir, 'cmdline'), `/usr/bin/${p.comm}\0--flag\0`);
  }
}

const processes: FakeProcess[] = [
  { pid: 1, comm: 'init', uid: 0, oomScore: 999, rssKiB: 9_000_000 },
  { pid: 50, comm: 'kworker/0:1', uid: 0, oomScore: 998, rssKiB: 0, kernel: true },
  { pid: 300, comm: 'rootdb', uid: 0, oomScore: 700, rssKiB: 100_000 },
  { pid: 400, comm: 'browser', uid: 1000, oomScore: 500, rssKiB: 2_000_000 },
  { pid: 500, comm: 'compiler', uid: 1000, oomScore: 600, rssKiB: 900_000 },
  { pid: 600, comm: 'shielded', uid: 1000, oomScore: 800, rssKiB: 50_000, adj: -1000 },
];

async function firstStrike(args: string[]): Promise<{ type: string; victim: { pid: number; name: string; cmdline: string }; reason: string; dryRun: boolean }> {
  const child = spawn(process.execPath, [CLI, 'guard', '--proc-root', root, '--dryrun', '--json', '-r', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no strike: ${err}`)), 10_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        for (const line of out.split('\n').slice(0, -1)) {
          const event = JSON.parse(line) as { type: string };
          if (event.type === 'term' || event.type === 'kill') {
            clearTimeout(timer);
            resolve(event as never);
          }
        }
      });
      child.on('exit', (code) => reject(new Error(`guard exited ${code}: ${err}`)));
    });
  } finally {
    child.kill('SIGTERM');
  }
}

describe('guard over a fake /proc (dry-run)', () => {
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'hg-fakeproc-'));
    writeProc(root, 35, processes);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('acts on memory pressure alone with --psi, sparing init, kernel threads and adj -1000', async () => {
    const strike = await firstStrike(['--psi', '20']);
    expect(strike.type).toBe('term');
    expect(strike.dryRun).toBe(true);
    expect(strike.victim.pid).toBe(300);
    expect(strike.victim.cmdline).toBe('/usr/bin/rootdb --flag');
  });

  it('sends SIGKILL at the PSI kill level', async () => {
    expect((await firstStrike(['--psi', '20,30'])).type).toBe('kill');
  });

  it('skips root-owned processes with --ignore-root-user', async () => {
    expect((await firstStrike(['--psi', '20', '--ignore-root-user'])).victim.pid).toBe(500);
  });

  it('picks the largest RSS with --sort-by-rss', async () => {
    expect((await firstStrike(['--psi', '20', '--sort-by-rss'])).victim.pid).toBe(400);
  });

  it('honours --prefer and --ignore', async () => {
    expect((await firstStrike(['--psi', '20', '--prefer', '^browser$'])).victim.pid).toBe(400);
    expect((await firstStrike(['--psi', '20', '--ignore', '^rootdb$'])).victim.pid).toBe(500);
  });

  it('stops with 0 and a stop line after its start line on a SIGTERM sent at its first line', async () => {
    // A supervisor may stop the guard as soon as it prints anything: the signal must not find it
    // without its handler (the default action would end it with no stop line, status 143).
    const child = spawn(process.execPath, [CLI, 'guard', '--proc-root', root, '--dryrun', '--json', '-r', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      if (out === '' && child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
      out += d.toString();
    });
    const exit = await new Promise<string>((resolve) => child.once('close', (code, signal) => resolve(`code ${code} signal ${signal}`)));
    expect(exit, out).toBe('code 0 signal null');
    const types = out.trim().split('\n').map((line) => (JSON.parse(line) as { type: string }).type);
    expect(types.slice(-2), out).toEqual(['start', 'stop']);
    expect(out).toContain('"reason":"received SIGTERM"');
  });

  it('with -d reports how long selecting the victim took', async () => {
    const child = spawn(process.execPath, [CLI, 'guard', '--proc-root', root, '--dryrun', '-d', '-r', '0', '--psi', '20'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    for (let i = 0; i < 100 && !/selecting victim took \d+\.\d{3} ms/.test(out); i++) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGTERM');
    expect(out).toMatch(/selecting victim took \d+\.\d{3} ms/);
  });

  it('refuses a fake /proc without --dryrun', async () => {
    const child = spawn(process.execPath, [CLI, 'guard', '--proc-root', root], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(13);
    expect(err).toContain('requires --dryrun');
  });
});
