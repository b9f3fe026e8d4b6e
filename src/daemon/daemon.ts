// The daemon: sample -> detect -> {store, serve}. The sampling thread collects snapshots and turns
// them into episodes and levels; this thread hands each snapshot and episode to the live hub (REST,
// WebSocket, /metrics) at once and to the store through an ordered write queue, and answers requests.
import type { AddressInfo } from 'node:net';
import { collectorRegistry } from '../collect/registry.ts';
import type { SnapshotterOptions } from '../collect/snapshotter.ts';
import type { MetricsSnapshot } from '../collect/types.ts';
import type { Config } from '../config/schema.ts';
import type { Episode } from '../detect/rules.ts';
import type { Logger } from '../log/logger.ts';
import { ApiServer } from '../serve/http.ts';
import { LiveHub } from '../serve/hub.ts';
import { type DaemonStatus, newDaemonStatus, SEVERITIES } from '../serve/status.ts';
import type { Store } from '../store/store.ts';
import { Alerting } from './alerting.ts';
import { EventSources } from './eventSources.ts';
import { RetentionLoop } from './retention.ts';
import type { FromSampler } from './samplingProtocol.ts';
import { SamplingThread } from './samplingThread.ts';
import { WriteQueue } from './writeQueue.ts';

export interface DaemonOptions {
  config: Config;
  store: Store;
  snapshotter: SnapshotterOptions;
  version: string;
  log: Logger;
  // the sampling thread died: the caller ends the process
  onFatal: (error: Error) => void;
}

type SnapshotMessage = Extract<FromSampler, { type: 'snapshot' }>;

// Retention runs once a minute for at most 50 ms at a time (it continues a second later when it
// could not finish), so the store's writes on this thread never hold up answers for long.
const RETENTION_EVERY_MS = 60_000;
const RETENTION_BUDGET_MS = 50;

export class Daemon {
  readonly status: DaemonStatus;
  private readonly options: DaemonOptions;
  private readonly hub: LiveHub;
  private readonly writes: WriteQueue;
  private readonly retention: RetentionLoop;
  private readonly server: ApiServer;
  private sampling: SamplingThread | undefined;
  private readonly alerting: Alerting;
  private readonly eventSources: EventSources;
  // peak of each open episode as last stored: an open episode is stored again when it gets worse
  private readonly storedPeaks = new Map<string, number>();

  constructor(options: DaemonOptions) {
    this.options = options;
    const { sampler, api, retention, collectors } = options.config;
    const collectorNames = collectorRegistry.filter((c) => collectors.enabled[c.name] ?? c.defaultEnabled).map((c) => c.name);
    this.status = newDaemonStatus({
      version: options.version,
      startTimeMs: Date.now(),
      hostId: options.store.hostId,
      level: sampler.initial_level,
      intervalMs: sampler[sampler.initial_level].intervalMs,
      storeKind: options.store.kind,
      collectors: collectorNames,
    });
    this.hub = new LiveHub(this.status);
    const storeError = (line: string): void => options.log.error(line);
    this.writes = new WriteQueue(this.status.store, { maxPending: 1000, log: storeError });
    this.retention = new RetentionLoop(options.store, this.status.store, { settings: retention, everyMs: RETENTION_EVERY_MS, budgetMs: RETENTION_BUDGET_MS, log: storeError });
    const { store, log } = options;
    this.alerting = new Alerting({ config: options.config.alerts, host: store.hostId, hub: this.hub, store, writes: this.writes, log, status: this.status.alerts });
    this.eventSources = new EventSources({
      events: options.config.events,
      trace: options.config.trace,
      host: store.hostId,
      alerts: this.alerting,
      write: (events) => this.writes.push(() => store.saveEvents(events)),
      publish: (event) => {
        const counts = this.status.events;
        counts.receivedTotal.set(event.type, (counts.receivedTotal.get(event.type) ?? 0) + 1);
        this.hub.publishEvent(event);
      },
      guardCounters: this.status.guard,
      log,
      nowMs: () => Date.now(),
    });
    const sources = this.eventSources;
    this.status.traceStats = () => sources.traceStats();
    this.status.events.droppedTotal = () => sources.intake.counts.dropped;
    const events = {
      acknowledge: (id: string) => this.alerting.acknowledge(id),
      activeAlerts: () => this.alerting.system.active(),
      channels: () => this.alerting.system.channelStatus(),
      testAlert: () => this.alerting.system.test(),
      ...(sources.ioTop ? { ioTop: sources.ioTop } : {}),
      traceStats: () => sources.traceStats(),
      get traceOffReason() {
        return sources.traceOffReason;
      },
    };
    this.server = new ApiServer({ hub: this.hub, store, settings: api, now: () => Date.now(), collectors: collectorNames, events }, { log: options.log });
  }

