// Alerts and anomalies: what fired, filtered by severity, state and type, acknowledged from here;
// and the anomaly episodes the detector opened and closed. Both update live from the socket.
import { useState, type ReactNode } from 'react';
import { ALERT_TYPES } from '../../../src/alert/model.ts';
import { apiPost, withQuery } from '../api/client.ts';
import { mergeById, useApi, useLiveItems } from '../api/session.ts';
import type { Alert } from '../api/types.ts';
import { FilterSelect } from '../components/FilterSelect.tsx';
import { Badge, Empty, ErrorNotice } from '../components/Notice.tsx';
import { dateTime } from '../lib/format.ts';
import { Link, useSearch } from '../router.ts';
import { AnomalyList } from './AnomalyList.tsx';

function AlertRow(props: { alert: Alert; onAcknowledged: (alert: Alert) => void }): ReactNode {
  const { alert } = props;
  const [failure, setFailure] = useState<string | undefined>();
  const acknowledge = (): void => {
    setFailure(undefined);
    apiPost<Alert>(`/api/v1/alerts/${encodeURIComponent(alert.id)}/ack`).then(props.onAcknowledged, (error: unknown) => setFailure(error instanceof Error ? error.message : String(error)));
  };
  return (
    <li className={`item item-${alert.severity}`} data-testid={`alert-${alert.id}`}>
      <div className="item-head">
        <Badge level={alert.severity}>{alert.severity}</Badge>
        <strong>{alert.title}</strong>
        <span className="item-time">{dateTime(alert.timeMs)}</span>
      </div>
      <p className="item-body">{alert.message}</p>
      <div className="item-foot">
        <span data-testid="alert-state">{alert.state}</span>
        <span>{alert.type}</span>
        <span>{alert.host}</span>
        {alert.repeatCount > 0 ? <span>repeated {alert.repeatCount}x</span> : null}
        {alert.state === 'firing' ? (
          <button type="button" onClick={acknowledge}>
            Acknowledge
          </button>
        ) : null}
      </div>
      {failure ? <p className="error">{failure}</p> : null}
    </li>
  );
}

function AlertList(props: { search: URLSearchParams }): ReactNode {
  const severity = props.search.get('severity') ?? '';
  const state = props.search.get('state') ?? '';
  const type = props.search.get('type') ?? '';
  const answer = useApi<{ alerts: Alert[] }>(withQuery('/api/v1/alerts', { severity, state, type, limit: 200 }), 30_000);
  const live = useLiveItems((m) => (m.type === 'alert' ? m.data : undefined));
  const [acknowledged, setAcknowledged] = useState<Alert[]>([]);
  const matches = (a: Alert): boolean => (severity === '' || a.severity === severity) && (state === '' || a.state === state) && (type === '' || a.type === type);
  const alerts = mergeById(answer.data?.alerts ?? [], [...live, ...acknowledged], (a) => a.timeMs).filter(matches);
  const missing = answer.error?.status === 404;
  return (
    <section aria-label="Alerts">
      <div className="filters">
        <FilterSelect label="Severity" param="severity" value={severity} options={['critical', 'warning', 'info']} />
        <FilterSelect label="State" param="state" value={state} options={['firing', 'acknowledged', 'resolved']} />
        <FilterSelect label="Type" param="type" value={type} options={ALERT_TYPES} />
      </div>
      {missing ? null : <ErrorNotice error={answer.error} />}
      {alerts.length === 0 && !answer.loading ? (
        <Empty testId="alerts-empty">{missing ? 'No alerts yet: this daemon keeps no alert history (GET /api/v1/alerts answered 404).' : 'No alerts match.'}</Empty>
      ) : (
        <ul className="items" data-testid="alert-list">
          {alerts.map((a) => (
            <AlertRow key={a.id} alert={a} onAcknowledged={(updated) => setAcknowledged((list) => [...list, updated])} />
          ))}
        </ul>
      )}
    </section>
  );
}

export default function Alerts(): ReactNode {
  const search = useSearch();
  const tab = search.get('tab') === 'anomalies' ? 'anomalies' : 'alerts';
  return (
    <div className="page">
      <div className="toolbar">
        <h1>{tab === 'alerts' ? 'Alerts' : 'Anomalies'}</h1>
        <div className="buttons" role="tablist">
          <Link to="/alerts" current={tab === 'alerts'}>
            Alerts
          </Link>
          <Link to="/alerts?tab=anomalies" current={tab === 'anomalies'}>
            Anomalies
          </Link>
        </div>
      </div>
      {tab === 'alerts' ? <AlertList search={search} /> : <AnomalyList search={search} />}
    </div>
  );
}
