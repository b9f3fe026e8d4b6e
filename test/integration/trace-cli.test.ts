// `hostguard trace` as a user runs it: the installed command, real processes, Ctrl-C (SIGINT) and
// SIGTERM leaving no bpftrace behind, filters, JSON and text views, the fallback's label.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { exited } from '../helpers/cgroup.ts';
import { alive, bpftraceSupport, killIfAlive, until } from '../helpers/bpftrace.ts';

const HOSTGUARD = fileURLToPath(new URL('../../bin/hostguard.js', import.meta.url));
const support = bpftraceSupport();
if (!support.ok) console.warn(`skipping eBPF trace CLI tests: ${support.reason}`);

class TraceCli {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';

  constructor(args: string[], command: string[] = []) {
    const [program = process.execPath, ...prefix] = command.length > 0 ? command : [process.execPath];
    this.child = spawn(program, [...prefix, HOSTGUARD, 'trace', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (d: Buffer) => (this.stdout += d.toString()));
    this.child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
  }

  get lines(): string[] {
    return this.stdout.split('\n').filter(Boolean);
  }

  bpftracePid(): number | undefined {
    const match = /bpftrace pid (\d+)/.exec(this.stdout);
    return match ? Number(match[1]) : undefined;
  }
}

const running: TraceCli[] = [];
function cli(args: string[], command: string[] = []): TraceCli {
  const run = new TraceCli(args, command);
  running.push(run);
  return run;
}

afterEach(async () => {
  for (const run of running.splice(0)) {
    const pid = run.bpftracePid();
    if (run.child.exitCode === null && run.child.signalCode === null) {
      run.child.kill('SIGTERM');
      await exited(run.child);
    }
    killIfAlive(pid);
  }
});

describe('hostguard trace: arguments', () => {
  it('rejects an unknown view or a bad value, naming it and what is accepted', () => {
    const unknown = spawnSync(process.execPath, [HOSTGUARD, 'trace', 'files'], { encoding: 'utf8' });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toBe("hostguard trace: unknown view 'files'; views: exec, exit, open, io, oom. See 'hostguard trace --help'.\n");
    const pid = spawnSync(process.execPath, [HOSTGUARD, 'trace', 'exec', '--pid', 'one'], { encoding: 'utf8' });
    expect(pid.status).toBe(2);
    expect(pid.stderr).toContain("--pid 'one' is not a positive integer");
    const cgroup = spawnSync(process.execPath, [HOSTGUARD, 'trace', 'exec', '--cgroup', '/no-such-group'], { encoding: 'utf8' });
    expect(cgroup.stderr).toContain("--cgroup: '/no-such-group' is not a cgroup directory");
    const help = spawnSync(process.execPath, [HOSTGUARD, 'trace', '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: hostguard trace exec|exit|open|io|oom [options]');
  });

  it('samples /proc when asked, says so first, and stops after --duration', async () => {
    const run = cli(['exec', '--sampled', '--duration', '1']);
    expect((await exited(run.child)).code).toBe(0);
    expect(run.lines.slice(0, 2)).toEqual(['# starting', '# eBPF unavailable: sampling was asked for; sampling /proc every 1 s, short-lived processes will be missed']);
  });

  it.skipIf(process.getuid?.() !== 0)('falls back to sampling without root, with the reason', async () => {
    const run = cli(['exec', '--duration', '1'], ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath]);
    expect((await exited(run.child)).code).toBe(0);
    expect(run.lines[1]).toBe('# eBPF unavailable: needs root (running as uid 65534); sampling /proc every 1 s, short-lived processes will be missed');
  });
});

describe.skipIf(!support.ok)('hostguard trace on eBPF', () => {
  let dir: string;
  let probe: string;
  let exiter: string;
  let ddCopy: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hostguard-trace-cli-'));
    // Copies under names of our own: their comm is what --comm filters on.
    probe = join(dir, 'hgtrace-probe');
    exiter = join(dir, 'hgtrace-exit');
    copyFileSync('/bin/true', probe);
    copyFileSync('/bin/sh', exiter);
    ddCopy = join(dir, 'hgtrace-dd');
    copyFileSync(spawnSync('sh', ['-c', 'command -v dd'], { encoding: 'utf8' }).stdout.trim(), ddCopy);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function live(run: TraceCli): Promise<number> {
    await until(() => run.bpftracePid() !== undefined || run.child.exitCode !== null, 120_000, `the tracer to go live (stderr: ${run.stderr})`);
    const pid = run.bpftracePid();
    if (pid === undefined) throw new Error(`hostguard trace exited: ${run.stderr}`);
    return pid;
  }

  it('prints exec events of --comm as JSON, and Ctrl-C stops it with its bpftrace', async () => {
    const run = cli(['exec', '--json', '--comm', 'hgtrace-probe']);
    const bpftrace = await live(run);
    expect(alive(bpftrace)).toBe(true);
    await exited(spawn('/bin/true'));
    const child = spawn(probe, ['first-arg']);
    await exited(child);
    await until(() => run.lines.some((line) => line.includes('"type":"exec"')), 10_000, 'the exec line');
    const execs = run.lines.map((line) => JSON.parse(line) as { type: string; pid?: number; comm?: string; argv?: string[] }).filter((e) => e.type === 'exec');
    expect(execs).toEqual([expect.objectContaining({ pid: child.pid, comm: 'hgtrace-probe', argv: [probe, 'first-arg'], ppid: process.pid })]);
    run.child.kill('SIGINT');
    expect(await exited(run.child)).toEqual({ code: 0, signal: null });
    expect(alive(bpftrace)).toBe(false);
    expect(JSON.parse(run.lines.at(-1) ?? '{}')).toMatchObject({ type: 'status', state: 'stopped' });
  }, 150_000);

  it('prints an exit line with its status and lifetime, and SIGTERM stops it with its bpftrace', async () => {
    const run = cli(['exit', '--comm', 'hgtrace-exit']);
    const bpftrace = await live(run);
    await exited(spawn(exiter, ['-c', 'sleep 0.2; exit 3']));
    await until(() => run.lines.some((line) => line.includes(' exit 3 ')), 10_000, 'the exit line');
    expect(run.lines.find((line) => line.includes('hgtrace-exit'))).toMatch(/^\d\d:\d\d:\d\d\.\d{3} {2}exit +\d+ +\d+ {2}hgtrace-exit +exit 3 +lived (\d+\.\dms|\d+\.\d\ds)$/);
    run.child.kill('SIGTERM');
    expect((await exited(run.child)).code).toBe(0);
    expect(alive(bpftrace)).toBe(false);
  }, 150_000);

  it('prints per-second io rows, per process, that add up to what the process wrote', async () => {
    const run = cli(['io', '--json', '--comm', 'hgtrace-dd']);
    await live(run);
    const dd = spawn(ddCopy, ['if=/dev/zero', `of=${join(dir, 'io-out')}`, 'bs=64k', 'count=128'], { stdio: 'ignore' });
    await exited(dd);
    type Io = { type: string; timeMs: number; processes: Array<{ pid: number; comm?: string; writtenBytes: number }> };
    const intervals = (): Io[] => run.lines.map((line) => JSON.parse(line) as Io).filter((e) => e.type === 'io');
    const written = (): number => intervals().flatMap((e) => e.processes).filter((p) => p.pid === dd.pid).reduce((sum, p) => sum + p.writtenBytes, 0);
    await until(() => written() >= 8 * 1024 * 1024, 10_000, 'the 8 MiB written by dd');
    // 8 MiB to the file and dd's summary to /dev/null; no other process passes --comm
    expect(written() - 8 * 1024 * 1024).toBeLessThan(1024);
    expect(intervals().flatMap((e) => e.processes).every((p) => p.pid === dd.pid && p.comm === 'hgtrace-dd')).toBe(true);
  }, 150_000);
});
