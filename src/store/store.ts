// The one Store interface the daemon writes history to and serves it from; sqlite/ (embedded,
// the default) and postgres/ (fleets: every row carries its host id) implement it.
import type { MetricsSnapshot } from '../collect/types.ts';
import type { Episode } from '../detect/rules.ts';

export type Tier = 'raw' | 'minute' | 'hour';

export interface RetentionSettings {
  // How long each tier is kept, in seconds (defaults: raw 7 days, minute 30 days, hour 365 days).
  rawSeconds: number;
  minuteSeconds: number;
  hourSeconds: number;
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
  hosts(): Promise<HostInfo[]>;
  // Deletes expired rows and builds due rollups, stopping after budgetMs so sampling never stalls.
  runRetention(settings: RetentionSettings, budgetMs: number): Promise<RetentionReport>;
  sizeBytes(): Promise<number>;
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}
