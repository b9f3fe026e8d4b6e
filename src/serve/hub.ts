// The live state the API serves from memory: the latest snapshot, serialized once per snapshot (REST
// body, WebSocket message, /metrics text), the open episodes, and the listeners of new events.
import type { MetricsSnapshot } from '../collect/types.ts';
import type { Alert } from '../alert/model.ts';
import type { Episode } from '../detect/rules.ts';
import type { HostEvent } from '../events/model.ts';
import type { Registry } from 'prom-client';
import { type CurrentAnswer, currentAnswer } from './currentAnswer.ts';
import { renderFamilies } from './exposition.ts';
import { SNAPSHOT_METRICS, type SnapshotSource } from './metricTable.ts';
import { CachedExposition, daemonRegistry, runtimeRegistry } from './promDaemon.ts';
import type { DaemonStatus } from './status.ts';

export type Topic = 'snapshot' | 'anomaly' | 'alerts' | 'events';
export const TOPICS: readonly Topic[] = ['snapshot', 'anomaly', 'alerts', 'events'];

export type AnomalyEvent = 'open' | 'close';
export type HubListener = (topic: Topic, message: Buffer) => void;

export class LiveHub {
  readonly status: DaemonStatus;
  // the daemon's own series (prom-client), fresh at each scrape
  readonly registry: Registry;
  // process_* and nodejs_* (prom-client's default collectors), rendered at most once a second
  private readonly runtime: CachedExposition | undefined;
  private source: SnapshotSource | undefined;
  private body: Buffer | undefined;
  // the REST answer of the latest snapshot, made at the first request after it (digest, headers)
  private answer: CurrentAnswer | undefined;
  private message: Buffer | undefined;
  // the snapshot part of /metrics, rendered at the first scrape after each snapshot
  private exposition: { for: SnapshotSource; body: Buffer } | undefined;
  private readonly open = new Map<string, Episode>();
  private readonly listeners = new Set<HubListener>();

  // runtimeSeries: prom-client's process_* and nodejs_* series (default on)
  constructor(status: DaemonStatus, options: { runtimeSeries?: boolean } = {}) {
    this.status = status;
    this.registry = daemonRegistry(status);
    if (options.runtimeSeries ?? true) this.runtime = new CachedExposition(runtimeRegistry(), 1000);
  }

  get latest(): MetricsSnapshot | undefined {
    return this.source?.snapshot;
  }

  // The latest snapshot as the REST answer (JSON body, ETag, headers), and as the WebSocket message {type:"snapshot",data}.
  get currentAnswer(): CurrentAnswer | undefined {
    if (this.answer === undefined && this.body !== undefined && this.source !== undefined) this.answer = currentAnswer(this.body, this.source.snapshot.timestampMs);
    return this.answer;
  }

  get snapshotMessage(): Buffer | undefined {
    return this.message;
  }

  get openEpisodes(): Episode[] {
    return [...this.open.values()];
  }

  subscribe(listener: HubListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // json: the snapshot already serialized (the sampling thread does it), else serialized here.
  publishSnapshot(source: SnapshotSource, json = JSON.stringify(source.snapshot)): void {
    this.source = source;
    this.body = Buffer.from(json);
    this.answer = undefined;
    this.message = Buffer.from(`{"type":"snapshot","data":${json}}`);
    this.emit('snapshot', this.message);
  }

  publishAnomaly(event: AnomalyEvent, episode: Episode): void {
    if (event === 'open') this.open.set(episode.id, episode);
    else this.open.delete(episode.id);
    this.emit('anomaly', Buffer.from(JSON.stringify({ type: 'anomaly', event, data: episode })));
  }

  publishAlert(event: 'fired' | 'resolved' | 'acknowledged', alert: Alert): void {
    this.emit('alerts', Buffer.from(JSON.stringify({ type: 'alert', event, data: alert })));
  }

  publishEvent(event: HostEvent): void {
    // serialized only when someone listens: a fork storm costs nothing without clients
    if (this.listeners.size > 0) this.emit('events', Buffer.from(JSON.stringify({ type: 'event', data: event })));
  }

  // The /metrics body in pieces: the snapshot series (rendered by the table at the first scrape after
  // each snapshot, then reused: prom-client would build them again at every scrape, at several times
  // the time and garbage, see docs/API.md), the daemon's own (prom-client, fresh at every scrape) and
  // the process_* and nodejs_* series (prom-client, at most a second old).
  async metricsBody(): Promise<Buffer[]> {
    const [daemonText, runtimePart] = await Promise.all([this.registry.metrics(), this.runtime?.body()]);
    const pieces = [Buffer.from(daemonText), ...(runtimePart ? [runtimePart] : [])];
    if (!this.source) return pieces;
    if (this.exposition?.for !== this.source) this.exposition = { for: this.source, body: Buffer.from(renderFamilies(SNAPSHOT_METRICS, this.source)) };
    return [this.exposition.body, ...pieces];
  }

  private emit(topic: Topic, message: Buffer): void {
    for (const listener of this.listeners) listener(topic, message);
  }
}
