import { describe, expect, it } from 'vitest';
import { TRACE_METRICS } from './metrics.ts';
import type { TraceStats } from './tracer.ts';

const zero = { exec: 0, argv: 0, exit: 0, oom: 0, tick: 0, hb: 0 };
const stats: TraceStats = {
  mode: 'ebpf',
  state: 'live',
  restarts: 1,
  gaps: 1,
  records: { sent: { ...zero, exec: 3000 }, received: { ...zero, exec: 1989 }, lost: { ...zero, exec: 1011 }, repeated: 0, cpusWithoutHeartbeat: [] },
  perfRecordsLost: 1020,
  incompleteIntervals: 2,
  parseErrors: 0,
  events: { exec: 1989 },
  oomKills: 1,
  processes: 140,
};

describe('TRACE_METRICS', () => {
  it('names each metric hostguard_trace_<name>[_<unit>], once', () => {
    const names = TRACE_METRICS.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    for (const metric of TRACE_METRICS) {
      expect(metric.name).toMatch(/^hostguard_trace_[a-z_]+$/);
      if (metric.type === 'counter') expect(metric.name).toMatch(/_total$/);
    }
  });

  it('exposes loss by record type beside what was sent and received', () => {
    const lost = TRACE_METRICS.find((m) => m.name === 'hostguard_trace_records_lost_total')?.samples(stats);
    expect(lost).toContainEqual({ labels: { record: 'exec' }, value: 1011 });
    expect(lost).toHaveLength(6);
    expect(TRACE_METRICS.find((m) => m.name === 'hostguard_trace_sampled')?.samples({ ...stats, mode: 'sampled' })).toEqual([{ value: 1 }]);
    // the fallback has no record counts: no samples rather than zeros that would claim no loss
    expect(TRACE_METRICS.find((m) => m.name === 'hostguard_trace_records_lost_total')?.samples({ ...stats, mode: 'sampled', records: undefined } as TraceStats)).toEqual([]);
  });
});
