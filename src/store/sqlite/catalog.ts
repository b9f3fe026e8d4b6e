// The series and layout tables, cached in memory: the writer registers new ones inside its
// transaction, readers reload when they meet an id they have not seen.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { MetricName } from '../../detect/metrics.ts';
import type { SeriesRow } from '../history.ts';
import { type SeriesRef, scaleOf, seriesKey } from '../series.ts';

export class SqliteCatalog {
  private seriesById = new Map<number, SeriesRow>();
  private seriesByKey = new Map<string, SeriesRow>();
  private layoutsById = new Map<number, readonly number[]>();
  private layoutsByKey = new Map<string, number>();
  private readonly insertSeries: StatementSync;
  private readonly insertLayout: StatementSync;
  private readonly selectSeries: StatementSync;
  private readonly selectLayouts: StatementSync;

  constructor(db: DatabaseSync) {
    this.insertSeries = db.prepare('INSERT INTO series (metric, entity, scale) VALUES (?, ?, ?) RETURNING id');
    this.insertLayout = db.prepare('INSERT INTO layout (series_ids) VALUES (?) RETURNING id');
    this.selectSeries = db.prepare('SELECT id, metric, entity, scale FROM series');
    this.selectLayouts = db.prepare('SELECT id, series_ids FROM layout');
    this.reload();
  }

  reload(): void {
    this.reloadSeries();
    this.layoutsById = new Map();
    this.layoutsByKey = new Map();
    for (const row of this.selectLayouts.all() as unknown as Array<{ id: number; series_ids: string }>) {
      this.layoutsById.set(row.id, row.series_ids === '' ? [] : row.series_ids.split(',').map(Number));
      this.layoutsByKey.set(row.series_ids, row.id);
    }
  }

  reloadSeries(): void {
    this.seriesById = new Map();
    this.seriesByKey = new Map();
    for (const row of this.selectSeries.all() as unknown as Array<{ id: number; metric: MetricName; entity: string; scale: number }>) {
      this.seriesById.set(row.id, row);
      this.seriesByKey.set(seriesKey(row), row);
    }
  }

  series(): SeriesRow[] {
    return [...this.seriesById.values()];
  }

  seriesIds(): number[] {
    return [...this.seriesById.keys()];
  }

  // Must run inside the writer's transaction; reload() after a rollback.
  seriesFor(ref: SeriesRef): SeriesRow {
    const key = seriesKey(ref);
    let row = this.seriesByKey.get(key);
    if (row === undefined) {
      const scale = scaleOf(ref.metric);
      const inserted = this.insertSeries.get(ref.metric, ref.entity, scale) as { id: number };
      row = { id: inserted.id, metric: ref.metric, entity: ref.entity, scale };
      this.seriesById.set(row.id, row);
      this.seriesByKey.set(key, row);
    }
    return row;
  }

  layoutFor(seriesIds: readonly number[]): number {
    const key = seriesIds.join(',');
    let id = this.layoutsByKey.get(key);
    if (id === undefined) {
      id = (this.insertLayout.get(key) as { id: number }).id;
      this.layoutsById.set(id, [...seriesIds]);
      this.layoutsByKey.set(key, id);
    }
    return id;
  }

  // The same array for the same layout, so readers can cache per layout.
  layout(id: number): readonly number[] {
    let layout = this.layoutsById.get(id);
    if (layout === undefined) {
      this.reload();
      layout = this.layoutsById.get(id) ?? [];
      this.layoutsById.set(id, layout);
    }
    return layout;
  }
}
