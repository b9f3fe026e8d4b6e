// The daemon's run loop: sample -> detect -> {store, serve}. The sampler's tick collects a snapshot,
// the detector turns it into episodes and advises the level; the snapshot and episodes then go to the
// live hub (REST, WebSocket, /metrics) at once and to the store through an ordered write queue.
import type { AddressInfo } from 'node:net';
import { type Clock, systemClock } from '../collect/clock.ts';
import { AdaptiveSampler, type LevelName } from '../collect/sampler.ts';
import type { Snapshotter } from '../collect/snapshotter.ts';
import type { MetricsSnapshot } from '../collect/types.ts';
import type { Config } from '../config/schema.ts';
import { AnomalyDetector, type Evaluation } from '../detect/detector.ts';
import { adviseLevel } from '../detect/levelAdvisor.ts';
import type { Episode } from '../detect/rules.ts';
import { ApiServer } from '../serve/http.ts';
import { LiveHub } from '../serve/hub.ts';
import type { SnapshotSource } from '../serve/metricTable.ts';
import { type DaemonStatus, newDaemonStatus, SEVERITIES } from '../serve/status.ts';
import type { Store } from '../store/store.ts';
import { latenessClock } from './latenessClock.ts';
import { RetentionLoop } from './retention.ts';
import { WriteQueue } from './writeQueue.ts';

export interface DaemonOptions {
  config: Config;
  store: Store;
  snapshotter: Snapshotter;
  // cumulative CPU seconds for node_cpu_seconds_total, read beside each snapshot
  readCpuSeconds: () => SnapshotSource['cpuSeconds'];
  version: string;
  log: (line: string) => void;
  clock?: Clock;
}

export class Daemon {
  readonly status: DaemonStatus;
  private readonly options: DaemonOptions;
  private readonly clock: Clock;
  private readonly hub: LiveHub;
  private readonly detector: AnomalyDetector;
  private readonly sampler: AdaptiveSampler;
  private readonly writes: WriteQueue;
  private readonly retention: RetentionLoop;
  private readonly server: ApiServer;
  private evaluation: Evaluation | undefined;

  constructor(options: DaemonOptions) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
    const { sampler: samplerConfig, anomaly: rules, api, store: storeConfig } = options.config;
    const levels = { idle: samplerConfig.idle, normal: samplerConfig.normal, intensive: samplerConfig.intensive, critical: samplerConfig.critical };
    this.status = newDaemonStatus({
      version: options.version,
      startTimeMs: this.clock.now(),
      hostId: options.store.hostId,
      level: samplerConfig.initial_level,
      intervalMs: levels[samplerConfig.initial_level].intervalMs,
      storeKind: options.store.kind,
      collectors: options.snapshotter.collectorNames,
    });
    this.hub = new LiveHub(this.status);
    this.detector = new AnomalyDetector(rules);
    this.writes = new WriteQueue(this.status.store, { maxPending: 1000, log: options.log });
    this.retention = new RetentionLoop(options.store, this.status.store, { settings: storeConfig.retention, everyMs: storeConfig.retentionEveryMs, budgetMs: storeConfig.retentionBudgetMs, log: options.log });
    const margins = { intensive: samplerConfig.intensive_margin, normal: samplerConfig.normal_margin };
    this.sampler = new AdaptiveSampler({
      clock: latenessClock(this.clock, (lateMs) => this.status.sampler.tickLateness.observe(lateMs / 1000)),
      levels,
      initialLevel: samplerConfig.initial_level,
      collect: () => this.collect(),
      advise: (snapshot, nowMs) => {
        this.evaluation = this.detector.evaluate(snapshot, nowMs);
        return adviseLevel(this.evaluation.open, snapshot, rules, margins);
      },
      onSnapshot: (snapshot) => this.publish(snapshot),
      onLevelChange: (from, to, reason) => this.levelChanged(from, to, reason, levels[to].intervalMs),
    });
    this.server = new ApiServer({ hub: this.hub, store: options.store, settings: api, now: () => this.clock.now(), collectors: options.snapshotter.collectorNames });
  }

  async start(): Promise<AddressInfo> {
    const address = await this.server.listen();
    this.sampler.start();
    this.retention.start();
    return address;
  }

  // Stops sampling first, then lets the queued writes finish (within budgetMs) and closes the store.
  async stop(budgetMs = 1500): Promise<{ flushed: boolean }> {
    this.sampler.stop();
    this.retention.stop();
    const [flushed] = await Promise.all([this.writes.flush(budgetMs), this.server.close()]);
    await this.retention.idle();
    await this.options.store.close();
    this.options.snapshotter.close();
    return { flushed };
  }

  private collect(): MetricsSnapshot {
    const started = performance.now();
    const snapshot = this.options.snapshotter.collect();
    this.status.sampler.collectionDuration.observe((performance.now() - started) / 1000);
    return snapshot;
  }

  private publish(snapshot: MetricsSnapshot): void {
    const sampler = this.status.sampler;
    sampler.lastCollectionMs = snapshot.timestampMs;
    for (const error of snapshot.errors ?? []) sampler.collectorErrorsTotal[error.collector] = (sampler.collectorErrorsTotal[error.collector] ?? 0) + 1;
    const cpuSeconds = this.options.readCpuSeconds();
    this.hub.publishSnapshot({ snapshot, ...(cpuSeconds ? { cpuSeconds } : {}) });
    const store = this.options.store;
    this.writes.push(() => store.insertSnapshot(snapshot));
    const evaluation = this.evaluation;
    this.evaluation = undefined;
    if (!evaluation) return;
    for (const episode of evaluation.opened) this.episodeEvent('open', episode);
    for (const episode of evaluation.closed) this.episodeEvent('close', episode);
    for (const severity of SEVERITIES) this.status.anomalies.open[severity] = evaluation.open.filter((e) => e.severity === severity).length;
  }

  private episodeEvent(event: 'open' | 'close', episode: Episode): void {
    if (event === 'open') this.status.anomalies.openedTotal[episode.severity] += 1;
    // The store gets a copy: the detector keeps updating the open episode (peak, last value).
    const copy = structuredClone(episode);
    this.hub.publishAnomaly(event, copy);
    this.writes.push(() => this.options.store.saveEpisode(copy));
    this.options.log(`anomaly ${event === 'open' ? 'opened' : 'closed'}: [${episode.severity}] ${episode.message} (${episode.id})`);
  }

  private levelChanged(from: LevelName, to: LevelName, reason: string, intervalMs: number): void {
    Object.assign(this.status.sampler, { level: to, levelSinceMs: this.clock.now(), intervalMs });
    this.options.log(`sampler ${from} -> ${to} (${reason}); sampling every ${intervalMs / 1000} s`);
  }
}
