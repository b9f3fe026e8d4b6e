// Processes: the top processes of the latest snapshot (by CPU, memory and I/O together), live,
// sortable by any column, filtered by name, command, user or PID.
import { useMemo, useState, type ReactNode } from 'react';
import { useLive } from '../api/session.ts';
import type { MetricsSnapshot, ProcessInfo } from '../api/types.ts';
import { Empty } from '../components/Notice.tsx';
import { type Column, SortableTable } from '../components/SortableTable.tsx';
import { formatBytes, formatPercent, formatRate } from '../lib/format.ts';

// The snapshot keeps the top N of each list; together they are the processes worth seeing.
export function topProcesses(snapshot: MetricsSnapshot | undefined): ProcessInfo[] {
  const byPid = new Map<number, ProcessInfo>();
  const p = snapshot?.processes;
  for (const list of p ? [p.topByCpu, p.topByMemory, p.topByIo] : []) for (const process of list) byPid.set(process.pid, process);
  return [...byPid.values()];
}

const COLUMNS: ReadonlyArray<Column<ProcessInfo>> = [
  { key: 'pid', title: 'PID', value: (p) => p.pid, numeric: true },
  { key: 'name', title: 'Name', value: (p) => p.name, render: (p) => <span title={p.cmdline || p.name}>{p.name}</span> },
  { key: 'user', title: 'User', value: (p) => p.user ?? p.uid, wideOnly: true },
  { key: 'state', title: 'State', value: (p) => p.state, wideOnly: true },
  { key: 'cpu', title: 'CPU', value: (p) => p.cpuPercent, render: (p) => formatPercent(p.cpuPercent), numeric: true },
  { key: 'rss', title: 'Memory', value: (p) => p.rssBytes, render: (p) => formatBytes(p.rssBytes), numeric: true },
  { key: 'memory', title: 'Mem %', value: (p) => p.memoryPercent, render: (p) => formatPercent(p.memoryPercent), numeric: true, wideOnly: true },
  { key: 'read', title: 'Read', value: (p) => p.readBytesPerSecond, render: (p) => formatRate(p.readBytesPerSecond), numeric: true, wideOnly: true },
  { key: 'write', title: 'Write', value: (p) => p.writtenBytesPerSecond, render: (p) => formatRate(p.writtenBytesPerSecond), numeric: true, wideOnly: true },
  { key: 'threads', title: 'Threads', value: (p) => p.threads, numeric: true, wideOnly: true },
  { key: 'oom', title: 'OOM score', value: (p) => p.oomScore, numeric: true, wideOnly: true },
];

function matches(p: ProcessInfo, filter: string): boolean {
  const needle = filter.toLowerCase();
  return String(p.pid) === filter || p.name.toLowerCase().includes(needle) || p.cmdline.toLowerCase().includes(needle) || (p.user ?? '').toLowerCase().includes(needle);
}

export default function Processes(): ReactNode {
  const { latest } = useLive();
  const [filter, setFilter] = useState('');
  const all = useMemo(() => topProcesses(latest), [latest]);
  const rows = useMemo(() => (filter.trim() === '' ? all : all.filter((p) => matches(p, filter.trim()))), [all, filter]);
  const total = latest?.processes?.total;
  return (
    <div className="page">
      <div className="toolbar">
        <h1>Processes</h1>
        <input type="search" placeholder="Filter: name, command, user or PID" aria-label="Filter processes" value={filter} onChange={(e) => setFilter(e.target.value)} />
      </div>
      <p className="hint">
        {total === undefined ? '\u00a0' : `The ${all.length} busiest of ${total} processes (by CPU, memory and I/O; [collectors] top_processes per list), live.`}
      </p>
      {latest && !latest.processes ? <Empty>The processes collector is off or failed on this daemon ([collectors] processes).</Empty> : null}
      {latest?.processes ? <SortableTable testId="process-table" rows={rows} columns={COLUMNS} rowKey={(p) => String(p.pid)} initialSort={{ key: 'cpu', direction: 'desc' }} /> : null}
      {!latest ? <Empty>Waiting for the first snapshot.</Empty> : null}
    </div>
  );
}
