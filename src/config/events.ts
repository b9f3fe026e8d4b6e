// [events] (host events: where the guard's events come from, how many are kept per minute) and
// [trace] (the daemon's eBPF tracer of process lifecycles, opens and I/O).
import { z } from 'zod';
import { durationSchema } from './duration.ts';

export const eventsSchema = z.strictObject({
  guard_file: z
    .string()
    .default('/run/hostguard/guard-events.jsonl')
    .describe('the file `hostguard guard --events-file` appends to: followed for kills, levels and throttling ("" to ignore the guard)'),
  max_per_minute: z.number().int().min(10).max(1_000_000).default(3000).describe('host events stored per minute at most; the rest are counted in one "events_dropped" event'),
});

export const traceSchema = z.strictObject({
  mode: z
    .enum(['auto', 'ebpf', 'proc', 'off'])
    .default('auto')
    .describe('auto: eBPF (bpftrace, as root) when it can run, else off with the reason logged; ebpf: fail to start without it; proc: sample /proc (short-lived processes are missed); off'),
  opens: z.boolean().default(true).describe('count opens per process and file in the kernel (eBPF only)'),
  io: z.boolean().default(true).describe('count bytes read and written per process'),
  io_files: z.boolean().default(false).describe('count bytes read and written per file as well (more kernel work per read/write)'),
  sample_interval: durationSchema('how often /proc is sampled in proc mode', 60_000).prefault('1s'),
  io_window: durationSchema('how far back /api/v1/io/top can look', 3_600_000).prefault('10m'),
});

export type EventsConfig = z.output<typeof eventsSchema>;
export type TraceConfig = z.output<typeof traceSchema>;
