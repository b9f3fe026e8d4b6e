// Runs `hostguard guard --json` as a child and collects its events, for integration tests and benches.
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TestCgroup, exited } from './cgroup.ts';

export const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
export const HOG = fileURLToPath(new URL('./hog.ts', import.meta.url));

export interface GuardEventRecord {
  type: string;
  time: string;
  [key: string]: unknown;
}

export class GuardProcess {
  readonly child: ChildProcess;
  readonly events: GuardEventRecord[] = [];
  stderr = '';
  private waiters: Array<() => void> = [];

  constructor(args: string[], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(process.execPath, [CLI, 'guard', '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let buffered = '';
    this.child.stdout?.on('data', (data: Buffer) => {
      buffered += data.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) this.events.push(JSON.parse(line) as GuardEventRecord);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.child.stderr?.on('data', (data: Buffer) => (this.stderr += data.toString()));
  }

  // Waits for an event matching the predicate; rejects after timeoutMs with what was seen.
  async waitFor(predicate: (e: GuardEventRecord) => boolean, timeoutMs = 10_000): Promise<GuardEventRecord> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(predicate);
      if (found) return found;
      if (this.child.exitCode !== null) throw new Error(`guard exited (${this.child.exitCode}): ${this.stderr}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; events: ${this.events.map((e) => e.type).join(',')}; stderr: ${this.stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await exited(this.child);
  }
}

// A fresh memory cgroup with a guard scoped to it, and hogs started inside it.
export class GuardedCgroup {
  readonly cgroup: TestCgroup;
  readonly guard: GuardProcess;

  private constructor(cgroup: TestCgroup, guard: GuardProcess) {
    this.cgroup = cgroup;
    this.guard = guard;
  }

  static async start(limitBytes: number, guardArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<GuardedCgroup> {
    const cgroup = TestCgroup.create('hg-guard-test', limitBytes);
    const guard = new GuardProcess(['--cgroup', cgroup.dir, '-r', '0', ...guardArgs], env);
    const guarded = new GuardedCgroup(cgroup, guard);
    try {
      await guard.waitFor((e) => e.type === 'start');
    } catch (error) {
      await guarded.stop();
      throw error;
    }
    return guarded;
  }

  hog(args: string[], options: SpawnOptions = {}): ChildProcess {
    return this.cgroup.spawnInside(process.execPath, [HOG, ...args], options);
  }

  async stop(): Promise<void> {
    await this.guard.stop();
    await this.cgroup.destroy();
  }
}

// Resolves when a hog says it holds its memory.
export function holding(hog: ChildProcess): Promise<void> {
  return new Promise((resolve) => hog.stdout?.on('data', (d: Buffer) => d.toString().includes('"holding"') && resolve()));
}
