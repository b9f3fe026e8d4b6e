// One host's series and layouts in PostgreSQL, cached; registration is idempotent (ON CONFLICT)
// and joins the caller's transaction.
import type pg from 'pg';
import type { MetricName } from '../../detect/metrics.ts';
import type { SeriesRow } from '../history.ts';
import { type SeriesRef, scaleOf, seriesKey } from '../series.ts';

export class PgCatalog {
  readonly hostId: string;
  private seriesByKey = new Map<string, SeriesRow>();
  private layoutsById = new Map<number, readonly number[]>();
  private layoutsByKey = new Map<string, number>();

  constructor(hostId: string) {
    this.hostId = hostId;
  }

  async reload(client: pg.ClientBase): Promise<void> {
    const series = await client.query<{ id: number; metric: MetricName; entity: string; scale: number }>('SELECT id, metric, entity, scale FROM series WHERE host_id = $1', [this.hostId]);
    this.seriesByKey = new Map(series.rows.map((row) => [seriesKey(row), row]));
    const layouts = await client.query<{ id: number; series_ids: string }>('SELECT id, series_ids FROM layout WHERE host_id = $1', [this.hostId]);
    this.layoutsById = new Map(layouts.rows.map((row) => [row.id, row.series_ids === '' ? [] : row.series_ids.split(',').map(Number)]));
    this.layoutsByKey = new Map(layouts.rows.map((row) => [row.series_ids, row.id]));
  }

  series(): SeriesRow[] {
    return [...this.seriesByKey.values()];
  }

  async seriesFor(client: pg.ClientBase, ref: SeriesRef): Promise<SeriesRow> {
    const key = seriesKey(ref);
    let row = this.seriesByKey.get(key);
    if (row === undefined) {
      const scale = scaleOf(ref.metric);
      const result = await client.query<{ id: number }>(
        'INSERT INTO series (host_id, metric, entity, scale) VALUES ($1, $2, $3, $4) ON CONFLICT (host_id, metric, entity) DO UPDATE SET scale = series.scale RETURNING id',
        [this.hostId, ref.metric, ref.entity, scale],
      );
      row = { id: result.rows[0]?.id ?? NaN, metric: ref.metric, entity: ref.entity, scale };
      this.seriesByKey.set(key, row);
    }
    return row;
  }

  async layoutFor(client: pg.ClientBase, seriesIds: readonly number[]): Promise<number> {
    const key = seriesIds.join(',');
    let id = this.layoutsByKey.get(key);
    if (id === undefined) {
      const result = await client.query<{ id: number }>(
        'INSERT INTO layout (host_id, series_ids) VALUES ($1, $2) ON CONFLICT (host_id, series_ids) DO UPDATE SET series_ids = layout.series_ids RETURNING id',
        [this.hostId, key],
      );
      id = result.rows[0]?.id ?? NaN;
      this.layoutsById.set(id, [...seriesIds]);
      this.layoutsByKey.set(key, id);
    }
    return id;
  }

  async layout(client: pg.ClientBase, id: number): Promise<readonly number[]> {
    let layout = this.layoutsById.get(id);
    if (layout === undefined) {
      await this.reload(client);
      layout = this.layoutsById.get(id) ?? [];
      this.layoutsById.set(id, layout);
    }
    return layout;
  }
}
