// Host events and alerts for the store tests and the store benchmark: deterministic, shaped like
// what the tracer and the guard report (exec and exit pairs, now and then a guard action, an OOM
// victim, a trace loss) and like the alert system's alerts and delivery outcomes.
import type { DeliveryStatus } from '../../src/alert/channel.ts';
import type { Alert } from '../../src/alert/model.ts';
import type { HostEvent } from '../../src/events/model.ts';

const COMMANDS = ['make', 'cc1', 'as', 'ld', 'node', 'git', 'sh', 'python3', 'grep', 'sed'];

export interface EventStream {
  startMs: number;
  host: string;
  // time between consecutive events (default 100 ms)
  spacingMs?: number;
  // an id prefix, so two streams on one host do not collide
  prefix?: string;
}

// Event `index` of a stream: pairs of exec and exit of one pid, with the rarer kinds in between.
export function simulatedEvent(index: number, stream: EventStream): HostEvent {
  const timeMs = stream.startMs + index * (stream.spacingMs ?? 100);
  const id = `${stream.prefix ?? 'ev'}-${index}`;
  const pid = 10_000 + Math.floor(index / 2);
  const comm = COMMANDS[pid % COMMANDS.length] ?? 'sh';
  const base = { id, timeMs, host: stream.host, source: 'trace' as const };
  if (index % 1000 === 999) return { ...base, type: 'trace_loss', message: 'the tracer lost 12 exec records', data: { lost: 12, record: 'exec' } };
  if (index % 997 === 500) {
    return { ...base, type: 'oom_victim', pid, comm, message: `${comm} (pid ${pid}) killed by the kernel OOM killer`, data: { uid: 1000, oomScoreAdj: 0, totalVmBytes: 2_147_483_648, anonRssBytes: 1_073_741_824 } };
  }
  if (index % 50 === 25) {
    return { ...base, source: 'guard', type: 'guard_signal', pid, comm, message: `sent SIGTERM to ${comm} (pid ${pid}): memory available 4.1 %`, data: { signal: 'SIGTERM', availablePercent: 4.1, rssBytes: 812_000_000 } };
  }
  if (index % 2 === 0) {
    return { ...base, type: 'exec', pid, comm, message: `${comm} (pid ${pid}) started`, data: { ppid: pid - 7, uid: 1000, filename: `/usr/bin/${comm}`, argv: [comm, '-O2', `src/file${pid % 97}.c`] } };
  }
  return { ...base, type: 'exit', pid, comm, message: `${comm} (pid ${pid}) exited with code 0 after 0.3 s`, data: { ppid: pid - 7, exitCode: 0, lifetimeSeconds: 0.3 } };
}

export function simulatedEvents(from: number, to: number, stream: EventStream): HostEvent[] {
  const events: HostEvent[] = [];
  for (let index = from; index < to; index++) events.push(simulatedEvent(index, stream));
  return events;
}

export function simulatedAlert(id: string, timeMs: number, overrides: Partial<Alert> = {}): Alert {
  return {
    id, type: 'RESOURCE_CRITICAL', severity: 'critical', title: 'memory low', message: 'memory available 3.2 % (threshold 5 %)', host: 'host-a',
    timeMs, context: { metric: 'memory_available_percent', value: 3.2 }, dedupKey: 'RESOURCE_CRITICAL:memory low', state: 'firing', repeatCount: 0, ...overrides,
  };
}

export function delivery(alertId: string, channel: string, timeMs: number, status: DeliveryStatus['status'] = 'sent', event: DeliveryStatus['event'] = 'fired'): DeliveryStatus {
  return { channel, alertId, event, status, attempts: status === 'sent' ? 1 : 3, timeMs, durationMs: 42, ...(status === 'failed' ? { reason: 'HTTP 503' } : {}) };
}

// What a store must answer for an event query: newest first, the later stored first within a millisecond.
export function expectedEvents(stored: readonly HostEvent[], filter: { types?: string[]; pid?: number; comm?: string; startMs?: number; endMs?: number; limit: number }): HostEvent[] {
  return stored
    .map((event, order) => ({ event, order }))
    .filter(({ event }) => (filter.types === undefined || filter.types.length === 0 || filter.types.includes(event.type)) && (filter.pid === undefined || event.pid === filter.pid))
    .filter(({ event }) => (filter.comm === undefined || event.comm === filter.comm) && (filter.startMs === undefined || event.timeMs >= filter.startMs) && (filter.endMs === undefined || event.timeMs <= filter.endMs))
    .sort((a, b) => b.event.timeMs - a.event.timeMs || b.order - a.order)
    .slice(0, filter.limit)
    .map(({ event }) => event);
}
