// The guard's loop: sample memory, decide, choose a victim, signal it, follow it until it exits,
// escalating from SIGTERM to SIGKILL at the kill limit or after a timeout.
import type { Emit, VictimInfo } from './events.ts';
import type { MemorySample, MemorySource } from './memory.ts';
import { FillRate, MIN_SLEEP_MS, sleepMs } from './poll.ts';
import type { SignalOutcome } from './signal.ts';
import { type Thresholds, verdict } from './thresholds.ts';
import type { Candidate } from './victim.ts';

export interface CandidateSource {
  // rescoreAll: re-read every candidate's score (while memory is low).
  sync(rescoreAll: boolean): void;
  select(): Candidate | undefined;
  close(): void;
}

export interface GuardDeps {
  nowMs: () => number;
  readMemory: MemorySource;
  candidates: CandidateSource;
  isAlive: (victim: Candidate) => boolean;
  signal: (victim: Candidate, signal: 'SIGTERM' | 'SIGKILL') => SignalOutcome;
  describe: (victim: Candidate) => VictimInfo;
  emit: Emit;
  preKill?: (victim: VictimInfo) => Promise<void>;
  postKill?: (victim: VictimInfo) => void;
  // The graduated response (--graduated): sees every sample first and may shorten the sleep;
  // releases a target before the kill path signals it (a stopped process would not see SIGTERM).
  graduated?: GraduatedHook;
}

export interface GraduatedHook {
  onSample: (sample: MemorySample) => number;
  beforeSignal: (pid: number) => void;
}

export interface GuardSettings {
  thresholds: Thresholds;
  termTimeoutMs: number;
  reportIntervalMs: number;
  dryRun: boolean;
  processGroup: boolean;
  debug: boolean;
}

interface PendingVictim {
  candidate: Candidate;
  info: VictimInfo;
  lastSignal: 'SIGTERM' | 'SIGKILL';
  firstSignalAtMs: number;
  lastSignalAtMs: number;
}

// After SIGKILL, a process stuck in uninterruptible sleep may take long to exit; earlyoom waits 10 s.
const KILL_WAIT_MS = 10_000;
// Re-read every candidate's score this often while memory is low.
const WARM_RESCORE_MS = 250;
// In dry-run the "kill" repeats while memory stays low; once a second is enough to read.
const DRY_RUN_REPEAT_MS = 1000;

export class Guard {
  private readonly deps: GuardDeps;
  private readonly settings: GuardSettings;
  private readonly fillRate = new FillRate();
  private pending: PendingVictim | undefined;
  private stopped = false;
  private warm = false;
  private lastRescoreMs = -Infinity;
  private lastReportMs = -Infinity;
  private lastDryRunMs = -Infinity;
  private wakeUp: (() => void) | undefined;

  constructor(deps: GuardDeps, settings: GuardSettings) {
    this.deps = deps;
    this.settings = settings;
  }

  async run(): Promise<void> {
    while (!this.stopped) {
      const ms = await this.tick();
      if (this.stopped) break;
      await this.sleep(ms);
    }
    this.deps.candidates.close();
  }

  // One timer and one promise per poll: at one poll a second this is most of the idle cost.
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  stop(): void {
    this.stopped = true;
    this.wakeUp?.();
  }

  // One poll; returns how long to sleep before the next.
  async tick(): Promise<number> {
    const now = this.deps.nowMs();
    const read = this.deps.readMemory(now);
    if (!read.ok) {
      this.deps.emit({ type: 'error', message: `cannot read memory: ${read.error}` });
      return 1000;
    }
    const cap = this.deps.graduated?.onSample(read.value);
    const ms = await this.step(read.value, now);
    return cap === undefined ? ms : Math.max(MIN_SLEEP_MS, Math.min(ms, cap));
  }

  private async step(sample: MemorySample, now: number): Promise<number> {
    this.fillRate.update(sample);
    if (this.pending) return this.followVictim(sample);
    this.keepCandidatesWarm(sample, now);
    const decision = verdict(this.settings.thresholds, sample);
    if (decision === 'none') {
      this.reportIfDue(sample, now);
      return sleepMs(sample, this.settings.thresholds, this.fillRate.bytesPerSecond);
    }
    // The graduated response polls often: a dry run still says what it would do once a second.
    const sinceDryRunMs = now - this.lastDryRunMs;
    if (sinceDryRunMs < DRY_RUN_REPEAT_MS) return DRY_RUN_REPEAT_MS - sinceDryRunMs;
    return this.act(sample);
  }

