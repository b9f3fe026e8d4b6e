// Counters of the graduated response and the protector, derived from the guard's events so that
// the daemon can rebuild them from the JSON event stream it reads: the guard exposes no HTTP.
import type { GuardEvent } from '../events.ts';
import { levelValue } from './levels.ts';

// The metric names, in one table: the daemon's /metrics uses these.
export const METRIC_NAMES = {
  memoryLevel: 'hostguard_memory_level',
  targetThrottledTotal: 'hostguard_target_throttled_total',
  targetPausedTotal: 'hostguard_target_paused_total',
  protectActionsTotal: 'hostguard_protect_actions_total',
} as const;

export interface GraduatedCounters {
  // 0 NORMAL .. 3 EMERGENCY
  memoryLevel: number;
  // Times each target entered the throttled or the paused state, by target name.
  targetThrottledTotal: Map<string, number>;
  targetPausedTotal: Map<string, number>;
  // Protector actions by kind: renice, throttle, cleanup, memory-target.
  protectActionsTotal: Map<string, number>;
}

export const newCounters = (): GraduatedCounters => ({ memoryLevel: 0, targetThrottledTotal: new Map(), targetPausedTotal: new Map(), protectActionsTotal: new Map() });

const bump = (map: Map<string, number>, key: string): void => void map.set(key, (map.get(key) ?? 0) + 1);

export function countEvent(counters: GraduatedCounters, event: GuardEvent): void {
  switch (event.type) {
    case 'level':
      counters.memoryLevel = levelValue(event.to);
      break;
    case 'throttle':
      if (event.source === 'protect') bump(counters.protectActionsTotal, 'throttle');
      else if (event.from !== 'throttled') bump(counters.targetThrottledTotal, event.target.name);
      break;
    case 'pause':
      bump(counters.targetPausedTotal, event.target.name);
      break;
    case 'renice':
      if (event.source === 'protect') bump(counters.protectActionsTotal, 'renice');
      break;
    case 'cleanup':
      bump(counters.protectActionsTotal, 'cleanup');
      break;
    case 'protect':
      bump(counters.protectActionsTotal, event.action);
      break;
    default:
      break;
  }
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

// The counters as labelled samples, ready for an exposition format.
export function samplesOf(counters: GraduatedCounters): Sample[] {
  const labelled = (name: string, label: string, map: Map<string, number>): Sample[] => [...map].map(([key, value]) => ({ name, labels: { [label]: key }, value }));
  return [
    { name: METRIC_NAMES.memoryLevel, labels: {}, value: counters.memoryLevel },
    ...labelled(METRIC_NAMES.targetThrottledTotal, 'target', counters.targetThrottledTotal),
    ...labelled(METRIC_NAMES.targetPausedTotal, 'target', counters.targetPausedTotal),
    ...labelled(METRIC_NAMES.protectActionsTotal, 'action', counters.protectActionsTotal),
  ];
}
