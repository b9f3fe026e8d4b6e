// Hosts (fleet mode): every host whose history the store holds (one with SQLite; each writer of a
// shared PostgreSQL database), when it was last heard from, and links to its history and anomalies.
import type { ReactNode } from 'react';
import { useApi } from '../api/session.ts';
import type { HostInfo } from '../api/types.ts';
import { Empty, ErrorNotice } from '../components/Notice.tsx';
import { type Column, SortableTable } from '../components/SortableTable.tsx';
import { dateTime, formatDuration } from '../lib/format.ts';
import { Link } from '../router.ts';

function columns(self: string | undefined, nowMs: number): ReadonlyArray<Column<HostInfo>> {
  return [
    { key: 'host', title: 'Host', value: (h) => h.hostId, render: (h) => (h.hostId === self ? `${h.hostId} (this daemon)` : h.hostId) },
    { key: 'hostname', title: 'Hostname', value: (h) => h.hostname, wideOnly: true },
    { key: 'first', title: 'First seen', value: (h) => h.firstSeenMs, render: (h) => dateTime(h.firstSeenMs), numeric: true, wideOnly: true },
    { key: 'last', title: 'Last seen', value: (h) => h.lastSeenMs, render: (h) => `${formatDuration(Math.max(0, nowMs - h.lastSeenMs) / 1000)} ago`, numeric: true },
    {
      key: 'links',
      title: 'Show',
      value: () => undefined,
      render: (h) => (
        <span className="links">
          <Link to={`/history?host=${encodeURIComponent(h.hostId)}`}>history</Link> <Link to={`/alerts?tab=anomalies&host=${encodeURIComponent(h.hostId)}`}>anomalies</Link>
        </span>
      ),
    },
  ];
}

export default function Hosts(): ReactNode {
  const answer = useApi<{ self: string; hosts: HostInfo[] }>('/api/v1/hosts', 30_000);
  const hosts = answer.data?.hosts ?? [];
  return (
    <div className="page">
      <div className="toolbar">
        <h1>Hosts</h1>
      </div>
      <p className="hint">Hosts writing to this daemon&apos;s store. A fleet shares one PostgreSQL database ([store] url); with SQLite there is one host.</p>
      <ErrorNotice error={answer.error} />
      {hosts.length === 0 && !answer.loading ? <Empty>No host has written history yet.</Empty> : null}
      {hosts.length > 0 ? <SortableTable testId="host-table" rows={hosts} columns={columns(answer.data?.self, Date.now())} rowKey={(h) => h.hostId} initialSort={{ key: 'last', direction: 'desc' }} /> : null}
    </div>
  );
}
