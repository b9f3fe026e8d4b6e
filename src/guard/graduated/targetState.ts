// One target's state (normal, throttled, paused), counters and the actions that move it between
// states; restore() undoes all of it: running state, CPU quota and nice.
import type { Emit } from '../events.ts';
import type { ActionSource } from './events.ts';
import { DutyCycle, type Timers } from './dutyCycle.ts';
import type { Level } from './levels.ts';
import { type Plan, type Role, phasesOf } from './policy.ts';
import type { Outcome } from './processOps.ts';
import type { Target } from './target.ts';

export type StateName = 'normal' | 'throttled' | 'paused';

export interface TargetCounters {
  throttledTotal: number;
  pausedTotal: number;
  throttledMs: number;
  pausedMs: number;
  // Times it was found running while it should have been stopped.
  interferences: number;
}

export interface TargetStateDeps {
  timers: Timers;
  emit: Emit;
  maxPauseMs: number;
  releaseSignal?: NodeJS.Signals;
  source: ActionSource;
  // Called before the first stop or quota change, so the ledger records the target first.
  journal: () => void;
  niceValue: number;
}

export class TargetState {
  readonly target: Target;
  private readonly deps: TargetStateDeps;
  private readonly cycle: DutyCycle;
  private stateName: StateName = 'normal';
  private stateSinceMs: number;
  private dutyPercent = 100;
  private quotaApplied = false;
  private reniced = false;
  // What lowerPriority changed, to say what a restore puts back.
  private reniceChanges: Array<{ pid: number; from: number; to: number }> = [];
  private released = false;
  private readonly counts = { throttledTotal: 0, pausedTotal: 0, throttledMs: 0, pausedMs: 0 };
  // Set when the target vanished or could not be switched: the controller drops it.
  problem: string | undefined;
  gone = false;

  constructor(target: Target, deps: TargetStateDeps) {
    this.target = target;
    this.deps = deps;
    this.stateSinceMs = deps.timers.nowMs();
    this.cycle = new DutyCycle(target.switch, deps.timers, (p) => {
      if (p.result === 'gone') this.gone = true;
      else this.problem = p.error;
    });
  }

  get state(): StateName {
    return this.stateName;
  }

  counters(nowMs = this.deps.timers.nowMs()): TargetCounters {
    const inState = nowMs - this.stateSinceMs;
    return {
      ...this.counts,
      throttledMs: this.counts.throttledMs + (this.stateName === 'throttled' ? inState : 0),
      pausedMs: this.counts.pausedMs + (this.stateName === 'paused' ? inState : 0),
      interferences: this.cycle.interferences,
    };
  }

  // `why` names the cause in events: 'level CRITICAL', or the protector's reason.
  apply(plan: Plan, role: Role | 'cpu', why: { level?: Level; reason: string }): void {
    if (plan.lowerPriority) this.lowerPriority(why.reason);
    else if (this.reniced) this.restorePriority(`${why.reason}, ${role}`);
    if (plan.mode === 'run') this.toNormal(why.reason);
    else if (plan.mode === 'throttle') this.throttle(plan, role, why.level);
    else this.pause(plan, role === 'cpu' ? 'other' : role, why.level ?? 'EMERGENCY');
  }

  // Re-stops a target someone continued during a stop phase, and says so the first time.
  verify(): void {
    const before = this.cycle.interferences;
    this.cycle.verify();
    if (before === 0 && this.cycle.interferences > 0) {
      this.deps.emit({ type: 'warn', message: `${this.target.ref.name} was continued by someone else while ${this.stateName}; stopped again` });
    }
  }

  restore(reason: string): void {
    this.toNormal(reason);
    if (this.reniced) this.note(this.target.restorePriority(), 'restoring nice');
    this.reniced = false;
    this.reniceChanges = [];
    this.released = false;
  }

  // Puts the priority back while the target stays a target (it became the leader).
  private restorePriority(reason: string): void {
    this.reniced = false;
    if (!this.note(this.target.restorePriority(), 'restoring nice')) return;
    for (const c of this.reniceChanges.splice(0)) {
      this.deps.emit({ type: 'renice', target: this.target.ref, pid: c.pid, fromNice: c.to, toNice: c.from, source: this.deps.source, reason });
    }
  }

