// History: a time range (presets or from/to), charts from /api/v1/metrics/history zoomed together
// (drag, wheel, buttons), and the anomaly episodes of the range drawn as bands. The range, point
// budget, series and host live in the URL.
import { useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { withQuery } from '../api/client.ts';
import { useApi } from '../api/session.ts';
import type uPlot from 'uplot';
import type { AnomaliesAnswer, HistoryAnswer, StoredEpisode } from '../api/types.ts';
import { Chart } from '../components/Chart.tsx';
import type { SeriesSpec } from '../components/chartOptions.ts';
import { Empty, ErrorNotice } from '../components/Notice.tsx';
import { ZoomGroup } from '../components/zoom.ts';
import { formatDuration, formatNumber } from '../lib/format.ts';
import { alignGroup, type Band, bandsFor, type ChartGroup, selectGroups, seriesLabel } from '../lib/history.ts';
import { setSearch, useSearch } from '../router.ts';

const formatSeconds = (seconds: number): string => (seconds < 60 ? `${formatNumber(seconds, seconds < 10 ? 1 : 0)} s` : formatDuration(seconds));

const NO_EPISODES: StoredEpisode[] = [];

function chartOf(group: ChartGroup, answer: HistoryAnswer | undefined, episodes: readonly StoredEpisode[]): { group: ChartGroup; series: SeriesSpec[]; data: uPlot.AlignedData; bands: Band[] } {
  const aligned = answer ? alignGroup(answer, group) : undefined;
  return {
    group,
    series: (aligned?.keys ?? []).map((key, i) => ({ label: seriesLabel(key), color: i })),
    data: aligned ? [aligned.x, ...aligned.ys] : [[]],
    bands: bandsFor(episodes, group),
  };
}

const PRESETS: ReadonlyArray<[string, string]> = [['1 h', '-1h'], ['6 h', '-6h'], ['24 h', '-24h'], ['7 d', '-7d'], ['30 d', '-30d']];
const POINT_BUDGETS = [1000, 10_000, 100_000];

function toLocalInput(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const local = new Date(d.getTime() - d.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

function RangeForm(props: { start: string | null; end: string | null }): ReactNode {
  const [from, setFrom] = useState(toLocalInput(props.start));
  const [to, setTo] = useState(toLocalInput(props.end));
  const apply = (event: FormEvent): void => {
    event.preventDefault();
    if (from === '' || to === '') return;
    setSearch({ range: undefined, start: new Date(from).toISOString(), end: new Date(to).toISOString() });
  };
  return (
    <form className="range-form" onSubmit={apply}>
      <label>
        From <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
      </label>
      <label>
        to <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
      </label>
      <button type="submit">Show</button>
    </form>
  );
}

function Toolbar(props: { range: string; points: number; zoom: ZoomGroup; custom: boolean; reload: () => void }): ReactNode {
  return (
    <div className="toolbar">
      <h1>History</h1>
      <div className="buttons" role="group" aria-label="Range">
        {PRESETS.map(([label, value]) => (
          <button key={value} type="button" aria-pressed={!props.custom && props.range === value} onClick={() => setSearch({ range: value, start: undefined, end: undefined })}>
            {label}
          </button>
        ))}
      </div>
      <label>
        Points{' '}
        <select value={props.points} onChange={(e) => setSearch({ points: e.target.value })}>
          {POINT_BUDGETS.map((n) => (
            <option key={n} value={n}>
              {n.toLocaleString('en')}
            </option>
          ))}
        </select>
      </label>
      <div className="buttons" role="group" aria-label="Zoom">
        <button type="button" onClick={() => props.zoom.zoom(0.5)}>Zoom in</button>
        <button type="button" onClick={() => props.zoom.zoom(2)}>Zoom out</button>
        <button type="button" onClick={() => props.zoom.reset()}>Whole range</button>
        <button type="button" onClick={props.reload}>Refresh</button>
      </div>
    </div>
  );
}

export default function History(): ReactNode {
  const search = useSearch();
  const custom = search.get('start') !== null;
  const range = search.get('range') ?? '-1h';
  const start = search.get('start') ?? range;
  const end = search.get('end') ?? 'now';
  const points = Number(search.get('points') ?? 1000) || 1000;
  const host = search.get('host') ?? undefined;
  const fieldsParam = search.get('fields') ?? '';
  const groups = useMemo(() => selectGroups(fieldsParam === '' ? [] : fieldsParam.split(',')), [fieldsParam]);
  const fields = groups.flatMap((g) => g.fields).join(',');
  const zoom = useMemo(() => new ZoomGroup(), []);
  const history = useApi<HistoryAnswer>(withQuery('/api/v1/metrics/history', { start, end, fields, max_points: points, host }));
  const anomalies = useApi<AnomaliesAnswer>(withQuery('/api/v1/anomalies', { start, end, limit: 1000, host }));
  const answer = history.data;
  const episodes = anomalies.data?.anomalies ?? NO_EPISODES;
  // Memoized: a chart given new data resets its zoom, so only a new answer may do that.
  const charts = useMemo(() => groups.map((group) => chartOf(group, answer, episodes)), [answer, groups, episodes]);
  const pointCount = charts[0]?.data[0]?.length ?? 0;
  return (
    <div className="page history">
      <Toolbar range={range} points={points} zoom={zoom} custom={custom} reload={() => (history.reload(), anomalies.reload())} />
      <RangeForm key={`${start}|${end}`} start={custom ? start : null} end={custom ? end : null} />
      <p className="hint" data-testid="history-info">
        {answer ? `${host ? `${host}: ` : ''}${answer.tier} data, in steps of ${formatSeconds(answer.stepMs / 1000)}, ${pointCount} points; ${episodes.length} anomaly episodes (bands). Drag or scroll on a chart to zoom; double-click for the whole range.` : history.loading ? 'Loading...' : '\u00a0'}
      </p>
      <ErrorNotice error={history.error} />
      <div className="grid charts">
        {charts.map(({ group, series, data, bands }) => (
          <Chart key={group.id} testId={`history-${group.id}`} title={group.title} unit={group.unit} series={series} data={data} bands={bands} zoom={zoom} plotHeight={180} emptyText={answer ? 'No data in this range' : 'Loading'} />
        ))}
      </div>
      {answer && pointCount === 0 ? <Empty>No history in this range: the store has nothing between these times{host ? ` for ${host}` : ''}.</Empty> : null}
    </div>
  );
}
