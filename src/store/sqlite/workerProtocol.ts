// Messages between the SQLite store and its query worker.
import type { AlertQuery, AnomalyQuery, EventQuery, HistoryQuery } from '../store.ts';

export interface WorkerSettings {
  path: string;
  checkpointEveryMs: number;
}

export type WorkerRequest =
  | { method: 'history'; query: HistoryQuery }
  | { method: 'snapshotsSince'; sinceMs: number }
  | { method: 'latestSnapshot' }
  | { method: 'anomalies'; query: AnomalyQuery; hostId: string }
  | { method: 'anomaly'; id: string }
  | { method: 'alerts'; query: AlertQuery; hostId: string }
  | { method: 'alert'; id: string; hostId: string }
  | { method: 'events'; query: EventQuery; hostId: string }
  | { method: 'hosts' }
  | { method: 'checkpoint' }
  | { method: 'close' };

export type WorkerResponse = { id: number; ok: true; value: unknown } | { id: number; ok: false; name: string; message: string };
