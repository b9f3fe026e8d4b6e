// Anomaly episodes (one per anomaly, from start to recovery), filtered by severity and category,
// open ones updated live.
import type { ReactNode } from 'react';
import { withQuery } from '../api/client.ts';
import { mergeById, useApi, useLiveItems } from '../api/session.ts';
import type { AnomaliesAnswer, Episode } from '../api/types.ts';
import { FilterSelect } from '../components/FilterSelect.tsx';
import { Badge, Empty, ErrorNotice } from '../components/Notice.tsx';
import { dateTime, formatDuration, formatNumber } from '../lib/format.ts';

const CATEGORIES = ['cpu', 'memory', 'temperature', 'disk', 'usb', 'network', 'system'];

function EpisodeRow(props: { e: Episode }): ReactNode {
  const { e } = props;
  const open = e.endMs === null;
  return (
    <li className={`item item-${e.severity}`} data-testid={`anomaly-${e.id}`}>
      <div className="item-head">
        <Badge level={e.severity}>{e.severity}</Badge>
        <strong>{e.rule}</strong>
        <span className="item-time">{dateTime(e.startMs)}</span>
      </div>
      <p className="item-body">{e.message}</p>
      <div className="item-foot">
        <span>{open ? 'open' : `closed after ${formatDuration(((e.endMs ?? e.startMs) - e.startMs) / 1000)}`}</span>
        <span>
          {e.metric}
          {e.entity ? ` ${e.entity}` : ''}
        </span>
        <span>peak {formatNumber(e.peakValue)}</span>
      </div>
    </li>
  );
}

export function AnomalyList(props: { search: URLSearchParams }): ReactNode {
  const severity = props.search.get('severity') ?? '';
  const category = props.search.get('category') ?? '';
  const host = props.search.get('host') ?? undefined;
  const answer = useApi<AnomaliesAnswer>(withQuery('/api/v1/anomalies', { severity, category, host, limit: 200 }), 30_000);
  // live episodes are this daemon's own
  const live = useLiveItems((m) => (m.type === 'anomaly' && host === undefined ? m.data : undefined));
  const matches = (e: Episode): boolean => (severity === '' || e.severity === severity) && (category === '' || e.category === category);
  const episodes = mergeById<Episode>(answer.data?.anomalies ?? [], live, (e) => e.startMs).filter(matches);
  return (
    <section aria-label="Anomalies">
      <div className="filters">
        <FilterSelect label="Severity" param="severity" value={severity} options={['critical', 'warning', 'info']} />
        <FilterSelect label="Category" param="category" value={category} options={CATEGORIES} />
        {host ? <span>host {host}</span> : null}
      </div>
      <ErrorNotice error={answer.error} />
      {episodes.length === 0 && !answer.loading ? (
        <Empty testId="anomalies-empty">No anomaly episodes{severity || category ? ' match' : ' yet'}.</Empty>
      ) : (
        <ul className="items" data-testid="anomaly-list">
          {episodes.map((e) => (
            <EpisodeRow key={e.id} e={e} />
          ))}
        </ul>
      )}
    </section>
  );
}
