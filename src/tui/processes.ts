// The process table: the snapshot's top lists merged into one, sorted and filtered.
import type { ProcessInfo, ProcessMetrics } from '../collect/types.ts';

export const SORT_KEYS = ['cpu', 'rss', 'io'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export const SORT_LABELS: Record<SortKey, string> = { cpu: 'CPU%', rss: 'RSS', io: 'IO/s' };

export function ioBytesPerSecond(process: ProcessInfo): number | undefined {
  const { readBytesPerSecond: read, writtenBytesPerSecond: written } = process;
  return read === undefined && written === undefined ? undefined : (read ?? 0) + (written ?? 0);
}

function sortValue(process: ProcessInfo, key: SortKey): number {
  if (key === 'cpu') return process.cpuPercent ?? -1;
  if (key === 'rss') return process.rssBytes;
  return ioBytesPerSecond(process) ?? -1;
}

export function nextSortKey(key: SortKey): SortKey {
  return SORT_KEYS[(SORT_KEYS.indexOf(key) + 1) % SORT_KEYS.length] ?? 'cpu';
}

// A filter matches a substring of the PID, name, user or command line, ignoring case.
export function matchesFilter(process: ProcessInfo, filter: string): boolean {
  const needle = filter.trim().toLowerCase();
  if (needle === '') return true;
  return `${process.pid} ${process.name} ${process.user ?? process.uid ?? ''} ${process.cmdline}`.toLowerCase().includes(needle);
}

// The snapshot holds the top N by CPU, by memory and by I/O: their union is every process the
// table can show. The first N rows of any order are exact; below them a process that is in none of
// the lists is missing (the daemon's [collectors] top_processes sets N).
export function processRows(processes: ProcessMetrics | undefined, sort: SortKey, filter: string): ProcessInfo[] {
  if (!processes) return [];
  const byPid = new Map<number, ProcessInfo>();
  for (const list of [processes.topByCpu, processes.topByMemory, processes.topByIo]) {
    for (const process of list) if (!byPid.has(process.pid)) byPid.set(process.pid, process);
  }
  return [...byPid.values()]
    .filter((process) => matchesFilter(process, filter))
    .sort((a, b) => sortValue(b, sort) - sortValue(a, sort) || a.pid - b.pid);
}
