// The daemon's JSON, typed from the daemon's own definitions (type-only imports, erased by the
// build), and the host events' type list (a value import: it is a plain array).
export type { MetricsSnapshot, ProcessInfo, SystemInfo, TemperatureReading, FilesystemUsage } from '../../../src/collect/types.ts';
export type { Episode, Severity } from '../../../src/detect/rules.ts';
export type { Category } from '../../../src/detect/metrics.ts';
export type { HostInfo, SeriesPoint, StoredEpisode, Tier } from '../../../src/store/store.ts';
export type { Alert, AlertSeverity, AlertState, AlertType } from '../../../src/alert/model.ts';
import type { MetricsSnapshot } from '../../../src/collect/types.ts';
import type { Episode } from '../../../src/detect/rules.ts';
import type { Alert } from '../../../src/alert/model.ts';
import type { SeriesPoint, StoredEpisode, Tier } from '../../../src/store/store.ts';

export { HOST_EVENT_TYPES as EVENT_TYPES } from '../../../src/events/model.ts';
export type { HostEvent, HostEventType } from '../../../src/events/model.ts';
import type { HostEvent } from '../../../src/events/model.ts';

export interface HistoryAnswer {
  start: string;
  end: string;
  tier: Tier;
  stepMs: number;
  series: Record<string, SeriesPoint[]>;
}

export interface SystemInfoAnswer {
  hostId: string;
  version: string;
  collectors: string[];
  system: MetricsSnapshot['system'] | null;
}

export interface AnomaliesAnswer {
  count: number;
  anomalies: StoredEpisode[];
}

// What /ws sends: a snapshot per sample, anomaly open/close, and (with the contract) alerts and events.
export type LiveMessage =
  | { type: 'snapshot'; data: MetricsSnapshot }
  | { type: 'anomaly'; event: 'open' | 'close'; data: Episode }
  | { type: 'alert'; event: 'fired' | 'resolved' | 'acknowledged'; data: Alert }
  | { type: 'event'; data: HostEvent }
  | { type: 'subscribed'; topics: string[] }
  | { type: 'error'; message: string };
