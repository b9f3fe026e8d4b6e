// A simulated memory cgroup with wave workers, on a simulated clock: drives the graduated
// controller through minutes of pressure in milliseconds. Workers exist only in this model, so
// the controller's targets here are fakes whose stop/continue flip a flag.
import type { Switch, Timers } from '../../src/guard/graduated/dutyCycle.ts';
import type { Outcome } from '../../src/guard/graduated/processOps.ts';
import type { Target } from '../../src/guard/graduated/target.ts';
import { GrowthWindow, type ProcessInfo } from '../../src/guard/graduated/targets.ts';
import type { MemorySample } from '../../src/guard/memory.ts';

export const MiB = 1024 * 1024;

export class SimClock implements Timers {
  now = 0;
  private nextId = 1;
  private readonly queue = new Map<number, { atMs: number; callback: () => void }>();

  nowMs = (): number => this.now;

  set = (callback: () => void, ms: number): unknown => {
    const id = this.nextId++;
    this.queue.set(id, { atMs: this.now + Math.max(0, ms), callback });
    return id;
  };

  clear = (handle: unknown): void => {
    this.queue.delete(handle as number);
  };

  // Runs every timer due at or before `t`, in time order, then sets the clock to t.
  advanceTo(t: number): void {
    for (;;) {
      let due: [number, { atMs: number; callback: () => void }] | undefined;
      for (const entry of this.queue) if (entry[1].atMs <= t && (!due || entry[1].atMs < due[1].atMs)) due = entry;
      if (!due) break;
      this.queue.delete(due[0]);
      this.now = Math.max(this.now, due[1].atMs);
      due[1].callback();
    }
    this.now = t;
  }
}

export interface WorkerSpec {
  startMs: number;
  waveBytes: number;
  bytesPerMs: number;
  holdMs: number;
  waves: number;
  // A leaker never frees: it grows until done or killed.
  leak?: boolean;
}

export class SimWorker {
  readonly pid: number;
  readonly spec: WorkerSpec;
  heldBytes = 0;
  stopped = false;
  exited = false;
  wavesDone = 0;
  stoppedMs = 0;
  finishedAtMs: number | undefined;
  niceValue = 0;
  signals: string[] = [];
  private phase: 'waiting' | 'growing' | 'holding' = 'waiting';
  private holdUntilMs = 0;

  constructor(pid: number, spec: WorkerSpec) {
    this.pid = pid;
    this.spec = spec;
  }

  // One millisecond of the worker's life, if it is allowed to run. A hold is a wall-clock timer:
  // it expires while stopped, and the worker frees as soon as it runs again.
  step(nowMs: number): void {
    if (this.exited || this.finishedAtMs !== undefined) return;
    if (this.stopped) {
      this.stoppedMs++;
      return;
    }
    if (this.phase === 'waiting') {
      if (nowMs < this.spec.startMs) return;
      this.phase = 'growing';
    }
    if (this.phase === 'growing') {
      this.heldBytes = Math.min(this.spec.waveBytes, this.heldBytes + this.spec.bytesPerMs);
      if (this.heldBytes >= this.spec.waveBytes) {
        this.phase = 'holding';
        this.holdUntilMs = nowMs + this.spec.holdMs;
      }
    } else if (this.phase === 'holding' && nowMs >= this.holdUntilMs && !this.spec.leak) {
      this.heldBytes = 0;
      this.wavesDone++;
      if (this.wavesDone >= this.spec.waves) this.finishedAtMs = nowMs;
      else this.phase = 'growing';
    }
  }
}

export class World {
  readonly limitBytes: number;
  readonly baselineBytes: number;
  readonly workers: SimWorker[];
  readonly clock = new SimClock();
  peakBytes = 0;
  private readonly growth = new GrowthWindow(1000);

  constructor(limitBytes: number, baselineBytes: number, specs: WorkerSpec[]) {
    this.limitBytes = limitBytes;
    this.baselineBytes = baselineBytes;
    this.workers = specs.map((spec, i) => new SimWorker(100 + i, spec));
  }

  usedBytes(): number {
    return this.workers.reduce((sum, w) => sum + (w.exited ? 0 : this.baselineBytes + w.heldBytes), 0);
  }

  sample(): MemorySample {
    const used = this.usedBytes();
    const available = Math.max(0, this.limitBytes - used);
    return {
      timeMs: this.clock.now,
      totalBytes: this.limitBytes,
      availableBytes: available,
      availablePercent: (available * 100) / this.limitBytes,
      swapTotalBytes: 0,
      swapFreeBytes: 0,
      swapFreePercent: 0,
    };
  }

  step(): void {
    for (const w of this.workers) w.step(this.clock.now);
    this.peakBytes = Math.max(this.peakBytes, this.usedBytes());
  }

  done(): boolean {
    return this.workers.every((w) => w.exited || w.finishedAtMs !== undefined);
  }

  scan = (nowMs: number): ProcessInfo[] =>
    this.workers
      .filter((w) => !w.exited)
      .map((w) => {
        const rssBytes = this.baselineBytes + w.heldBytes;
        return { key: `${w.pid}@1`, pid: w.pid, startTimeTicks: 1, comm: `worker${w.pid}`, state: w.stopped ? 'T' : 'S', rssBytes, cpuTicks: 0, growthBytes: this.growth.add(`${w.pid}`, nowMs, rssBytes) };
      });

  target = (info: ProcessInfo): Target => {
    const worker = this.workers.find((w) => w.pid === info.pid);
    if (!worker) throw new Error(`no worker ${info.pid}`);
    return fakeTarget(worker);
  };
}

function outcomeFor(worker: SimWorker, apply: () => void): Outcome {
  if (worker.exited) return { result: 'gone' };
  apply();
  return { result: 'ok' };
}

export function fakeTarget(worker: SimWorker): Target {
  const sw: Switch = {
    stop: () => outcomeFor(worker, () => (worker.stopped = true)),
    cont: () => outcomeFor(worker, () => (worker.stopped = false)),
    isStopped: () => (worker.exited ? undefined : worker.stopped),
  };
  let before: number | undefined;
  const target: Target = {
    ref: { key: `${worker.pid}@1`, kind: 'process', name: `worker[${worker.pid}]`, pid: worker.pid },
    switch: sw,
    pauseMethod: 'sigstop',
    memoryBytes: 0,
    mayBeStopped: false,
    lowerPriority: (nice) => {
      if (worker.exited) return { outcome: { result: 'gone' }, changes: [] };
      if (before !== undefined || worker.niceValue >= nice) return { outcome: { result: 'ok' }, changes: [] };
      before = worker.niceValue;
      worker.niceValue = nice;
      return { outcome: { result: 'ok' }, changes: [{ pid: worker.pid, from: before, to: nice }] };
    },
    restorePriority: () =>
      outcomeFor(worker, () => {
        if (before !== undefined) worker.niceValue = before;
        before = undefined;
      }),
    sendSignal: (signal) => outcomeFor(worker, () => worker.signals.push(signal)),
    observe: () => undefined,
    ledgerEntry: () => ({ kind: 'process', pid: worker.pid, startTimeTicks: 1, name: 'worker', mayBeStopped: target.mayBeStopped }),
    containsPid: (pid) => pid === worker.pid,
    isGone: () => worker.exited,
  };
  return target;
}
