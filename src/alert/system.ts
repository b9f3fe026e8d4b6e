// The alert system: raises, de-duplicates and resolves alerts, fans each out to every channel
// independently (a dead channel delays no other), and keeps the recent history and delivery status.
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { type AlertChannel, type DeliveryDeps, type DeliveryPolicy, type DeliveryStatus, deliver } from './channel.ts';
import { cancellableSleep, withinMs } from './channels/deadline.ts';
import type { Alert, AlertEvent, NewAlert } from './model.ts';
import { NoiseControl, type NoiseSettings } from './noise.ts';
import { WorkQueue } from './queue.ts';

export interface ConfiguredChannel {
  channel: AlertChannel;
  policy: DeliveryPolicy;
}

export interface AlertSystemOptions {
  host: string;
  noise: NoiseSettings;
  channels: ConfiguredChannel[];
  historySize?: number;
  nowMs?: () => number;
  localHour?: (timeMs: number) => number;
  sleep?: (ms: number, cancel?: AbortSignal) => Promise<void>;
}

// Hears every change of an alert's state: fired (or repeated past the rate limit), resolved, acknowledged.
export type AlertListener = (alert: Alert, event: AlertEvent | 'acknowledged') => void;
// Hears that an alert has a new delivery status (sent, failed, suppressed).
export type DeliveryListener = (alert: Alert, status: DeliveryStatus) => void;

export interface AlertFilter {
  state?: Alert['state'];
  severity?: Alert['severity'];
  type?: Alert['type'];
  startMs?: number;
  endMs?: number;
  limit?: number;
}

export class AlertSystem {
  private readonly options: Required<Omit<AlertSystemOptions, 'noise'>>;
  private readonly noise: NoiseControl;
  private readonly recent: Alert[] = [];
  // The same alerts by id: get() runs for every delivery status, a scan of the history would not do.
  private readonly recentById = new Map<string, Alert>();
  private readonly firingByKey = new Map<string, Alert>();
  private readonly statuses = new Map<string, DeliveryStatus[]>();
  private readonly lastByChannel = new Map<string, DeliveryStatus>();
  private readonly pending = new Set<Promise<unknown>>();
  // Per alert, the channels it was fanned out to as fired, with how that delivery ended.
  private readonly firedDeliveries = new Map<string, Map<string, Promise<DeliveryStatus>>>();
  private readonly listeners = new Set<AlertListener>();
  private readonly deliveryListeners = new Set<DeliveryListener>();
  private readonly queues = new Map<string, WorkQueue>();
  private lastPruneMs = Number.NEGATIVE_INFINITY;
  // close(): first no new attempts or retries (draining), then the attempts in flight are aborted (closing).
  private readonly draining = new AbortController();
  private readonly closing = new AbortController();
  private closed: Promise<void> | undefined;

  constructor(options: AlertSystemOptions) {
    this.noise = new NoiseControl(options.noise);
    this.options = {
      host: options.host,
      channels: options.channels,
      historySize: options.historySize ?? 500,
      nowMs: options.nowMs ?? Date.now,
      localHour: options.localHour ?? ((t) => new Date(t).getHours()),
      sleep: options.sleep ?? cancellableSleep,
    };
    // Every attempt and every backoff listens to these two; a storm has thousands at once.
    setMaxListeners(0, this.draining.signal);
    setMaxListeners(0, this.closing.signal);
  }

