// What each target gets at each level. A lone target gets its level's action. When several compete,
// the policy decides: 'table' gives each its level's action, as the table reads; 'tiered'
// gives the one holding the most memory (the leader: closest to finishing and giving memory back)
// the action of the level below; 'leader-first' also gives the others the pause from WARNING on,
// so under pressure one target keeps making progress while the rest wait instead of all stalling
// half-way (docs/graduated.md has the measured comparison).
import type { MemoryPolicy } from '../../config/guardDefaults.ts';
import type { Phases } from './dutyCycle.ts';
import type { Level } from './levels.ts';

// 'holder': under leader-first, a leader that has stopped growing (it holds its peak and will give
// memory back): slowing it would gain no memory and only delay the release, so it runs at full
// speed with its own priority. 'next': meanwhile the largest of the others, which may grow at
// WARNING and is paused from CRITICAL on, so its allocation overlaps the holder's hold.
export type Role = 'alone' | 'leader' | 'holder' | 'next' | 'other';
export type Mode = 'run' | 'throttle' | 'pause';

export interface Plan {
  mode: Mode;
  // Share of wall time the target may run: 100 for 'run'; a throttle step; the minimum for 'pause'.
  dutyPercent: number;
  // WARNING and above: nice 10 (and the release signal, once).
  lowerPriority: boolean;
}

export interface PolicySettings {
  name: MemoryPolicy;
  // CRITICAL's duty cycle, one step per check interval spent in the level: 50 % then 25 %.
  throttleStepsPercent: number[];
  stepMs: number;
  // Run share between pauses; never 0, so work always continues.
  minDutyPercent: number;
}

export const DEFAULT_POLICY: PolicySettings = { name: 'leader-first', throttleStepsPercent: [50, 25], stepMs: 1000, minDutyPercent: 10 };

const ORDER: Level[] = ['NORMAL', 'WARNING', 'CRITICAL', 'EMERGENCY'];

function effectiveLevel(level: Level, role: Role, policy: MemoryPolicy): Level {
  if (level === 'NORMAL' || role === 'alone' || policy === 'table') return level;
  if (policy === 'leader-first') {
    if (role === 'holder') return 'NORMAL';
    if (role === 'next') return level === 'WARNING' ? level : 'EMERGENCY';
    if (role === 'other') return 'EMERGENCY';
  }
  if (role === 'other' || role === 'next') return level;
  return ORDER[ORDER.indexOf(level) - 1] ?? level;
}

// A priority lowered earlier is put back when the plan no longer lowers it (a promoted target).
function lowersPriority(level: Level, acting: Level, role: Role, policy: MemoryPolicy): boolean {
  if (level === 'NORMAL') return false;
  if (policy === 'tiered') return true;
  // Under leader-first the leader keeps its priority unless it is throttled: on a busy machine
  // nice 10 slows the one target whose progress gives memory back to a crawl, and the others'
  // pauses run out meanwhile (docs/graduated.md, "The proof").
  if (policy === 'leader-first' && (role === 'leader' || role === 'holder')) return acting === 'CRITICAL' || acting === 'EMERGENCY';
  return acting !== 'NORMAL';
}

export function planFor(level: Level, role: Role, msInLevel: number, settings: PolicySettings): Plan {
  const acting = effectiveLevel(level, role, settings.name);
  const lowerPriority = lowersPriority(level, acting, role, settings.name);
  if (acting === 'NORMAL' || acting === 'WARNING') return { mode: 'run', dutyPercent: 100, lowerPriority };
  if (acting === 'CRITICAL') {
    const steps = settings.throttleStepsPercent;
    const step = Math.min(steps.length - 1, Math.floor(Math.max(0, msInLevel) / settings.stepMs));
    return { mode: 'throttle', dutyPercent: steps[step] ?? settings.minDutyPercent, lowerPriority };
  }
  return { mode: 'pause', dutyPercent: settings.minDutyPercent, lowerPriority };
}

export function roleOf(key: string, leader: { leaderKey?: string; leaderIdle?: boolean; nextKey?: string }, targetCount: number): Role {
  if (targetCount <= 1) return 'alone';
  if (key === leader.leaderKey) return leader.leaderIdle ? 'holder' : 'leader';
  return key === leader.nextKey ? 'next' : 'other';
}

// Phases of a duty cycle, in short periods so that progress is smooth: a burst of run time
// would let a fast allocator take hundreds of MiB at once. A pause is one stop of maxPauseMs,
// then the minimum duty cycle.
export const THROTTLE_PERIOD_MS = 100;

export function phasesOf(plan: Plan, maxPauseMs: number): Phases | undefined {
  if (plan.mode === 'run' || plan.dutyPercent >= 100) return undefined;
  const duty = Math.max(1, plan.dutyPercent) / 100;
  const runMs = Math.max(1, Math.round(THROTTLE_PERIOD_MS * duty));
  const phases = { runMs, stopMs: THROTTLE_PERIOD_MS - runMs };
  return plan.mode === 'pause' ? { ...phases, firstStopMs: maxPauseMs } : phases;
}
