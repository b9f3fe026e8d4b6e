// Runs one target on a duty cycle: stopped for stopMs, running for runMs, starting with a stop so a
// change takes effect at once. The switch is SIGSTOP/SIGCONT for a process or the freezer for a
// cgroup; timers come in as a parameter so tests drive the cycle on a simulated clock.
import type { Outcome } from './processOps.ts';

export interface Timers {
  nowMs: () => number;
  set: (callback: () => void, ms: number) => unknown;
  clear: (handle: unknown) => void;
}

export const realTimers = (nowMs: () => number): Timers => ({
  nowMs,
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
});

export interface Switch {
  stop: () => Outcome;
  cont: () => Outcome;
  // Whether the target is stopped right now (read from /proc or the freezer), to notice a
  // target that someone else continued behind our back.
  isStopped: () => boolean | undefined;
}

export interface Phases {
  runMs: number;
  stopMs: number;
  // The first stop, when longer than the others (a pause).
  firstStopMs?: number;
}

const VERIFY_GRACE_MS = 250;

export type CycleProblem = { result: 'gone' } | { result: 'failed'; error: string };

export class DutyCycle {
  private readonly target: Switch;
  private readonly timers: Timers;
  private readonly onProblem: (problem: CycleProblem) => void;
  private phases: Phases | undefined;
  private handle: unknown;
  private stoppedSinceMs: number | undefined;
  private stoppedTotalMs = 0;
  // Times the target ran while it should have been stopped (someone sent SIGCONT or thawed it).
  interferences = 0;

  constructor(target: Switch, timers: Timers, onProblem: (problem: CycleProblem) => void) {
    this.target = target;
    this.timers = timers;
    this.onProblem = onProblem;
  }

  get stopped(): boolean {
    return this.stoppedSinceMs !== undefined;
  }

  // Milliseconds spent stopped so far, including the current stop.
  stoppedMs(nowMs = this.timers.nowMs()): number {
    return this.stoppedTotalMs + (this.stoppedSinceMs === undefined ? 0 : nowMs - this.stoppedSinceMs);
  }

  // New phases restart the cycle with a stop; the same phases leave it running undisturbed;
  // undefined means run freely. Returns false when the target could not be switched.
  apply(phases: Phases | undefined): boolean {
    if (same(phases, this.phases)) return true;
    this.phases = phases;
    this.cancelTimer();
    if (!phases) return this.switchTo(false);
    return this.stopPhase(phases.firstStopMs);
  }

  // Re-stops a target found running in a stop phase. Only after a grace period: on a busy machine
  // a stopped process's main thread may run on for a while before the group stop reaches it. Short
  // duty-cycle stops need no check: each period sends SIGSTOP again anyway.
  verify(): void {
    const since = this.stoppedSinceMs;
    if (since === undefined || this.timers.nowMs() - since < VERIFY_GRACE_MS || this.target.isStopped() !== false) return;
    this.interferences++;
    const outcome = this.target.stop();
    if (outcome.result !== 'ok') this.fail(outcome);
  }

  // Continues the target and forgets the cycle; what every exit path calls.
  dispose(): Outcome {
    this.phases = undefined;
    this.cancelTimer();
    if (!this.stopped) return { result: 'ok' };
    const outcome = this.target.cont();
    this.markRunning();
    return outcome;
  }

  private stopPhase(firstStopMs?: number): boolean {
    const phases = this.phases;
    if (!phases) return true;
    if (!this.switchTo(true)) return false;
    this.handle = this.timers.set(() => this.runPhase(), firstStopMs ?? phases.stopMs);
    return true;
  }

  private runPhase(): void {
    const phases = this.phases;
    if (!phases) return;
    if (!this.switchTo(false)) return;
    this.handle = this.timers.set(() => this.stopPhase(), phases.runMs);
  }

  private switchTo(stopped: boolean): boolean {
    if (stopped === this.stopped) return true;
    const outcome = stopped ? this.target.stop() : this.target.cont();
    if (outcome.result !== 'ok') {
      this.phases = undefined;
      this.cancelTimer();
      if (!stopped) this.markRunning();
      this.fail(outcome);
      return false;
    }
    if (stopped) this.stoppedSinceMs = this.timers.nowMs();
    else this.markRunning();
    return true;
  }

  private markRunning(): void {
    if (this.stoppedSinceMs !== undefined) this.stoppedTotalMs += this.timers.nowMs() - this.stoppedSinceMs;
    this.stoppedSinceMs = undefined;
  }

  private fail(outcome: Outcome): void {
    if (outcome.result === 'ok') return;
    this.onProblem(outcome);
  }

  private cancelTimer(): void {
    if (this.handle !== undefined) this.timers.clear(this.handle);
    this.handle = undefined;
  }
}

function same(a: Phases | undefined, b: Phases | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.runMs === b.runMs && a.stopMs === b.stopMs && a.firstStopMs === b.firstStopMs);
}
