// Events: process exec/exit, kernel OOM kills and the guard's actions (signals, levels, throttling),
// from /api/v1/events and live from the socket, filtered by type and PID.
import { useState, type FormEvent, type ReactNode } from 'react';
import { withQuery } from '../api/client.ts';
import { mergeById, useApi, useLiveItems } from '../api/session.ts';
import { EVENT_TYPES, type HostEvent } from '../api/types.ts';
import { FilterSelect } from '../components/FilterSelect.tsx';
import { Badge, Empty, ErrorNotice } from '../components/Notice.tsx';
import { dateTime } from '../lib/format.ts';
import { setSearch, useSearch } from '../router.ts';

const LEVEL: Record<string, string> = { oom_victim: 'critical', guard_signal: 'critical', guard_level: 'warning', guard_throttle: 'warning', guard_pause: 'warning', trace_loss: 'warning', trace_gap: 'warning' };

function PidFilter(props: { pid: string }): ReactNode {
  const [pid, setPid] = useState(props.pid);
  const apply = (event: FormEvent): void => {
    event.preventDefault();
    setSearch({ pid: /^\d+$/.test(pid.trim()) ? pid.trim() : undefined });
  };
  return (
    <form onSubmit={apply} className="inline-form">
      <label>
        PID <input inputMode="numeric" size={8} value={pid} onChange={(e) => setPid(e.target.value)} />
      </label>
      <button type="submit">Filter</button>
    </form>
  );
}

function EventRow(props: { e: HostEvent }): ReactNode {
  const { e } = props;
  return (
    <li className={`item item-${LEVEL[e.type] ?? 'info'}`} data-testid={`event-${e.id}`}>
      <div className="item-head">
        <Badge level={LEVEL[e.type] ?? 'info'}>{e.type}</Badge>
        <strong>{e.comm ? `${e.comm}${e.pid === undefined ? '' : ` (${e.pid})`}` : e.pid === undefined ? e.source : `pid ${e.pid}`}</strong>
        <span className="item-time">{dateTime(e.timeMs)}</span>
      </div>
      <p className="item-body">{e.message}</p>
      <div className="item-foot">
        <span>{e.source}</span>
        <span>{e.host}</span>
      </div>
    </li>
  );
}

export default function Events(): ReactNode {
  const search = useSearch();
  const kind = search.get('type') ?? '';
  const pid = search.get('pid') ?? '';
  const answer = useApi<{ events: HostEvent[] }>(withQuery('/api/v1/events', { type: kind, pid, limit: 200 }), 30_000);
  const live = useLiveItems((m) => (m.type === 'event' ? m.data : undefined));
  const matches = (e: HostEvent): boolean => (kind === '' || e.type === kind) && (pid === '' || String(e.pid) === pid);
  const events = mergeById(answer.data?.events ?? [], live, (e) => e.timeMs).filter(matches);
  const missing = answer.error?.status === 404;
  return (
    <div className="page">
      <div className="toolbar">
        <h1>Events</h1>
        <div className="filters">
          <FilterSelect label="Type" param="type" value={kind} options={EVENT_TYPES} />
          <PidFilter key={pid} pid={pid} />
        </div>
      </div>
      {missing ? null : <ErrorNotice error={answer.error} />}
      {events.length === 0 && !answer.loading ? (
        <Empty testId="events-empty">
          {missing ? 'No events yet: process exec/exit, OOM kills and guard actions appear here once tracing and the guard report to this daemon (GET /api/v1/events answered 404).' : 'No events match.'}
        </Empty>
      ) : (
        <ul className="items" data-testid="event-list">
          {events.map((e) => (
            <EventRow key={e.id} e={e} />
          ))}
        </ul>
      )}
    </div>
  );
}
