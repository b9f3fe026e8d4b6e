// The live state the API serves from memory: the latest snapshot, serialized once per snapshot (REST
// body, WebSocket message, /metrics text), the open episodes, and the listeners of new events.
import type { MetricsSnapshot } from '../collect/types.ts';
import type { Episode } from '../detect/rules.ts';
import type { Registry } from 'prom-client';
import { renderFamilies } from './exposition.ts';
import { SNAPSHOT_METRICS, type SnapshotSource } from './metricTable.ts';
import { daemonRegistry } from './promDaemon.ts';
import type { DaemonStatus } from './status.ts';

export type Topic = 'snapshot' | 'anomaly';
export const TOPICS: readonly Topic[] = ['snapshot', 'anomaly'];

export type AnomalyEvent = 'open' | 'close';
export type HubListener = (topic: Topic, message: Buffer) => void;

export class LiveHub {
  readonly status: DaemonStatus;
  // the daemon's own series (prom-client)
  readonly registry: Registry;
  private source: SnapshotSource | undefined;
  private body: Buffer | undefined;
  private message: Buffer | undefined;
  // the snapshot part of /metrics, rendered at the first scrape after each snapshot
  private exposition: { for: SnapshotSource; body: Buffer } | undefined;
  private readonly open = new Map<string, Episode>();
  private readonly listeners = new Set<HubListener>();

  // defaultCollectors: prom-client's process_* and nodejs_* series (off in tests that make many hubs)
  constructor(status: DaemonStatus, options: { defaultCollectors?: boolean } = {}) {
    this.status = status;
    this.registry = daemonRegistry(status, options);
  }

  get latest(): MetricsSnapshot | undefined {
    return this.source?.snapshot;
  }

  // The latest snapshot as a JSON body, and as the WebSocket message {type:"snapshot",data}.
  get currentBody(): Buffer | undefined {
    return this.body;
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
    this.message = Buffer.from(`{"type":"snapshot","data":${json}}`);
    this.emit('snapshot', this.message);
  }

  publishAnomaly(event: AnomalyEvent, episode: Episode): void {
    if (event === 'open') this.open.set(episode.id, episode);
    else this.open.delete(episode.id);
    this.emit('anomaly', Buffer.from(JSON.stringify({ type: 'anomaly', event, data: episode })));
  }

  // The /metrics body in two pieces: the snapshot series (rendered by the table at the first scrape
  // after each snapshot, then reused: prom-client would build them again at every scrape, at 7 times
  // the time and 9 times the garbage, see docs/API.md) and the daemon's own (prom-client, fresh).
  async metricsBody(): Promise<Buffer[]> {
    const daemonPart = Buffer.from(await this.registry.metrics());
    if (!this.source) return [daemonPart];
    if (this.exposition?.for !== this.source) this.exposition = { for: this.source, body: Buffer.from(renderFamilies(SNAPSHOT_METRICS, this.source)) };
    return [this.exposition.body, daemonPart];
  }

  private emit(topic: Topic, message: Buffer): void {
    for (const listener of this.listeners) listener(topic, message);
  }
}
