// What the daemon reports about itself (sampler, store, clients): filled by the run loop, read by
// /api/v1/monitoring/status and the hostguard_* series of /metrics.
import type { LevelName } from '../collect/sampler.ts';
import type { Severity } from '../detect/rules.ts';
import { type GuardCounters, newGuardCounters } from '../events/guardCounters.ts';
import type { TraceStats } from '../trace/tracer.ts';

// A Prometheus-style histogram: counts per upper bound (cumulative when rendered), sum and count.
export class Histogram {
  readonly boundsSeconds: readonly number[];
  readonly counts: number[];
  sumSeconds = 0;
  count = 0;
  maxSeconds = 0;

  constructor(boundsSeconds: readonly number[]) {
    this.boundsSeconds = boundsSeconds;
    this.counts = boundsSeconds.map(() => 0);
  }

  observe(seconds: number): void {
    const index = this.boundsSeconds.findIndex((bound) => seconds <= bound);
    if (index >= 0) this.counts[index] = (this.counts[index] ?? 0) + 1;
    this.sumSeconds += seconds;
    this.count += 1;
    this.maxSeconds = Math.max(this.maxSeconds, seconds);
  }

  // Observations above a bound (which must be one of boundsSeconds).
  countAbove(boundSeconds: number): number {
    const index = this.boundsSeconds.indexOf(boundSeconds);
    return this.count - this.counts.slice(0, index + 1).reduce((a, b) => a + b, 0);
  }
}

export type DropReason = 'slow' | 'no_pong';

export interface DaemonStatus {
  version: string;
  startTimeMs: number;
  hostId: string;
  sampler: {
    level: LevelName;
    levelSinceMs: number;
    intervalMs: number;
    lastCollectionMs?: number;
    // how late each tick fired after it was due (timers, a busy event loop)
    tickLateness: Histogram;
    collectionDuration: Histogram;
    collectorErrorsTotal: Record<string, number>;
  };
  anomalies: {
    open: Record<Severity, number>;
    openedTotal: Record<Severity, number>;
  };
  store: {
    kind: 'sqlite' | 'postgres';
    healthy: boolean;
    sizeBytes?: number;
    writeErrorsTotal: number;
    writesPending: number;
    lastError?: string;
    retentionRunsTotal: number;
    retentionDeletedRowsTotal: number;
  };
  websocket: {
    clients: number;
    droppedTotal: Record<DropReason, number>;
  };
  // by "route status", e.g. "/api/v1/metrics/current 200"
  httpRequestsTotal: Map<string, number>;
  alerts: {
    firing: number;
    // by "type severity"
    raisedTotal: Map<string, number>;
    // by "channel status" (sent, failed, suppressed)
    deliveriesTotal: Map<string, number>;
  };
  events: {
    // host events received, by type
    receivedTotal: Map<string, number>;
    // events the per-minute cap kept out of the store, read at each scrape
    droppedTotal: () => number;
  };
  // read at each scrape; undefined while tracing is off
  traceStats: () => TraceStats | undefined;
  // from the guard's events file
  guard: GuardCounters;
}

export const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical'];

export function newDaemonStatus(init: { version: string; startTimeMs: number; hostId: string; level: LevelName; intervalMs: number; storeKind: 'sqlite' | 'postgres'; collectors: string[] }): DaemonStatus {
  const perSeverity = (): Record<Severity, number> => ({ info: 0, warning: 0, critical: 0 });
  return {
    version: init.version,
    startTimeMs: init.startTimeMs,
    hostId: init.hostId,
    sampler: {
      level: init.level,
      levelSinceMs: init.startTimeMs,
      intervalMs: init.intervalMs,
      tickLateness: new Histogram([0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]),
      collectionDuration: new Histogram([0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]),
      collectorErrorsTotal: Object.fromEntries(init.collectors.map((name) => [name, 0])),
    },
    anomalies: { open: perSeverity(), openedTotal: perSeverity() },
    store: { kind: init.storeKind, healthy: true, writeErrorsTotal: 0, writesPending: 0, retentionRunsTotal: 0, retentionDeletedRowsTotal: 0 },
    websocket: { clients: 0, droppedTotal: { slow: 0, no_pong: 0 } },
    httpRequestsTotal: new Map(),
    alerts: { firing: 0, raisedTotal: new Map(), deliveriesTotal: new Map() },
    events: { receivedTotal: new Map(), droppedTotal: () => 0 },
    traceStats: () => undefined,
    guard: newGuardCounters(),
  };
}
