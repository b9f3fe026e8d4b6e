// Memory cgroups for tests: created under the memory hierarchy (v1 here, v2 where mounted),
// capped at 1 GiB at most, and removed with every process the test started inside them.
import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process';
import { existsSync, readFileSync, rmdirSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const MAX_LIMIT_BYTES = 1024 ** 3;

export type CgroupSupport = { ok: true; root: string; version: 1 | 2 } | { ok: false; reason: string };

export function memoryCgroupSupport(): CgroupSupport {
  if (process.getuid?.() !== 0) return { ok: false, reason: 'needs root to create a memory cgroup' };
  if (existsSync('/sys/fs/cgroup/memory/memory.limit_in_bytes')) return { ok: true, root: '/sys/fs/cgroup/memory', version: 1 };
  const controllers = existsSync('/sys/fs/cgroup/cgroup.controllers') ? readFileSync('/sys/fs/cgroup/cgroup.controllers', 'utf8') : '';
  if (controllers.split(/\s+/).includes('memory')) return { ok: true, root: '/sys/fs/cgroup', version: 2 };
  return { ok: false, reason: 'no memory cgroup controller is mounted (neither v1 nor v2)' };
}

export class TestCgroup {
  readonly dir: string;
  readonly version: 1 | 2;
  private readonly children: ChildProcess[] = [];

  private constructor(dir: string, version: 1 | 2) {
    this.dir = dir;
    this.version = version;
  }

  static create(name: string, limitBytes: number): TestCgroup {
    const support = memoryCgroupSupport();
    if (!support.ok) throw new Error(support.reason);
    if (limitBytes > MAX_LIMIT_BYTES) throw new Error(`test cgroups are capped at 1 GiB, asked for ${limitBytes}`);
    const dir = join(support.root, `${name}-${process.pid}-${Date.now()}`);
    mkdirSync(dir);
    const group = new TestCgroup(dir, support.version);
    if (support.version === 1) {
      writeFileSync(join(dir, 'memory.limit_in_bytes'), String(limitBytes));
      // No swap here; keep it so where there is some, so the limit is a real wall.
      writeFileSync(join(dir, 'memory.swappiness'), '0');
    } else {
      writeFileSync(join(dir, 'memory.max'), String(limitBytes));
      writeFileSync(join(dir, 'memory.swap.max'), '0');
    }
    return group;
  }

  // Starts a command whose first act is to move itself into this cgroup.
  spawnInside(command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
    const child = spawn('/bin/sh', ['-c', 'echo $$ > "$0" && exec "$@"', join(this.dir, 'cgroup.procs'), command, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...options,
    });
    this.children.push(child);
    return child;
  }

  pids(): number[] {
    return readFileSync(join(this.dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  }

  oomKills(): number {
    const file = this.version === 1 ? 'memory.oom_control' : 'memory.events';
    const match = /^oom_kill (\d+)$/m.exec(readFileSync(join(this.dir, file), 'utf8'));
    return match ? Number(match[1]) : 0;
  }

  // Kills what this test started (the children, and anything they left in the cgroup), then rmdir.
  async destroy(): Promise<void> {
    for (const child of this.children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (let i = 0; i < 100 && existsSync(this.dir); i++) {
      const left = this.pids();
      for (const pid of left) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      if (left.length === 0) {
        try {
          rmdirSync(this.dir);
        } catch {
          // the kernel may still be tearing the last task down
        }
      }
      if (existsSync(this.dir)) await sleep(50);
    }
    if (existsSync(this.dir)) throw new Error(`could not remove test cgroup ${this.dir}`);
  }
}

// Resolves when the child exits, with its exit code and signal.
export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}