  async start(): Promise<AddressInfo> {
    this.eventSources.check();
    this.alerting.start();
    const address = await this.server.listen();
    // the tracer attaches in the background (seconds); if it was required and fails, the daemon stops
    this.eventSources.start().catch((error: unknown) => this.options.onFatal(error instanceof Error ? error : new Error(String(error))));
    const { sampler, anomaly: rules, collectors } = this.options.config;
    this.sampling = new SamplingThread(
      {
        levels: { idle: sampler.idle, normal: sampler.normal, intensive: sampler.intensive, critical: sampler.critical },
        initialLevel: sampler.initial_level,
        margins: { intensive: sampler.intensive_margin, normal: sampler.normal_margin },
        rules,
        snapshotter: this.options.snapshotter,
        cpuSeconds: collectors.enabled['cpu'] === true,
      },
      { onMessage: (message) => this.receive(message), onFailure: (error) => this.options.onFatal(error) },
    );
    this.retention.start();
    return address;
  }

  // Stops sampling first, then closes the alert system (its channels and pending retries, within
  // 300 ms at most), then lets the queued writes finish (within budgetMs) and closes the store.
  async stop(budgetMs = 1500): Promise<{ flushed: boolean }> {
    this.retention.stop();
    await Promise.all([this.sampling?.stop(Math.min(500, budgetMs)), this.eventSources.stop(Math.min(800, budgetMs / 2))]);
    await this.alerting.stop(Math.min(300, budgetMs / 4));
    const [flushed] = await Promise.all([this.writes.flush(budgetMs), this.server.close()]);
    await this.retention.idle();
    await this.options.store.close();
    return { flushed };
  }

  private receive(message: FromSampler): void {
    if (message.type === 'snapshot') this.publish(message);
    else if (message.type === 'level') {
      Object.assign(this.status.sampler, { level: message.to, levelSinceMs: message.atMs, intervalMs: message.intervalMs });
      this.options.log.info({ from: message.from, to: message.to, reason: message.reason, intervalMs: message.intervalMs }, `sampler ${message.from} -> ${message.to} (${message.reason}); sampling every ${message.intervalMs / 1000} s`);
    }
  }

  private publish(message: SnapshotMessage): void {
    const snapshot = JSON.parse(message.json) as MetricsSnapshot;
    const sampler = this.status.sampler;
    sampler.lastCollectionMs = snapshot.timestampMs;
    sampler.collectionDuration.observe(message.collectionSeconds);
    sampler.tickLateness.observe(message.lateMs / 1000);
    for (const error of snapshot.errors ?? []) sampler.collectorErrorsTotal[error.collector] = (sampler.collectorErrorsTotal[error.collector] ?? 0) + 1;
    this.hub.publishSnapshot({ snapshot, ...(message.cpuSeconds ? { cpuSeconds: message.cpuSeconds } : {}) }, message.json);
    const store = this.options.store;
    this.writes.push(() => store.insertSnapshot(snapshot));
    this.alerting.onSnapshot(snapshot);
    for (const episode of message.opened) this.episodeEvent('open', episode);
    for (const episode of message.closed) this.episodeEvent('close', episode);
    for (const episode of message.open) {
      const stored = this.storedPeaks.get(episode.id);
      if (stored === undefined || stored === episode.peakValue) continue;
      this.storedPeaks.set(episode.id, episode.peakValue);
      this.writes.push(() => store.saveEpisode(episode));
    }
    for (const severity of SEVERITIES) this.status.anomalies.open[severity] = message.open.filter((e) => e.severity === severity).length;
  }

  // Each episode arrives as its own copy (posted by the sampling thread), safe to keep and store.
  private episodeEvent(event: 'open' | 'close', episode: Episode): void {
    if (event === 'open') this.status.anomalies.openedTotal[episode.severity] += 1;
    if (event === 'open') this.storedPeaks.set(episode.id, episode.peakValue);
    else this.storedPeaks.delete(episode.id);
    this.hub.publishAnomaly(event, episode);
    this.alerting.onEpisode(event, episode);
    this.writes.push(() => this.options.store.saveEpisode(episode));
    const fields = { anomaly: event, id: episode.id, rule: episode.rule, severity: episode.severity };
    const line = `anomaly ${event === 'open' ? 'opened' : 'closed'}: [${episode.severity}] ${episode.message} (${episode.id})`;
    // An episode that opens at warning or critical is something to look at; the rest is information.
    if (event === 'open' && episode.severity !== 'info') this.options.log.warn(fields, line);
    else this.options.log.info(fields, line);
  }
}
