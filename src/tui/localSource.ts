// Data from the collectors in this process (no daemon): a snapshot every interval, and the anomaly
// detector with the built-in rules over them. Alerts and guard/trace events need the daemon.
import { Snapshotter, type SnapshotterOptions } from '../collect/snapshotter.ts';
import type { MetricsSnapshot } from '../collect/types.ts';
import { anomalySchema } from '../config/anomaly.ts';
import { AnomalyDetector } from '../detect/detector.ts';
import { DataStore, initialData, withEpisode, withSnapshot } from './model.ts';
import type { DataSource } from './source.ts';

export interface LocalSourceOptions {
  intervalMs: number;
  snapshotter: SnapshotterOptions;
  now?: () => number;
}

export class LocalSource implements DataSource {
  readonly store: DataStore;
  private readonly options: LocalSourceOptions;
  private readonly now: () => number;
  private snapshotter: Snapshotter | undefined;
  private readonly detector = new AnomalyDetector(anomalySchema.parse({}));
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(options: LocalSourceOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.store = new DataStore(initialData('local', this.now(), { alerts: false, events: false }));
  }

  start(): void {
    this.snapshotter = new Snapshotter(this.options.snapshotter);
    this.tick();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.snapshotter?.close();
  }

  // Two collections an interval apart (rates need both), for --once.
  async sample(): Promise<void> {
    const snapshotter = new Snapshotter(this.options.snapshotter);
    try {
      const startedMs = performance.now();
      this.collect(snapshotter);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, this.options.intervalMs - (performance.now() - startedMs))));
      this.collect(snapshotter);
    } finally {
      snapshotter.close();
    }
  }

  signalRefusal(): string | undefined {
    return undefined;
  }

  // The first snapshot has no rates; the next comes a short second later rather than a whole interval.
  private tick(): void {
    if (this.stopped || !this.snapshotter) return;
    const startedMs = performance.now();
    const first = this.store.data.snapshot === undefined;
    this.collect(this.snapshotter);
    const wait = first ? Math.min(this.options.intervalMs, 500) : this.options.intervalMs;
    // The interval runs from the start of a collection, so a slow one does not stretch it.
    this.timer = setTimeout(() => this.tick(), Math.max(0, wait - (performance.now() - startedMs)));
    this.timer.unref();
  }

  private collect(snapshotter: Snapshotter): void {
    const snapshot: MetricsSnapshot = snapshotter.collect();
    const nowMs = this.now();
    const evaluation = this.detector.evaluate(snapshot);
    this.store.update((data) => {
      let next = withSnapshot({ ...data, connection: { state: 'live' } }, snapshot, nowMs);
      for (const episode of [...evaluation.open, ...evaluation.closed]) next = withEpisode(next, { ...episode });
      const failed = snapshot.errors?.map((error) => `${error.collector}: ${error.message}`).join('; ');
      const { notice: _old, ...rest } = next;
      return failed ? { ...rest, notice: `collectors failed: ${failed}` } : rest;
    });
  }
}
