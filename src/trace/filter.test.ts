import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProcessFilter, resolveCgroup } from './filter.ts';
import { ProcessTree } from './processTree.ts';

// A fake /proc with two processes' cgroup files: 100 in /job/a (memory), 200 in /other.
const procRoot = mkdtempSync(join(tmpdir(), 'hostguard-filter-'));
for (const [pid, path] of [[100, '/job/a'], [200, '/other']] as const) {
  mkdirSync(join(procRoot, String(pid)));
  writeFileSync(join(procRoot, String(pid), 'cgroup'), `12:memory:${path}\n11:cpu,cpuacct:/\n0::/\n`);
}
afterAll(() => rmSync(procRoot, { recursive: true, force: true }));

function tree(): ProcessTree {
  const t = new ProcessTree();
  t.applyExec({ type: 'exec', timeMs: 0, pid: 10, ppid: 1, comm: 'make' });
  t.applyExec({ type: 'exec', timeMs: 1, pid: 11, ppid: 10, comm: 'sh' });
  t.applyExec({ type: 'exec', timeMs: 2, pid: 12, ppid: 11, comm: 'cc' });
  return t;
}

describe('ProcessFilter', () => {
  it('selects a pid and its descendants, even one the tree never saw', () => {
    const filter = new ProcessFilter({ pid: 10 }, tree());
    expect([10, 11, 12].map((pid) => filter.matches(pid))).toEqual([true, true, true]);
    expect(filter.matches(13, 'cc', 12)).toBe(true);
    expect(filter.matches(1)).toBe(false);
    expect(filter.matches(99, 'x', 1)).toBe(false);
  });

  it('selects by command name', () => {
    const filter = new ProcessFilter({ comm: 'cc' }, tree());
    expect([filter.matches(12), filter.matches(11), filter.matches(50, 'cc')]).toEqual([true, false, true]);
  });

  it('selects a v1 cgroup and its children from /proc/PID/cgroup; a gone process takes its parent answer', () => {
    const filter = new ProcessFilter({ cgroupV1: { controller: 'memory', path: '/job' }, procRoot }, new ProcessTree());
    expect(filter.matches(100)).toBe(true);
    expect(filter.matches(200)).toBe(false);
    // 300 has no /proc entry: it exited already; its parent 100 is in the cgroup
    expect(filter.matches(300, 'x', 100)).toBe(true);
    expect(filter.matches(301, 'x', 200)).toBe(false);
    expect(new ProcessFilter({}, new ProcessTree()).active).toBe(false);
  });
});

describe('resolveCgroup', () => {
  it('names what it looked at when nothing is a cgroup', () => {
    expect(resolveCgroup('/surely-not-here', '/nonexistent')).toEqual({ ok: false, error: "--cgroup: '/surely-not-here' is not a cgroup directory (looked at /nonexistent/memory/surely-not-here, /nonexistent/unified/surely-not-here, /nonexistent/surely-not-here)" });
  });

  it.skipIf(process.platform !== 'linux')('reads the hierarchy of a real cgroup directory: v1 by controller, v2 by its file system', () => {
    const root = resolveCgroup('/sys/fs/cgroup/memory');
    if (root.ok && root.selector.version === 1) expect(root.selector).toEqual({ version: 1, controller: 'memory', path: '/' });
    const unified = resolveCgroup('/sys/fs/cgroup/unified');
    if (unified.ok) expect(unified.selector).toEqual({ version: 2, dir: '/sys/fs/cgroup/unified' });
  });
});
