// The events a trace source delivers, the same whether eBPF or /proc sampling produced them.
// Times are epoch milliseconds, sizes bytes, durations seconds. Events from the /proc fallback
// carry `sampled: true`: they are what a poll saw, not every event that happened.

export type TraceMode = 'ebpf' | 'sampled';

// The record types whose loss is counted (bpftrace record types, see programs/base.bt).
export const RECORD_TYPES = ['exec', 'argv', 'exit', 'oom', 'tick', 'hb'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

export interface ExecEvent {
  type: 'exec';
  timeMs: number;
  pid: number;
  // the parent at fork; undefined when the process was forked before tracing began and /proc no
  // longer knew it
  ppid?: number;
  uid?: number;
  comm: string;
  filename?: string;
  // the first four arguments, each cut at 63 bytes; argvTruncated when there were more
  argv?: string[];
  argvTruncated?: boolean;
  // fork time; undefined when the process was forked before tracing began
  startTimeMs?: number;
  sampled?: true;
}

export interface ExitEvent {
  type: 'exit';
  timeMs: number;
  pid: number;
  ppid?: number;
  comm: string;
  // one of the two when known: exit_group's code, or the fatal signal's name ("SIGKILL")
  exitCode?: number;
  signal?: string;
  startTimeMs?: number;
  lifetimeSeconds?: number;
  sampled?: true;
}

// A victim of the kernel's OOM killer (oom:mark_victim), global or in a memory cgroup.
export interface OomVictimEvent {
  type: 'oom';
  timeMs: number;
  pid: number;
  comm: string;
  uid: number;
  oomScoreAdj: number;
  totalVmBytes: number;
  anonRssBytes: number;
  fileRssBytes: number;
  shmemRssBytes: number;
}

// The /proc fallback sees OOM kills only as counters: how many, and in which cgroup when known.
export interface OomCountEvent {
  type: 'oom-count';
  timeMs: number;
  kills: number;
  // a memory cgroup's path in its hierarchy ("/mygroup"); undefined: the host counter (/proc/vmstat)
  cgroup?: string;
  sampled: true;
}

export interface OpenRow {
  pid: number;
  comm?: string;
  // as the process passed it: relative paths are relative to its working directory
  path: string;
  count: number;
  errors: number;
  // error counts by errno name ("ENOENT")
  errnos?: Record<string, number>;
}

export interface IoProcessRow {
  pid: number;
  comm?: string;
  readBytes: number;
  writtenBytes: number;
}

export interface IoFileRow {
  pid: number;
  comm?: string;
  fd: number;
  // undefined when the name could not be learnt (see docs/trace.md)
  path?: string;
  readBytes: number;
  writtenBytes: number;
}

// One interval of in-kernel aggregation, [startMs, timeMs]. `incomplete` says why the figures may
// be short (a map hit its key limit, or bpftrace dropped records meanwhile).
export interface OpensEvent {
  type: 'opens';
  timeMs: number;
  startMs: number;
  rows: OpenRow[];
  incomplete?: string;
}

export interface IoEvent {
  type: 'io';
  timeMs: number;
  startMs: number;
  processes: IoProcessRow[];
  // per open file, when the source traces files (ioFiles)
  files?: IoFileRow[];
  incomplete?: string;
  sampled?: true;
}

// Records known to be lost: `record` names the type ('perf' for bpftrace's own count of records
// its perf buffers dropped, which includes map prints); between fromMs and timeMs.
export interface LossEvent {
  type: 'loss';
  timeMs: number;
  fromMs: number;
  record: RecordType | 'perf';
  count: number;
  cpu?: number;
}

// A time without tracing (bpftrace down between a crash and its restart).
export interface GapEvent {
  type: 'gap';
  timeMs: number;
  fromMs: number;
  reason: string;
}

export type TraceState = 'starting' | 'live' | 'restarting' | 'stopped';

// Where the data comes from and why; sent to each subscriber first and whenever it changes.
export interface StatusEvent {
  type: 'status';
  timeMs: number;
  mode: TraceMode;
  state: TraceState;
  message: string;
}

export type TraceEvent =
  | ExecEvent
  | ExitEvent
  | OomVictimEvent
  | OomCountEvent
  | OpensEvent
  | IoEvent
  | LossEvent
  | GapEvent
  | StatusEvent;

export type TraceEventType = TraceEvent['type'];

export function describeLoss(event: LossEvent): string {
  const what = event.record === 'perf' ? 'records dropped by bpftrace perf buffers' : `${event.record} records lost`;
  return `${event.count} ${what} between ${new Date(event.fromMs).toISOString()} and ${new Date(event.timeMs).toISOString()}`;
}
