// v1 cpu and freezer cgroups at the same path as a child of a test memory cgroup, so that a test
// can name one cgroup to --throttle-cgroup on a machine with one hierarchy per controller. Only the
// test's own processes are moved in; destroy() thaws, kills what is left and removes every directory.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const ROOT = '/sys/fs/cgroup';

export function v1ControlSupport(): { ok: true } | { ok: false; reason: string } {
  if (process.getuid?.() !== 0) return { ok: false, reason: 'needs root to create cgroups' };
  for (const file of ['memory/memory.limit_in_bytes', 'cpu/cpu.cfs_quota_us', 'freezer/cgroup.procs']) {
    if (!existsSync(join(ROOT, file))) return { ok: false, reason: `no v1 ${file.split('/')[0]} hierarchy at ${ROOT}` };
  }
  return { ok: true };
}

export class ControlCgroups {
  // The path inside the hierarchies: /hg-...-123/w1
  readonly path: string;
  readonly memoryDir: string;
  readonly cpuDir: string;
  readonly freezerDir: string;

  private constructor(path: string) {
    this.path = path;
    this.memoryDir = join(ROOT, 'memory', path);
    this.cpuDir = join(ROOT, 'cpu', path);
    this.freezerDir = join(ROOT, 'freezer', path);
  }

  // `memoryParent` is a test memory cgroup (TestCgroup.dir); the child is made in all three.
  static create(memoryParent: string, child: string): ControlCgroups {
    const group = new ControlCgroups(`/${basename(memoryParent)}/${child}`);
    for (const dir of [group.memoryDir, group.cpuDir, group.freezerDir]) mkdirSync(dir, { recursive: true });
    return group;
  }

  add(pid: number): void {
    for (const dir of [this.memoryDir, this.cpuDir, this.freezerDir]) writeFileSync(join(dir, 'cgroup.procs'), String(pid));
  }

  read(hierarchy: 'cpu' | 'freezer', file: string): string {
    return readFileSync(join(hierarchy === 'cpu' ? this.cpuDir : this.freezerDir, file), 'utf8').trim();
  }

  async destroy(): Promise<void> {
    if (existsSync(this.freezerDir)) writeFileSync(join(this.freezerDir, 'freezer.state'), 'THAWED');
    for (const dir of [this.memoryDir, this.cpuDir, this.freezerDir]) {
      for (let i = 0; i < 100 && existsSync(dir); i++) {
        const pids = readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
        for (const pid of pids) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
        try {
          if (pids.length === 0) rmdirSync(dir);
        } catch {
          // the last task is still being torn down
        }
        if (existsSync(dir)) await sleep(50);
      }
      if (existsSync(dir)) throw new Error(`could not remove test cgroup ${dir}`);
    }
    // The cpu and freezer parents were made here too; the memory parent belongs to TestCgroup.
    for (const parent of [dirname(this.cpuDir), dirname(this.freezerDir)]) if (existsSync(parent)) rmdirSync(parent);
  }
}
