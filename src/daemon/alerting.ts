// The daemon's alerts: the alert system with the configured channels, fed by anomaly episodes,
// snapshots (failing collectors, USB timeouts), watched endpoints, the guard and the tracer; every
// change goes live to /ws topic "alerts" and, with its delivery statuses, to the store.
import type { AlertSink } from '../events/intake.ts';
import { channelsFromConfig, noiseFromConfig } from '../alert/fromConfig.ts';
import type { Alert, NewAlert } from '../alert/model.ts';
import { AlertSystem } from '../alert/system.ts';
import { EndpointWatch } from '../alert/watch.ts';
import type { MetricsSnapshot } from '../collect/types.ts';
import type { AlertsConfig } from '../config/alerts.ts';
import type { Episode } from '../detect/rules.ts';
import type { LiveHub } from '../serve/hub.ts';
import type { DaemonStatus } from '../serve/status.ts';
import type { Store } from '../store/store.ts';
import { SnapshotAlerts, episodeAlert, episodeKey } from './alertRules.ts';
import type { WriteQueue } from './writeQueue.ts';

export interface AlertingOptions {
  config: AlertsConfig;
  host: string;
  hub: LiveHub;
  store: Store;
  writes: WriteQueue;
  log: LineLog;
  // counts for /metrics
  status: DaemonStatus['alerts'];
}

// What the daemon's logger (pino) offers that these modules use.
export interface LineLog {
  info(line: string): void;
  warn(line: string): void;
}

// Saves of a changed alert are coalesced: at most one write per alert per this period.
const SAVE_EVERY_MS = 500;

export class Alerting implements AlertSink {
  readonly system: AlertSystem;
  private readonly options: AlertingOptions;
  private readonly snapshotRules = new SnapshotAlerts();
  private readonly watches: EndpointWatch[];
  private readonly dirty = new Map<string, Alert>();
  private saveTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: AlertingOptions) {
    this.options = options;
    this.system = new AlertSystem({ host: options.host, noise: noiseFromConfig(options.config), channels: channelsFromConfig(options.config) });
    const bump = (map: Map<string, number>, key: string): void => void map.set(key, (map.get(key) ?? 0) + 1);
    this.system.subscribe((alert, event) => {
      if (event === 'fired') bump(options.status.raisedTotal, `${alert.type} ${alert.severity}`);
      options.status.firing = this.system.active().length;
      options.hub.publishAlert(event, alert);
      this.markDirty(alert);
      if (event !== 'acknowledged') options.log.warn(`alert ${event}: [${alert.severity}] ${alert.type} ${alert.title}${alert.repeatCount > 0 ? ` (repeated ${alert.repeatCount} times)` : ''}`);
    });
    this.system.subscribeDeliveries((alert, status) => {
      bump(options.status.deliveriesTotal, `${status.channel} ${status.status}`);
      this.markDirty(alert);
      if (status.status === 'failed') options.log.warn(`alert ${alert.id} not delivered to ${status.channel}: ${status.reason ?? 'failed'}`);
      // sent, but the answer was lost: it may or may not have arrived, and is not sent again
      if (status.status === 'unknown') options.log.warn(`alert ${alert.id} may or may not have reached ${status.channel}: ${status.reason ?? 'outcome unknown'}`);
    });
    this.watches = options.config.watch.map((w) => new EndpointWatch({ name: w.name, url: w.url, intervalMs: w.interval, timeoutMs: w.timeout, failures: w.failures }, this));
  }

  start(): void {
    for (const watch of this.watches) watch.start();
  }

  // Stops watching and closes the alert system within about budgetMs: retries waiting for their
  // backoff are cancelled, deliveries in flight get part of the budget, every channel is closed
  // (D-Bus connections, the syslog child); then the last statuses are queued for the store.
  async stop(budgetMs: number): Promise<void> {
    for (const watch of this.watches) watch.stop();
    await this.system.close(budgetMs);
    this.saveDirty();
  }

  raise(alert: NewAlert): void {
    this.system.raise(alert);
  }

  resolve(dedupKey: string): void {
    this.system.resolve(dedupKey);
  }

  onSnapshot(snapshot: MetricsSnapshot): void {
    const { raise, resolve } = this.snapshotRules.changes(snapshot);
    for (const alert of raise) this.raise(alert);
    for (const key of resolve) this.resolve(key);
  }

  onEpisode(event: 'open' | 'close', episode: Episode): void {
    if (event === 'open') this.raise(episodeAlert(episode));
    else this.resolve(episodeKey(episode));
  }

  // From the API: an alert still in memory changes there (and is told to WebSocket clients);
  // an older one is changed in the store.
  async acknowledge(id: string): Promise<Alert | undefined> {
    const live = this.system.get(id);
    if (live) return this.system.acknowledge(id);
    const stored = await this.options.store.alert(id);
    if (!stored || stored.state !== 'firing') return stored;
    const { hostId: _host, deliveries, ...alert } = stored;
    const acknowledged: Alert = { ...alert, state: 'acknowledged', acknowledgedMs: Date.now() };
    await this.options.store.saveAlert(acknowledged, deliveries);
    this.options.hub.publishAlert('acknowledged', acknowledged);
    return acknowledged;
  }

  private markDirty(alert: Alert): void {
    this.dirty.set(alert.id, alert);
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => this.saveDirty(), SAVE_EVERY_MS);
    this.saveTimer.unref();
  }

  private saveDirty(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    const store = this.options.store;
    for (const alert of this.dirty.values()) {
      // gone from the in-memory history (a storm): the store keeps its last saved state and deliveries
      if (!this.system.get(alert.id)) continue;
      const snapshot = { ...alert, context: { ...alert.context } };
      const deliveries = [...this.system.deliveries(alert.id)];
      this.options.writes.push(() => store.saveAlert(snapshot, deliveries));
    }
    this.dirty.clear();
  }
}
