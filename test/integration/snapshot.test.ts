// `hostguard snapshot --json` on the real machine, checked against free -b, df -B1, /proc/loadavg and ps.
// Tolerances (documented in docs/snapshot.md): the machine keeps running between the two reads.
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricsSnapshot, ProcessInfo } from '../../src/collect/types.ts';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const MiB = 1024 * 1024;

function snapshot(...args: string[]): MetricsSnapshot {
  const out = execFileSync(process.execPath, [main, 'snapshot', '--json', ...args], { encoding: 'utf8' });
  return JSON.parse(out) as MetricsSnapshot;
}

function run(command: string, ...args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8' });
}

// Processes this file starts: a sleeper, a CPU spinner and a 300 MiB resident allocation.
const children: ChildProcess[] = [];
function python(code: string, niceness = 0): ChildProcess {
  // nice execs python3, so the pid is python's.
  const child = spawn('nice', ['-n', String(niceness), 'python3', '-c', code], { stdio: 'ignore' });
  children.push(child);
  return child;
}

let sleeper: ChildProcess;
let spinner: ChildProcess;
let hog: ChildProcess;
let snap: MetricsSnapshot;

// stat fields of a process (python starts slowly on a busy host: wait for it to settle).
function stat(pid: number | undefined): { state: string; rssPages: number } {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '', rssPages: Number(fields[21]) };
}

let topCpuPercent: Promise<number>;

beforeAll(async () => {
  sleeper = python('import time; time.sleep(600)');
  // At high priority the spinner gets a whole CPU every second even on a busy host, so the second
  // top measures and the one the snapshot measures (they start a few hundred ms apart) agree.
  spinner = python('while True: pass', -15);
  hog = python("x = b'x' * (300 * 1024 * 1024)\nimport time\ntime.sleep(600)");
  for (let i = 0; i < 100 && !(stat(hog.pid).state === 'S' && stat(hog.pid).rssPages * 4096 > 300 * MiB && stat(sleeper.pid).state === 'S'); i++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  // top measures the spinner over the same second as the snapshot, in parallel.
  topCpuPercent = new Promise((resolve, reject) =>
    execFile('top', ['-b', '-d', '1', '-n', '2', '-p', String(spinner.pid)], { encoding: 'utf8' }, (error, out) => {
      if (error) reject(error);
      const line = out.trim().split('\n').at(-1)?.trim().split(/\s+/) ?? [];
      resolve(Number(line[8]));
    }),
  );
  snap = snapshot('--interval', '1', '--top', '200');
  // Starting python three times takes a while on a busy host.
}, 90_000);

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

function find(list: ProcessInfo[] | undefined, pid: number | undefined): ProcessInfo | undefined {
  return list?.find((p) => p.pid === pid);
}

describe('hostguard snapshot against free -b', () => {
  it('agrees on total exactly and on used, available, buff/cache and swap within 1 % of RAM (at least 64 MiB)', () => {
    const mem = run('free', '-b').split('\n').find((l) => l.startsWith('Mem:'))?.split(/\s+/).map(Number) ?? [];
    const swap = run('free', '-b').split('\n').find((l) => l.startsWith('Swap:'))?.split(/\s+/).map(Number) ?? [];
    const [, total = 0, used = 0, , shared = 0, buffCache = 0, available = 0] = mem;
    const tolerance = Math.max(64 * MiB, total * 0.01);
    const memory = snap.memory;
    expect(memory?.totalBytes).toBe(total);
    expect(Math.abs((memory?.usedBytes ?? 0) - used)).toBeLessThan(tolerance);
    expect(Math.abs((memory?.availableBytes ?? 0) - available)).toBeLessThan(tolerance);
    expect(Math.abs((memory?.buffersBytes ?? 0) + (memory?.cachedBytes ?? 0) - buffCache)).toBeLessThan(tolerance);
    expect(Math.abs((memory?.sharedBytes ?? 0) - shared)).toBeLessThan(tolerance);
    expect(memory?.swapTotalBytes).toBe(swap[1]);
    expect(Math.abs((memory?.swapUsedBytes ?? 0) - (swap[2] ?? 0))).toBeLessThan(tolerance);
  });
});

describe('hostguard snapshot against df -B1', () => {
  const rows = (): Array<{ type: string; size: number; used: number; avail: number; target: string }> =>
    run('df', '-B1', '--output=fstype,size,used,avail,target')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => {
        const [type = '', size = '', used = '', avail = '', ...target] = line.trim().split(/\s+/);
        return { type, size: Number(size), used: Number(used), avail: Number(avail), target: target.join(' ') };
      });

  it('lists the filesystems df lists, less devtmpfs, and no others', () => {
    const expected = rows().filter((r) => r.type !== 'devtmpfs').map((r) => r.target).sort();
    expect(snap.disks?.filesystems.map((f) => f.mountPoint).sort()).toEqual(expected);
  });

  it('agrees on size exactly and on used and available within 0.5 % of the size (at least 64 MiB)', () => {
    for (const row of rows()) {
      const fs = snap.disks?.filesystems.find((f) => f.mountPoint === row.target);
      if (!fs) continue;
      const tolerance = Math.max(64 * MiB, row.size * 0.005);
      expect(fs.totalBytes, row.target).toBe(row.size);
      expect(Math.abs(fs.usedBytes - row.used), row.target).toBeLessThan(tolerance);
      expect(Math.abs(fs.availableBytes - row.avail), row.target).toBeLessThan(tolerance);
      // df rounds Use% up to a whole percent.
      const dfPercent = row.used + row.avail === 0 ? 0 : Math.ceil((row.used / (row.used + row.avail)) * 100);
      expect(Math.abs(fs.usedPercent - dfPercent), row.target).toBeLessThanOrEqual(1);
    }
  });
});

