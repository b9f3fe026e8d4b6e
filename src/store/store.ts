// The one Store interface the daemon writes history to and serves it from; sqlite/ (embedded,
// the default) and postgres/ (fleets: every row carries its host id) implement it.
import type { MetricsSnapshot } from '../collect/types.ts';
import type { Alert } from '../alert/model.ts';
import type { DeliveryStatus } from '../alert/channel.ts';
import type { Episode } from '../detect/rules.ts';
import type { HostEvent, HostEventType } from '../events/model.ts';

export type Tier = 'raw' | 'minute' | 'hour';

export interface RetentionSettings {
  // How long each tier is kept, in seconds (defaults: raw 7 days, minute 30 days, hour 365 days).
  rawSeconds: number;
  minuteSeconds: number;
  hourSeconds: number;
  // host events (exec, exit, guard actions, ...): kept this long (default 30 days)
  eventSeconds: number;
  // alerts: kept this long (default 365 days)
  alertSeconds: number;
}

export interface HistoryQuery {
  startMs: number;
  endMs: number;
  // Series names from the metric table (src/detect/metrics.ts), optionally "name:entity"
  // (for example "disk_used_percent:/"); empty means the default overview set.
  fields: string[];
  // At most this many points per series (default 1,000): picks raw or a rollup tier.
  maxPoints: number;
  // A requested step; the store may use a coarser one to honour maxPoints.
  stepMs?: number;
  // Fleet mode: the host to read; defaults to the store's own host.
  hostId?: string;
}

export interface SeriesPoint {
  timeMs: number;
  avg: number;
  min: number;
  max: number;
}

export interface HistoryResult {
  tier: Tier;
  stepMs: number;
  series: Record<string, SeriesPoint[]>;
}

export interface AnomalyQuery {
  startMs?: number;
  endMs?: number;
  severity?: Episode['severity'];
  category?: Episode['category'];
  limit: number;
  hostId?: string;
}

export interface StoredEpisode extends Episode {
  hostId: string;
}

export interface AlertQuery {
  startMs?: number;
  endMs?: number;
  severity?: Alert['severity'];
  type?: Alert['type'];
  state?: Alert['state'];
  limit: number;
  hostId?: string;
}

// An alert as stored: its last state, and every delivery attempt's outcome per channel.
export interface StoredAlert extends Alert {
  hostId: string;
  deliveries: DeliveryStatus[];
}

export interface EventQuery {
  startMs?: number;
  endMs?: number;
  // any of these types; empty or undefined: all
  types?: HostEventType[];
  pid?: number;
  // exact command name
  comm?: string;
  limit: number;
  hostId?: string;
}

export interface HostInfo {
  hostId: string;
  hostname: string;
  firstSeenMs: number;
  lastSeenMs: number;
}

export interface RetentionReport {
  deletedRows: number;
  // false when the time budget ran out first: the next run continues.
  complete: boolean;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  readonly hostId: string;
  insertSnapshot(snapshot: MetricsSnapshot): Promise<void>;
  // Insert or update an episode by id (it opens, then later closes).
  saveEpisode(episode: Episode): Promise<void>;
  latestSnapshot(hostId?: string): Promise<MetricsSnapshot | undefined>;
  snapshotsSince(sinceMs: number, hostId?: string): Promise<MetricsSnapshot[]>;
  history(query: HistoryQuery): Promise<HistoryResult>;
  anomalies(query: AnomalyQuery): Promise<StoredEpisode[]>;
  anomaly(id: string): Promise<StoredEpisode | undefined>;
  // Insert or update an alert by id (it fires, repeats, is acknowledged, resolves), with its deliveries so far.
  saveAlert(alert: Alert, deliveries: readonly DeliveryStatus[]): Promise<void>;
  // Newest first.
  alerts(query: AlertQuery): Promise<StoredAlert[]>;
  alert(id: string, hostId?: string): Promise<StoredAlert | undefined>;
  // Appends events (ids are unique per host; a repeated id is ignored, so a replayed batch is harmless).
  saveEvents(events: readonly HostEvent[]): Promise<void>;
  // Newest first.
  events(query: EventQuery): Promise<HostEvent[]>;
  hosts(): Promise<HostInfo[]>;
  // Deletes expired rows and builds due rollups, stopping after budgetMs so sampling never stalls.
  runRetention(settings: RetentionSettings, budgetMs: number): Promise<RetentionReport>;
  sizeBytes(): Promise<number>;
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}
