// Host events: what happened to processes on this host, from the tracer (exec, exit, kernel OOM
// victims, loss) and from the guard (signals, graduated levels and actions), in one shape that the
// store keeps, the API serves and the UIs show.

export const HOST_EVENT_TYPES = [
  'exec',
  'exit',
  'oom_victim',
  'guard_signal',
  'guard_level',
  'guard_throttle',
  'guard_pause',
  'guard_restore',
  'guard_action',
  'trace_loss',
  'trace_gap',
  'events_dropped',
] as const;
export type HostEventType = (typeof HOST_EVENT_TYPES)[number];

export type HostEventSource = 'guard' | 'trace' | 'daemon';

export interface HostEvent {
  // unique per host: the source's own id where it has one, else a generated one
  id: string;
  // milliseconds since the Unix epoch
  timeMs: number;
  host: string;
  type: HostEventType;
  source: HostEventSource;
  pid?: number;
  comm?: string;
  // one line a person reads: "make (pid 4242) exited with code 2 after 0.3 s"
  message: string;
  // the source's fields (exit code, signal, lifetime, level, target, lost count, ...)
  data: Record<string, unknown>;
}
