// Tests of RowFiles on the real /proc: a held oom_score_adj sees new values, and is let go when its process leaves the rows.
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { RowFiles } from './rowFiles.ts';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

// Paths this process holds open, from /proc/self/fd.
function openPaths(): string[] {
  return readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      return [readlinkSync(`/proc/self/fd/${fd}`)];
    } catch {
      return [];
    }
  });
}

describe('RowFiles', () => {
  it('re-reads a held oom_score_adj with fresh values, and closes it when the process is no longer shown', async () => {
    const child = spawn('sleep', ['600'], { stdio: 'ignore' });
    children.push(child);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const pid = child.pid ?? 0;
    const files = new RowFiles('/proc');
    const path = `/proc/${pid}/oom_score_adj`;
    expect(files.read(pid, 'oom_score_adj')).toBe('0\n');
    expect(openPaths()).toContain(path);
    writeFileSync(path, '321');
    expect(files.read(pid, 'oom_score_adj')).toBe('321\n');
    files.keepOnly(new Set([pid]));
    expect(openPaths()).toContain(path);
    files.keepOnly(new Set());
    expect(openPaths()).not.toContain(path);
    files.close();
  });

  it('reads a vanished process as undefined', async () => {
    const child = spawn('sleep', ['600'], { stdio: 'ignore' });
    children.push(child);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const pid = child.pid ?? 0;
    const files = new RowFiles('/proc');
    expect(files.read(pid, 'oom_score')).toMatch(/^\d+\n$/);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(files.read(pid, 'oom_score')).toBeUndefined();
    files.close();
  });
});
