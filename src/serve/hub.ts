// The live state the API serves from memory: the latest snapshot, serialized once per snapshot (REST
// body, WebSocket message, /metrics text), the open episodes, and the listeners of new events.
import type { MetricsSnapshot } from '../collect/types.ts';
import type { Episode } from '../detect/rules.ts';
import { renderFamilies } from './exposition.ts';
import { DAEMON_METRICS, SNAPSHOT_METRICS, type SnapshotSource } from './metricTable.ts';
import type { DaemonStatus } from './status.ts';

export type Topic = 'snapshot' | 'anomaly';
export const TOPICS: readonly Topic[] = ['snapshot', 'anomaly'];

export type AnomalyEvent = 'open' | 'close';
export type HubListener = (topic: Topic, message: Buffer) => void;

export class LiveHub {
  readonly status: DaemonStatus;
  private source: SnapshotSource | undefined;
  private body: Buffer | undefined;
  private message: Buffer | undefined;
  // the snapshot part of /metrics, rendered at the first scrape after each snapshot
  private exposition: { for: SnapshotSource; text: string } | undefined;
  private readonly open = new Map<string, Episode>();
  private readonly listeners = new Set<HubListener>();

  constructor(status: DaemonStatus) {
    this.status = status;
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

  publishSnapshot(source: SnapshotSource): void {
    const json = JSON.stringify(source.snapshot);
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

  // The whole /metrics text: snapshot series (cached per snapshot) and the daemon's own (fresh).
  metricsText(): string {
    let snapshotPart = '';
    if (this.source) {
      if (this.exposition?.for !== this.source) this.exposition = { for: this.source, text: renderFamilies(SNAPSHOT_METRICS, this.source) };
      snapshotPart = this.exposition.text;
    }
    return snapshotPart + renderFamilies(DAEMON_METRICS, this.status);
  }

  private emit(topic: Topic, message: Buffer): void {
    for (const listener of this.listeners) listener(topic, message);
  }
}
