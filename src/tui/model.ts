// What the terminal UI shows, whichever source fills it: the latest snapshot, the CPU history,
// anomaly episodes, alerts, guard and trace events, and the state of the connection.
import type { Alert } from '../alert/model.ts';
import type { MetricsSnapshot } from '../collect/types.ts';
import type { Episode } from '../detect/rules.ts';
import type { HostEvent } from '../events/model.ts';
import { appendHistory, type CpuHistory, emptyHistory } from './history.ts';

export type Connection =
  | { state: 'connecting'; sinceMs: number }
  | { state: 'live' }
  | { state: 'disconnected'; sinceMs: number; error: string };

export interface ViewData {
  // where the data comes from, as the header shows it: the daemon's URL, or "local"
  sourceLabel: string;
  snapshot?: MetricsSnapshot;
  // local clock time the latest snapshot arrived
  receivedMs?: number;
  history: CpuHistory;
  // open episodes and recently closed ones, newest first
  anomalies: Episode[];
  // undefined: this source has none (local mode); [] : none yet (also a daemon without the API)
  alerts?: Alert[];
  events?: HostEvent[];
  connection: Connection;
  // a problem with part of the data that is not a lost connection (a REST call that failed)
  notice?: string;
}

const MAX_ANOMALIES = 50;
const MAX_ALERTS = 50;
const MAX_EVENTS = 100;

export function initialData(sourceLabel: string, nowMs: number, lists: { alerts: boolean; events: boolean }): ViewData {
  return {
    sourceLabel,
    history: emptyHistory(),
    anomalies: [],
    ...(lists.alerts ? { alerts: [] } : {}),
    ...(lists.events ? { events: [] } : {}),
    connection: { state: 'connecting', sinceMs: nowMs },
  };
}

export function withSnapshot(data: ViewData, snapshot: MetricsSnapshot, nowMs: number): ViewData {
  // A snapshot seen again (the one a reconnect starts with) adds no point to the sparklines.
  const isNew = data.snapshot?.timestampMs !== snapshot.timestampMs;
  return { ...data, snapshot, receivedMs: nowMs, history: isNew ? appendHistory(data.history, snapshot) : data.history };
}

// Replaces the item with the same id or adds it; newest first by timeMs, at most max.
function upsert<T extends { id: string }>(list: readonly T[], item: T, timeMs: (item: T) => number, max: number): T[] {
  return [item, ...list.filter((existing) => existing.id !== item.id)].sort((a, b) => timeMs(b) - timeMs(a)).slice(0, max);
}

export function withEpisode(data: ViewData, episode: Episode): ViewData {
  return { ...data, anomalies: upsert(data.anomalies, episode, (e) => e.startMs, MAX_ANOMALIES) };
}

export function withAlert(data: ViewData, alert: Alert): ViewData {
  return { ...data, alerts: upsert(data.alerts ?? [], alert, (a) => a.timeMs, MAX_ALERTS) };
}

export function withEvent(data: ViewData, event: HostEvent): ViewData {
  return { ...data, events: upsert(data.events ?? [], event, (e) => e.timeMs, MAX_EVENTS) };
}

export function openEpisodes(data: ViewData): Episode[] {
  return data.anomalies.filter((episode) => episode.endMs === null);
}

// Alerts that still want attention (firing, not acknowledged or resolved).
export function firingAlerts(data: ViewData): Alert[] {
  return (data.alerts ?? []).filter((alert) => alert.state === 'firing');
}

// Holds the data and tells subscribers when it changes (React reads it with useSyncExternalStore).
export class DataStore {
  private current: ViewData;
  private readonly listeners = new Set<() => void>();

  constructor(initial: ViewData) {
    this.current = initial;
  }

  get data(): ViewData {
    return this.current;
  }

  update(change: (data: ViewData) => ViewData): void {
    const next = change(this.current);
    if (next === this.current) return;
    this.current = next;
    for (const listener of this.listeners) listener();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): ViewData => this.current;
}