  subscribe(listener: AlertListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  subscribeDeliveries(listener: DeliveryListener): () => void {
    this.deliveryListeners.add(listener);
    return () => this.deliveryListeners.delete(listener);
  }

  // An alert still in the recent history, by id.
  get(id: string): Alert | undefined {
    return this.recentById.get(id);
  }

  // Fires an alert; a key already firing counts a repeat, sent again only once the rate limit allows.
  raise(input: NewAlert): Alert {
    const now = this.options.nowMs();
    const key = input.dedupKey ?? `${input.type}:${input.title}`;
    const existing = this.firingByKey.get(key);
    const alert = existing ?? this.create(input, key, now);
    if (existing) {
      existing.repeatCount++;
      existing.context = input.context ?? existing.context;
      existing.message = input.message;
    }
    this.sendSummaryIfDue(now);
    this.pruneIfDue(now);
    const verdict = this.noise.judge(key, alert.severity, now, this.options.localHour(now));
    if (verdict.send) this.fanOut(alert, 'fired');
    else this.record(alert, this.options.channels.map((c) => suppressed(c.channel.name, alert.id, now, verdict.reason)));
    return alert;
  }

  // Resolves the firing alert with this key and tells the channels that were told it fired
  // (once their fired delivery has ended, so a quick resolve never overtakes it).
  resolve(dedupKey: string): Alert | undefined {
    const alert = this.firingByKey.get(dedupKey);
    if (!alert) return undefined;
    this.firingByKey.delete(dedupKey);
    alert.state = 'resolved';
    alert.resolvedMs = this.options.nowMs();
    for (const listener of this.listeners) listener(alert, 'resolved');
    const fired = this.firedDeliveries.get(alert.id) ?? new Map<string, Promise<DeliveryStatus>>();
    for (const configured of this.options.channels) {
      const delivery = fired.get(configured.channel.name);
      if (!delivery) continue;
      this.track(
        delivery.then(async (status) => {
          if (status.status !== 'sent') return;
          this.record(alert, [await this.deliverQueued(configured, alert, 'resolved')]);
        }),
      );
    }
    return alert;
  }

  acknowledge(id: string): Alert | undefined {
    const alert = this.recentById.get(id);
    if (!alert || alert.state === 'resolved') return alert;
    alert.state = 'acknowledged';
    alert.acknowledgedMs = this.options.nowMs();
    for (const listener of this.listeners) listener(alert, 'acknowledged');
    return alert;
  }

  active(): Alert[] {
    return [...this.firingByKey.values()];
  }

  history(filter: AlertFilter = {}): Alert[] {
    const matches = this.recent.filter(
      (a) =>
        (filter.state === undefined || a.state === filter.state) &&
        (filter.severity === undefined || a.severity === filter.severity) &&
        (filter.type === undefined || a.type === filter.type) &&
        (filter.startMs === undefined || a.timeMs >= filter.startMs) &&
        (filter.endMs === undefined || a.timeMs <= filter.endMs),
    );
    return matches.reverse().slice(0, filter.limit ?? matches.length);
  }

  deliveries(alertId: string): DeliveryStatus[] {
    return this.statuses.get(alertId) ?? [];
  }

  channelStatus(): Array<{ channel: string; last?: DeliveryStatus }> {
    return this.options.channels.map((c) => {
      const last = this.lastByChannel.get(c.channel.name);
      return last ? { channel: c.channel.name, last } : { channel: c.channel.name };
    });
  }

  // A test alert through every channel, past noise control and minimum severities; resolves with each result.
  async test(): Promise<DeliveryStatus[]> {
    const alert = this.create({ type: 'TEST', severity: 'info', title: 'hostguard test alert', message: 'If you can read this, the channel works.' }, `TEST:${randomUUID()}`, this.options.nowMs());
    this.firingByKey.delete(alert.dedupKey);
    // Resolved at once (nothing to act on), but shown like any alert: on /ws and in the store,
    // which need no channel.
    alert.state = 'resolved';
    for (const listener of this.listeners) listener(alert, 'fired');
    const results = await Promise.all(this.options.channels.map((c) => deliver(c.channel, { ...c.policy, minSeverity: 'info' }, alert, 'fired', this.deliveryDeps())));
    this.record(alert, results);
    return results;
  }

  // Waits until every delivery started so far has finished (tests; close() for shutdown).
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  // Shutdown within about budgetMs: retries waiting for their backoff and deliveries still queued
  // end at once as failed ("the alert system closed"); attempts in flight get 40 % of the budget to
  // finish, then are aborted; then every channel's close() (connections, children) gets the rest.
  // Every delivery has its final status recorded before this resolves (unless a channel ignores its
  // abort signal); nothing is sent afterwards.
  close(budgetMs = 1000): Promise<void> {
    this.closed ??= this.shutDown(budgetMs);
    return this.closed;
  }

  private async shutDown(budgetMs: number): Promise<void> {
    const startedMs = performance.now();
    const elapsedMs = (): number => performance.now() - startedMs;
    this.draining.abort(new Error('the alert system closed'));
    await withinMs(this.idle(), budgetMs * 0.4);
    this.closing.abort(new Error('the alert system closed'));
    // aborted attempts settle within the delivery wrapper's short grace
    await withinMs(this.idle(), Math.max(0, budgetMs * 0.7 - elapsedMs()));
    const leftMs = Math.max(50, budgetMs - elapsedMs());
    await withinMs(Promise.allSettled(this.options.channels.map((c) => c.channel.close?.())), leftMs);
  }

  private create(input: NewAlert, key: string, now: number): Alert {
    const alert: Alert = {
      id: randomUUID(),
      type: input.type,
      severity: input.severity,
      title: input.title,
      message: input.message,
      host: this.options.host,
      timeMs: now,
      context: input.context ?? {},
      dedupKey: key,
      state: 'firing',
      repeatCount: 0,
    };
    this.firingByKey.set(key, alert);
    this.recent.push(alert);
    this.recentById.set(alert.id, alert);
    while (this.recent.length > this.options.historySize) {
      const dropped = this.recent.shift();
      if (dropped) {
        this.recentById.delete(dropped.id);
        this.statuses.delete(dropped.id);
        this.firedDeliveries.delete(dropped.id);
      }
    }
    return alert;
  }

  private fanOut(alert: Alert, event: AlertEvent): void {
    for (const listener of this.listeners) listener(alert, event);
    const fired = this.firedDeliveries.get(alert.id) ?? new Map<string, Promise<DeliveryStatus>>();
    this.firedDeliveries.set(alert.id, fired);
    for (const configured of this.options.channels) {
      const delivery = this.deliverQueued(configured, alert, event).then((status) => {
        this.record(alert, [status]);
        return status;
      });
      fired.set(configured.channel.name, delivery);
      this.track(delivery);
    }
  }

  // Every delivery goes through its channel's queue; a full backlog fails the delivery at once.
  private deliverQueued(configured: ConfiguredChannel, alert: Alert, event: AlertEvent): Promise<DeliveryStatus> {
    const name = configured.channel.name;
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new WorkQueue();
      this.queues.set(name, queue);
    }
    const now = this.options.nowMs();
    return queue.run(
      () => deliver(configured.channel, configured.policy, alert, event, this.deliveryDeps()),
      () => ({ channel: name, alertId: alert.id, event, status: 'failed', reason: `backlog full (${queue.backlog} waiting)`, attempts: 0, timeMs: now, durationMs: 0 }),
    );
  }

