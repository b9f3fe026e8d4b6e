// Signals real processes this test starts (sleep children), never anything else.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Snapshotter } from '../collect/snapshotter.ts';
import type { ProcessInfo } from '../collect/types.ts';
import { outcomeText, signalProcess } from './signal.ts';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
});

function startSleep(): ChildProcess {
  const child = spawn('sleep', ['3600'], { stdio: 'ignore' });
  children.push(child);
  return child;
}

// The child as the collectors describe it (the table's row for it).
function described(pid: number): ProcessInfo {
  const snapshotter = new Snapshotter({ topProcesses: 1000, enabled: { usb: false, temperatures: false, disks: false, network: false } });
  try {
    const process = snapshotter.collect().processes?.topByMemory.find((p) => p.pid === pid);
    if (!process) throw new Error(`pid ${pid} not in the snapshot`);
    return process;
  } finally {
    snapshotter.close();
  }
}

const exited = (child: ChildProcess): Promise<NodeJS.Signals | null> => new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
const deps = { kill: (pid: number, signal: NodeJS.Signals) => process.kill(pid, signal), procRoot: '/proc', ownPid: process.pid };

describe('signalProcess', () => {
  it('sends the signal to the very process shown', async () => {
    const child = startSleep();
    const target = described(child.pid ?? 0);
    expect(target.name).toBe('sleep');
    const exit = exited(child);
    expect(signalProcess(target, 'SIGTERM', deps)).toEqual({ kind: 'sent' });
    expect(await exit).toBe('SIGTERM');
    expect(outcomeText({ kind: 'sent' }, target, 'SIGTERM')).toBe(`sent SIGTERM to ${target.pid} (sleep)`);
  });

  it('does not signal a PID that now belongs to another process (other start time or name)', () => {
    const child = startSleep();
    const target = described(child.pid ?? 0);
    const calls: number[] = [];
    const recorder = { ...deps, kill: (pid: number) => void calls.push(pid) };
    expect(signalProcess({ ...target, startTimeSeconds: target.startTimeSeconds - 5 }, 'SIGTERM', recorder)).toEqual({ kind: 'changed' });
    expect(signalProcess({ ...target, name: 'bash' }, 'SIGTERM', recorder)).toEqual({ kind: 'changed' });
    expect(calls).toEqual([]);
    expect(child.exitCode).toBeNull();
  });

  it('says a process that exited is gone', async () => {
    const child = startSleep();
    const target = described(child.pid ?? 0);
    const exit = exited(child);
    process.kill(target.pid, 'SIGKILL');
    await exit;
    expect(signalProcess(target, 'SIGTERM', deps)).toEqual({ kind: 'gone' });
  });

  it('refuses init, itself and kernel threads without trying', () => {
    const calls: number[] = [];
    const recorder = { ...deps, kill: (pid: number) => void calls.push(pid) };
    const self = described(process.pid);
    expect(signalProcess({ ...self, pid: 1 }, 'SIGKILL', recorder).kind).toBe('refused');
    expect(signalProcess(self, 'SIGKILL', recorder).kind).toBe('refused');
    expect(signalProcess({ ...self, kernelThread: true }, 'SIGKILL', recorder).kind).toBe('refused');
    expect(calls).toEqual([]);
  });

  it("says 'not permitted' when the signal is refused by the kernel (run as nobody against root's sleep)", async () => {
    const child = startSleep();
    const target = described(child.pid ?? 0);
    const signalModule = fileURLToPath(new URL('./signal.ts', import.meta.url));
    const script = `const m = await import(${JSON.stringify(signalModule)}); const t = JSON.parse(process.argv[1]);
      const outcome = m.signalProcess(t, 'SIGTERM', { kill: (p, s) => process.kill(p, s), procRoot: '/proc', ownPid: process.pid });
      console.log(JSON.stringify({ outcome, text: m.outcomeText(outcome, t, 'SIGTERM') }));`;
    const output = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(target)], { uid: 65534, gid: 65534, timeout: 20_000 }, (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout))),
    );
    const result = JSON.parse(output) as { outcome: { kind: string }; text: string };
    expect(result.outcome.kind).toBe('not-permitted');
    expect(result.text).toContain('not permitted');
    expect(child.exitCode).toBeNull();
    expect(child.signalCode).toBeNull();
  });
});
