// The tracer's metrics, one table: names follow hostguard_trace_<name>_<unit>, each read from
// TraceStats. The daemon's /metrics iterates over it; loss shows here as well as in the events.
import { RECORD_TYPES } from './events.ts';
import type { TraceStats } from './tracer.ts';

export interface MetricSample {
  labels?: Record<string, string>;
  value: number;
}

export interface TraceMetric {
  name: string;
  type: 'counter' | 'gauge';
  help: string;
  samples(stats: TraceStats): MetricSample[];
}

const perRecord = (pick: (stats: TraceStats) => Record<string, number> | undefined) => (stats: TraceStats): MetricSample[] => {
  const table = pick(stats);
  return table ? RECORD_TYPES.map((record) => ({ labels: { record }, value: table[record] ?? 0 })) : [];
};

export const TRACE_METRICS: TraceMetric[] = [
  { name: 'hostguard_trace_sampled', type: 'gauge', help: '1 when events come from /proc sampling (eBPF unavailable), 0 with eBPF', samples: (s) => [{ value: s.mode === 'sampled' ? 1 : 0 }] },
  { name: 'hostguard_trace_records_sent_total', type: 'counter', help: 'bpftrace records sent, by type, as of each CPU heartbeat', samples: perRecord((s) => s.records?.sent) },
  { name: 'hostguard_trace_records_received_total', type: 'counter', help: 'bpftrace records received, by type', samples: perRecord((s) => s.records?.received) },
  { name: 'hostguard_trace_records_lost_total', type: 'counter', help: 'bpftrace records lost (sequence gaps and heartbeat counters), by type', samples: perRecord((s) => s.records?.lost) },
  { name: 'hostguard_trace_perf_records_lost_total', type: 'counter', help: "records bpftrace's perf buffers dropped, map prints included", samples: (s) => [{ value: s.perfRecordsLost }] },
  { name: 'hostguard_trace_incomplete_intervals_total', type: 'counter', help: 'open and io intervals whose figures may be short (key limit, dropped prints)', samples: (s) => [{ value: s.incompleteIntervals }] },
  { name: 'hostguard_trace_restarts_total', type: 'counter', help: 'bpftrace restarts after it died', samples: (s) => [{ value: s.restarts }] },
  { name: 'hostguard_trace_gaps_total', type: 'counter', help: 'times without tracing (bpftrace down)', samples: (s) => [{ value: s.gaps }] },
  { name: 'hostguard_trace_parse_errors_total', type: 'counter', help: 'bpftrace output lines that could not be parsed', samples: (s) => [{ value: s.parseErrors }] },
  { name: 'hostguard_trace_oom_kills_total', type: 'counter', help: "processes killed by the kernel's OOM killer", samples: (s) => [{ value: s.oomKills }] },
  { name: 'hostguard_trace_processes', type: 'gauge', help: 'live processes in the process tree', samples: (s) => [{ value: s.processes }] },
];