  private deliveryDeps(): DeliveryDeps {
    return { nowMs: this.options.nowMs, sleep: this.options.sleep, draining: this.draining.signal, closing: this.closing.signal };
  }

  private track(work: Promise<unknown>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  // Rate-limit keys idle past the limit are forgotten, at most once a minute.
  private pruneIfDue(now: number): void {
    if (now - this.lastPruneMs < 60_000) return;
    this.lastPruneMs = now;
    this.noise.prune(now);
  }

  private record(alert: Alert, results: DeliveryStatus[]): void {
    for (const status of results) if (status.status !== 'suppressed') this.lastByChannel.set(status.channel, status);
    // Statuses are kept only while the alert is in the recent history: a delivery that ends after
    // its alert left it (a storm of more than historySize) would otherwise be kept for ever.
    if (this.get(alert.id)) {
      const list = this.statuses.get(alert.id) ?? [];
      list.push(...results);
      this.statuses.set(alert.id, list);
    }
    for (const status of results) for (const listener of this.deliveryListeners) listener(alert, status);
  }

  // Once a minute at most: one summary of what the global cap held back.
  private sendSummaryIfDue(now: number): void {
    const held = this.noise.takeSuppressed(now);
    if (held === 0) return;
    const summary = this.create(
      { type: 'SUPPRESSED_SUMMARY', severity: 'warning', title: `${held} alerts suppressed`, message: `${held} alerts were held back by the limit of alerts per minute.`, context: { suppressed: held } },
      `SUPPRESSED_SUMMARY:${now}`,
      now,
    );
    this.firingByKey.delete(summary.dedupKey);
    this.fanOut(summary, 'fired');
  }
}

function suppressed(channel: string, alertId: string, timeMs: number, reason: string): DeliveryStatus {
  return { channel, alertId, event: 'fired', status: 'suppressed', reason, attempts: 0, timeMs, durationMs: 0 };
}