  private lowerPriority(reason: string): void {
    if (!this.reniced) {
      this.reniced = true;
      const { outcome, changes } = this.target.lowerPriority(this.deps.niceValue);
      this.note(outcome, 'renice');
      this.reniceChanges = changes;
      for (const c of changes) {
        this.deps.emit({ type: 'renice', target: this.target.ref, pid: c.pid, fromNice: c.from, toNice: c.to, source: this.deps.source, reason });
      }
    }
    const signal = this.deps.releaseSignal;
    if (signal && !this.released) {
      this.released = true;
      const outcome = this.target.sendSignal(signal);
      if (outcome.result === 'ok') this.deps.emit({ type: 'release', target: this.target.ref, signal });
      else this.note(outcome, `sending ${signal}`);
    }
  }

  private throttle(plan: Plan, role: Role | 'cpu', level: Level | undefined): void {
    if (this.stateName === 'throttled' && this.dutyPercent === plan.dutyPercent) return;
    this.startStopping();
    const quota = this.target.quota;
    let method: string;
    if (quota) {
      this.cycle.apply(undefined);
      this.quotaApplied = true;
      const outcome = quota.set(plan.dutyPercent);
      if (!this.note(outcome, quota.method)) return;
      method = quota.method;
    } else {
      if (!this.cycle.apply(phasesOf(plan, this.deps.maxPauseMs))) return;
      method = this.target.pauseMethod === 'freezer' ? 'freezer' : 'sigstop';
    }
    const from = this.stateName;
    this.enter('throttled');
    this.dutyPercent = plan.dutyPercent;
    this.deps.emit({ type: 'throttle', target: this.target.ref, dutyPercent: plan.dutyPercent, method, role, source: this.deps.source, ...(level ? { level } : {}), from });
  }

  private pause(plan: Plan, role: Role, level: Level): void {
    if (this.stateName === 'paused') return;
    this.startStopping();
    this.releaseQuota();
    if (!this.cycle.apply(phasesOf(plan, this.deps.maxPauseMs))) return;
    this.enter('paused');
    this.dutyPercent = plan.dutyPercent;
    this.deps.emit({ type: 'pause', target: this.target.ref, method: this.target.pauseMethod, maxPauseMs: this.deps.maxPauseMs, minDutyPercent: plan.dutyPercent, role, level });
  }

  private toNormal(reason: string): void {
    const outcome = this.cycle.dispose();
    this.releaseQuota();
    if (outcome.result === 'gone') this.gone = true;
    else this.note(outcome, 'continuing');
    if (this.stateName === 'normal') return;
    const { throttledMs, pausedMs } = this.counters();
    this.enter('normal');
    this.dutyPercent = 100;
    this.deps.emit({ type: 'resume', target: this.target.ref, reason: this.gone ? 'exited' : reason, throttledMs: Math.round(throttledMs), pausedMs: Math.round(pausedMs), source: this.deps.source });
  }

  private releaseQuota(): void {
    if (!this.quotaApplied) return;
    this.quotaApplied = false;
    const outcome = this.target.quota?.restore();
    if (outcome) this.note(outcome, 'restoring the CPU quota');
  }

  private startStopping(): void {
    if (this.target.mayBeStopped) return;
    this.target.mayBeStopped = true;
    this.deps.journal();
  }

  private enter(state: StateName): void {
    const now = this.deps.timers.nowMs();
    if (this.stateName === 'throttled') this.counts.throttledMs += now - this.stateSinceMs;
    if (this.stateName === 'paused') this.counts.pausedMs += now - this.stateSinceMs;
    if (state === 'throttled' && this.stateName !== 'throttled') this.counts.throttledTotal++;
    if (state === 'paused') this.counts.pausedTotal++;
    this.stateName = state;
    this.stateSinceMs = now;
  }

  // Records a failed or vanished action; true when it succeeded.
  private note(outcome: Outcome, what: string): boolean {
    if (outcome.result === 'ok') return true;
    if (outcome.result === 'gone') this.gone = true;
    else this.problem = `${what}: ${outcome.error}`;
    return false;
  }
}
