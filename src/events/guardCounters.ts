// The graduated response's metrics, rebuilt by the daemon from the guard's event lines (the guard
// serves no HTTP): the memory level and how often each target was throttled or paused, and the
// resource protector's actions by kind.
import type { GuardLine } from './fromGuard.ts';

export interface GuardCounters {
  // 0 NORMAL .. 3 EMERGENCY; undefined until the guard reports a level
  memoryLevel?: number;
  targetThrottledTotal: Map<string, number>;
  targetPausedTotal: Map<string, number>;
  protectActionsTotal: Map<string, number>;
}

const LEVELS = ['NORMAL', 'WARNING', 'CRITICAL', 'EMERGENCY'];

export const newGuardCounters = (): GuardCounters => ({ targetThrottledTotal: new Map(), targetPausedTotal: new Map(), protectActionsTotal: new Map() });

const bump = (map: Map<string, number>, key: string): void => void map.set(key, (map.get(key) ?? 0) + 1);

function targetName(line: GuardLine): string {
  const target = line.fields['target'];
  const name = typeof target === 'object' && target !== null && 'name' in target ? target.name : undefined;
  return typeof name === 'string' ? name : '?';
}

export function countGuardLine(counters: GuardCounters, line: GuardLine): void {
  const fromProtector = line.fields['source'] === 'protect';
  switch (line.type) {
    case 'level': {
      const level = LEVELS.indexOf(String(line.fields['to']));
      if (level >= 0) counters.memoryLevel = level;
      break;
    }
    case 'throttle':
      if (fromProtector) bump(counters.protectActionsTotal, 'throttle');
      else if (line.fields['from'] !== 'throttled') bump(counters.targetThrottledTotal, targetName(line));
      break;
    case 'pause':
      bump(counters.targetPausedTotal, targetName(line));
      break;
    case 'renice':
      if (fromProtector) bump(counters.protectActionsTotal, 'renice');
      break;
    case 'cleanup':
      bump(counters.protectActionsTotal, 'cleanup');
      break;
    case 'protect':
      bump(counters.protectActionsTotal, String(line.fields['action'] ?? 'other'));
      break;
    case 'start':
      // a new guard starts at NORMAL
      counters.memoryLevel = 0;
      break;
    default:
      break;
  }
}
