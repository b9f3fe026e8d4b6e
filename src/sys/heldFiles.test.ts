import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HeldFileReader } from './heldFiles.ts';
import { isKernelFilesystem, kernelFileReader } from './kernelFiles.ts';
import { scanPidStat } from './scanPidStat.ts';

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

describe('HeldFileReader', () => {
  it('re-reads a held /proc/PID/stat and sees fresh values (CPU time of a busy child grows)', async () => {
    const child = spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' });
    children.push(child);
    const reader = new HeldFileReader();
    const path = `/proc/${child.pid}/stat`;
    const ticks = (): number => {
      const parsed = scanPidStat(reader.read(path) ?? '');
      return parsed.ok ? parsed.value.utimeTicks + parsed.value.stimeTicks : -1;
    };
    const first = ticks();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(reader.heldCount).toBe(1);
    expect(ticks()).toBeGreaterThan(first);
    reader.close();
  });

  it('returns undefined once the process is gone, and releases the descriptor', async () => {
    const child = spawn('sleep', ['60'], { stdio: 'ignore' });
    children.push(child);
    const reader = new HeldFileReader();
    const path = `/proc/${child.pid}/stat`;
    expect(reader.read(path)).toContain('(sleep)');
    child.kill('SIGKILL');
    await exited(child);
    expect(reader.read(path)).toBeUndefined();
    expect(reader.heldCount).toBe(0);
    reader.close();
  });

  it('falls back to open-read-close beyond its limit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hostguard-held-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'a'), 'A');
    writeFileSync(join(dir, 'b'), 'B');
    const reader = new HeldFileReader(1);
    expect([reader.read(join(dir, 'a')), reader.read(join(dir, 'b'))]).toEqual(['A', 'B']);
    expect(reader.heldCount).toBe(1);
    // A held regular file rewritten in place is read afresh.
    writeFileSync(join(dir, 'a'), 'A2');
    expect(reader.read(join(dir, 'a'))).toBe('A2');
    reader.close();
    expect(reader.heldCount).toBe(0);
  });
});

describe('HeldFileReader readToEnd', () => {
  // maps of a sleeping python (about 14 KB): a seq_file of several pages that does not change while it sleeps.
  it('reads a multi-page seq_file whole, where one short read would stop at a page', async () => {
    const child = spawn('python3', ['-c', 'import time; time.sleep(60)'], { stdio: 'ignore' });
    children.push(child);
    const path = `/proc/${child.pid}/maps`;
    // Wait until python has settled (its maps stop changing).
    let truth = '';
    for (let i = 0; i < 50; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const now = readFileSync(path, 'utf8');
      if (now === truth) break;
      truth = now;
    }
    expect(truth.length).toBeGreaterThan(8192);
    const whole = new HeldFileReader(4, { readToEnd: true });
    const firstRead = new HeldFileReader(4);
    // Twice: the second read is a pread at offset 0 on the held descriptor.
    expect([whole.read(path), whole.read(path)]).toEqual([truth, truth]);
    expect(whole.heldCount).toBe(1);
    expect(firstRead.read(path)?.length).toBeLessThan(truth.length);
    whole.close();
    firstRead.close();
  });
});

describe('HeldFileReader readToEnd on small kernel files', () => {
  // Each ends at its first short read (under half a page): the text must still be whole.
  it('reads mountinfo, meminfo, diskstats and net/dev whole, as readFileSync does', () => {
    const reader = new HeldFileReader(8, { readToEnd: true });
    const keys = (text: string | undefined): string[] => (text ?? '').split('\n').map((line) => line.trim().split(/[\s:]+/)[0] ?? '');
    expect(reader.read('/proc/self/mountinfo')).toBe(readFileSync('/proc/self/mountinfo', 'utf8'));
    for (const path of ['/proc/meminfo', '/proc/diskstats', '/proc/net/dev', '/proc/stat']) {
      const text = reader.read(path);
      expect(text?.endsWith('\n'), path).toBe(true);
      expect(keys(text), path).toEqual(keys(readFileSync(path, 'utf8')));
    }
    reader.close();
  });
});

describe('kernelFileReader', () => {
  it('holds descriptors under /proc and sees fresh text on each read', async () => {
    expect(isKernelFilesystem('/proc')).toBe(true);
    expect(isKernelFilesystem('/sys')).toBe(true);
    const reader = kernelFileReader('/proc');
    const uptime = (): number => Number(reader.read('/proc/uptime')?.split(' ')[0]);
    const first = uptime();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(uptime()).toBeGreaterThan(first);
    expect(reader.heldCount).toBe(1);
    reader.close();
  });

  it('holds nothing in a fixture tree, so a replaced file is read afresh', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hostguard-kernelfiles-'));
    dirs.push(dir);
    expect(isKernelFilesystem(dir)).toBe(false);
    const reader = kernelFileReader(dir);
    writeFileSync(join(dir, 'meminfo'), 'old');
    expect(reader.read(join(dir, 'meminfo'))).toBe('old');
    writeFileSync(join(dir, 'meminfo.new'), 'new');
    renameSync(join(dir, 'meminfo.new'), join(dir, 'meminfo'));
    expect(reader.read(join(dir, 'meminfo'))).toBe('new');
    expect(reader.heldCount).toBe(0);
    reader.close();
  });
});

describe('HeldFileReader out of descriptors', () => {
  it('under a low RLIMIT_NOFILE holds fewer descriptors and still reads every file', () => {
    // A child under prlimit (a limit cannot be lowered from inside Node) holds /proc/PID/stat of
    // every process it can see, 3 times over, with a 40-descriptor limit.
    const module = new URL('./heldFiles.ts', import.meta.url).pathname;
    const script = `
      import { readdirSync } from 'node:fs';
      import { HeldFileReader } from '${module}';
      const reader = new HeldFileReader();
      const paths = readdirSync('/proc').filter((n) => /^\\d+$/.test(n)).map((n) => '/proc/' + n + '/stat');
      let read = 0;
      for (let round = 0; round < 3; round++) for (const path of paths) if (reader.read(path) !== undefined) read++;
      console.log(JSON.stringify({ files: paths.length, read, held: reader.heldCount }));`;
    const result = spawnSync('prlimit', ['--nofile=40:40', process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    const { files, read, held } = JSON.parse(result.stdout) as { files: number; read: number; held: number };
    expect(files).toBeGreaterThan(40);
    // Processes may exit meanwhile; nearly every read must succeed despite the limit.
    expect(read).toBeGreaterThan(files * 3 - 10);
    expect(held).toBeLessThan(40);
  });
});