describe('hostguard snapshot against /proc/loadavg', () => {
  it('reports the load averages the kernel shows (they move every 5 s, so before or after)', () => {
    const before = run('cat', '/proc/loadavg').split(' ').slice(0, 3).map(Number);
    const fresh = snapshot('--interval', '0', '--collectors', 'cpu');
    const after = run('cat', '/proc/loadavg').split(' ').slice(0, 3).map(Number);
    const ours = [fresh.cpu?.load1, fresh.cpu?.load5, fresh.cpu?.load15];
    expect([JSON.stringify(before), JSON.stringify(after)]).toContain(JSON.stringify(ours));
  });
});

describe('hostguard snapshot against ps', () => {
  function ps(pid: number | undefined, field: string): string {
    return run('ps', '-o', `${field}=`, '-p', String(pid)).trim();
  }

  it('describes a process as ps does: ppid, user, state, threads, comm, args, RSS (within 1 %), start time (within 2 s)', () => {
    const row = find(snap.processes?.topByMemory, hog.pid);
    expect(row).toBeDefined();
    expect(row?.ppid).toBe(Number(ps(hog.pid, 'ppid')));
    expect(row?.user).toBe(ps(hog.pid, 'user'));
    expect(row?.state).toBe(ps(hog.pid, 'stat').charAt(0));
    expect(row?.threads).toBe(Number(ps(hog.pid, 'nlwp')));
    expect(row?.name).toBe(ps(hog.pid, 'comm'));
    // ps shows control characters in arguments (the newlines of the python program) as spaces.
    const printable = [...(row?.cmdline ?? '')].map((c) => (c.charCodeAt(0) < 32 ? ' ' : c)).join('');
    expect(printable).toBe(ps(hog.pid, 'args'));
    const rssBytes = Number(ps(hog.pid, 'rss')) * 1024;
    expect(rssBytes).toBeGreaterThan(300 * MiB);
    expect(Math.abs((row?.rssBytes ?? 0) - rssBytes)).toBeLessThan(rssBytes * 0.01);
    const startedAt = Date.now() / 1000 - Number(ps(hog.pid, 'etimes'));
    expect(Math.abs((row?.startTimeSeconds ?? 0) - startedAt)).toBeLessThan(2);
  });

  it('gives a spinning process the CPU % top gives it over the same second (within 25 points), and a sleeper 0 %', async () => {
    const spin = find(snap.processes?.topByCpu, spinner.pid);
    const top = await topCpuPercent;
    expect(spin?.cpuPercent).toBeGreaterThan(0);
    expect(spin?.cpuPercent).toBeLessThanOrEqual(101);
    expect(Math.abs((spin?.cpuPercent ?? 0) - top)).toBeLessThan(25);
    expect(find(snap.processes?.topByCpu, sleeper.pid)).toBeUndefined();
    expect(find(snap.processes?.topByMemory, sleeper.pid)?.cpuPercent).toBe(0);
  });

  it('counts as many processes as ps -e, read just before and just after, within 10 or 5 % (others come and go)', () => {
    const count = (): number => run('ps', '-e', '--no-headers').trim().split('\n').length;
    const before = count();
    const total = snapshot('--interval', '0', '--collectors', 'processes').processes?.total ?? 0;
    const after = count();
    const slack = Math.max(10, Math.max(before, after) * 0.05);
    expect(total).toBeGreaterThanOrEqual(Math.min(before, after) - slack);
    expect(total).toBeLessThanOrEqual(Math.max(before, after) + slack);
  });

  it('leaves I/O undefined, not zero, where /proc/PID/io is unreadable', () => {
    let readable = true;
    try {
      readFileSync('/proc/1/io');
    } catch {
      readable = false;
    }
    const init = find(snap.processes?.topByMemory, 1);
    expect(init).toBeDefined();
    if (readable) expect(init?.readBytesPerSecond).toBeGreaterThanOrEqual(0);
    else expect(init).not.toHaveProperty('readBytesPerSecond');
  });
});