  // Memory within reach of the limits: keep the candidate table open and fresh.
  private keepCandidatesWarm(sample: MemorySample, now: number): void {
    const t = this.settings.thresholds;
    const margin = this.warm ? 15 : 10;
    const memLow = sample.availablePercent <= t.memTermPercent * 2 + margin;
    const swapLow = sample.swapFreePercent <= t.swapTermPercent * 2 + margin;
    const psiLow = t.psi !== undefined && (sample.psiFullAvg10 ?? 0) >= t.psi.term / 2;
    const warm = (memLow && swapLow) || psiLow;
    if (warm && now - this.lastRescoreMs >= WARM_RESCORE_MS) {
      this.deps.candidates.sync(true);
      this.lastRescoreMs = now;
    } else if (!warm && this.warm) {
      this.deps.candidates.close();
      this.lastRescoreMs = -Infinity;
    }
    this.warm = warm;
  }

  private reportIfDue(sample: MemorySample, now: number): void {
    const interval = this.settings.reportIntervalMs;
    if (interval > 0 && now - this.lastReportMs >= interval) {
      this.deps.emit({ type: 'report', sample });
      this.lastReportMs = now;
    }
  }

  private async act(sample: MemorySample): Promise<number> {
    const t0 = this.deps.nowMs();
    const victim = this.deps.candidates.select();
    const selectionMs = this.deps.nowMs() - t0;
    if (this.settings.debug) this.deps.emit({ type: 'debug', message: `selecting victim took ${selectionMs.toFixed(3)} ms` });
    if (!victim) {
      this.deps.emit({ type: 'warn', message: 'Could not find a process to kill. Sleeping 1 second.' });
      return 1000;
    }
    // Selection takes time: check again that there is still something to do, as earlyoom does.
    const again = this.deps.readMemory(this.deps.nowMs());
    const current = again.ok ? again.value : sample;
    const decision = verdict(this.settings.thresholds, current);
    if (decision === 'none') {
      this.deps.emit({ type: 'warn', message: 'memory situation has recovered while selecting victim' });
      return MIN_SLEEP_MS;
    }
    const signal = decision === 'kill' ? 'SIGKILL' : 'SIGTERM';
    const info = this.deps.describe(victim);
    const reason = `${signal === 'SIGKILL' ? 'at or below SIGKILL limits' : 'at or below SIGTERM limits'}`;
    this.deps.emit({ type: signal === 'SIGKILL' ? 'kill' : 'term', victim: info, sample: current, reason, dryRun: this.settings.dryRun, selectionMs, processGroup: this.settings.processGroup });
    if (this.settings.dryRun) {
      this.lastDryRunMs = this.deps.nowMs();
      return DRY_RUN_REPEAT_MS;
    }
    if (this.deps.preKill) await this.deps.preKill(info);
    this.deps.graduated?.beforeSignal(victim.pid);
    const outcome = this.deps.signal(victim, signal);
    if (outcome.result === 'gone') {
      this.deps.emit({ type: 'warn', message: `process ${victim.pid} exited before it could be signalled` });
      return MIN_SLEEP_MS;
    }
    if (outcome.result === 'failed') {
      this.deps.emit({ type: 'error', message: `kill failed: ${outcome.error}` });
      return 1000;
    }
    const now = this.deps.nowMs();
    this.pending = { candidate: victim, info, lastSignal: signal, firstSignalAtMs: now, lastSignalAtMs: now };
    this.deps.postKill?.(info);
    return MIN_SLEEP_MS;
  }

  // While a victim releases its memory no second victim is chosen; SIGTERM escalates to SIGKILL.
  private followVictim(sample: MemorySample): number {
    const pending = this.pending;
    if (!pending) return MIN_SLEEP_MS;
    const now = this.deps.nowMs();
    if (!this.deps.isAlive(pending.candidate)) {
      this.deps.emit({ type: 'exit', victim: pending.info, afterMs: now - pending.firstSignalAtMs, lastSignal: pending.lastSignal });
      this.pending = undefined;
      return MIN_SLEEP_MS;
    }
    if (pending.lastSignal === 'SIGTERM') {
      const atKillLimit = verdict(this.settings.thresholds, sample) === 'kill';
      const timedOut = now - pending.lastSignalAtMs >= this.settings.termTimeoutMs;
      if (atKillLimit || timedOut) {
        const reason = atKillLimit ? 'escalated: at or below SIGKILL limits' : `escalated: no exit ${this.settings.termTimeoutMs} ms after SIGTERM`;
        this.deps.emit({ type: 'kill', victim: pending.info, sample, reason, dryRun: false, processGroup: this.settings.processGroup });
        this.deps.graduated?.beforeSignal(pending.candidate.pid);
        const outcome = this.deps.signal(pending.candidate, 'SIGKILL');
        if (outcome.result === 'failed') this.deps.emit({ type: 'error', message: `kill failed: ${outcome.error}` });
        pending.lastSignal = 'SIGKILL';
        pending.lastSignalAtMs = now;
      }
    } else if (now - pending.lastSignalAtMs >= KILL_WAIT_MS) {
      this.deps.emit({ type: 'warn', message: `process ${pending.info.pid} still runs ${KILL_WAIT_MS} ms after SIGKILL; choosing again` });
      this.pending = undefined;
    }
    return MIN_SLEEP_MS;
  }
}
