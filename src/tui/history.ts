// Recent CPU values kept for the sparklines: the total and each core, newest last, bounded.
import type { MetricsSnapshot } from '../collect/types.ts';

export interface CpuHistory {
  // busy percent of all CPUs, one value per snapshot
  total: (number | undefined)[];
  // by CPU number
  cores: Map<number, (number | undefined)[]>;
}

export const HISTORY_CAPACITY = 240;

export function emptyHistory(): CpuHistory {
  return { total: [], cores: new Map() };
}

function pushed(series: readonly (number | undefined)[], value: number | undefined, capacity: number): (number | undefined)[] {
  const next = [...series, value];
  return next.length > capacity ? next.slice(next.length - capacity) : next;
}

// A new history with the snapshot's values appended (the old one is left as it was, for React).
export function appendHistory(history: CpuHistory, snapshot: MetricsSnapshot, capacity = HISTORY_CAPACITY): CpuHistory {
  const cpu = snapshot.cpu;
  if (!cpu) return history;
  const cores = new Map<number, (number | undefined)[]>();
  for (const core of cpu.perCore) cores.set(core.cpu, pushed(history.cores.get(core.cpu) ?? [], core.busyPercent, capacity));
  return { total: pushed(history.total, cpu.busyPercent, capacity), cores };
}
