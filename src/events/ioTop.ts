// The I/O tops: the tracer's per-interval tables (bytes read and written per process and per file,
// opens per process and file) kept for a bounded window and summed on request, so "who is using
// the disk right now, and which file" is one query. Memory is bounded by the window and a row cap.
import type { IoEvent, OpensEvent } from '../trace/events.ts';

export interface IoTopRow {
  pid: number;
  comm?: string;
  // by=file only
  file?: string;
  readBytes: number;
  writtenBytes: number;
  opens: number;
  openErrors: number;
}

export interface IoTopResult {
  by: 'process' | 'file';
  fromMs: number;
  toMs: number;
  rows: IoTopRow[];
  // some interval in the window was short (a map hit its key limit, records were lost)
  incomplete: string[];
  sampled: boolean;
}

interface Interval {
  timeMs: number;
  processes: Map<string, IoTopRow>;
  files: Map<string, IoTopRow>;
  incomplete?: string;
  sampled: boolean;
}

export interface IoTopOptions {
  windowMs: number;
  // per interval and kind, the rows kept (largest first); the rest are summed into one "other" row
  maxRowsPerInterval: number;
}

const empty = (pid: number, comm: string | undefined, file?: string): IoTopRow => ({ pid, ...(comm === undefined ? {} : { comm }), ...(file === undefined ? {} : { file }), readBytes: 0, writtenBytes: 0, opens: 0, openErrors: 0 });
const weight = (row: IoTopRow): number => row.readBytes + row.writtenBytes + row.opens;

function cap(rows: Map<string, IoTopRow>, max: number): Map<string, IoTopRow> {
  if (rows.size <= max) return rows;
  const sorted = [...rows].sort((a, b) => weight(b[1]) - weight(a[1]));
  const kept = new Map(sorted.slice(0, max));
  const other = empty(0, '(other)');
  for (const [, row] of sorted.slice(max)) {
    other.readBytes += row.readBytes;
    other.writtenBytes += row.writtenBytes;
    other.opens += row.opens;
    other.openErrors += row.openErrors;
  }
  kept.set('other', other);
  return kept;
}

export class IoTop {
  private readonly options: IoTopOptions;
  private readonly intervals: Interval[] = [];

  constructor(options: IoTopOptions) {
    this.options = options;
  }

  add(event: IoEvent | OpensEvent): void {
    const interval = this.intervalAt(event.timeMs, event.type === 'io' && event.sampled === true);
    if (event.incomplete) interval.incomplete = event.incomplete;
    if (event.type === 'io') {
      for (const p of event.processes) {
        const row = interval.processes.get(String(p.pid)) ?? empty(p.pid, p.comm);
        row.readBytes += p.readBytes;
        row.writtenBytes += p.writtenBytes;
        interval.processes.set(String(p.pid), row);
      }
      for (const f of event.files ?? []) {
        const key = `${f.pid}\0${f.path ?? `fd ${f.fd}`}`;
        const row = interval.files.get(key) ?? empty(f.pid, f.comm, f.path ?? `(fd ${f.fd})`);
        row.readBytes += f.readBytes;
        row.writtenBytes += f.writtenBytes;
        interval.files.set(key, row);
      }
    } else {
      for (const o of event.rows) {
        const processRow = interval.processes.get(String(o.pid)) ?? empty(o.pid, o.comm);
        processRow.opens += o.count;
        processRow.openErrors += o.errors;
        interval.processes.set(String(o.pid), processRow);
        const key = `${o.pid}\0${o.path}`;
        const fileRow = interval.files.get(key) ?? empty(o.pid, o.comm, o.path);
        fileRow.opens += o.count;
        fileRow.openErrors += o.errors;
        interval.files.set(key, fileRow);
      }
    }
    interval.processes = cap(interval.processes, this.options.maxRowsPerInterval);
    interval.files = cap(interval.files, this.options.maxRowsPerInterval);
    this.expire(event.timeMs);
  }

  top(by: 'process' | 'file', windowMs: number, nowMs: number, limit: number): IoTopResult {
    const fromMs = nowMs - Math.min(windowMs, this.options.windowMs);
    const sums = new Map<string, IoTopRow>();
    const incomplete: string[] = [];
    let sampled = false;
    for (const interval of this.intervals) {
      if (interval.timeMs <= fromMs || interval.timeMs > nowMs) continue;
      if (interval.incomplete) incomplete.push(`${new Date(interval.timeMs).toISOString()}: ${interval.incomplete}`);
      sampled ||= interval.sampled;
      for (const [key, row] of by === 'process' ? interval.processes : interval.files) {
        const sum = sums.get(key) ?? { ...row, readBytes: 0, writtenBytes: 0, opens: 0, openErrors: 0 };
        sum.readBytes += row.readBytes;
        sum.writtenBytes += row.writtenBytes;
        sum.opens += row.opens;
        sum.openErrors += row.openErrors;
        sums.set(key, sum);
      }
    }
    const rows = [...sums.values()].sort((a, b) => weight(b) - weight(a)).slice(0, limit);
    return { by, fromMs, toMs: nowMs, rows, incomplete, sampled };
  }

  private intervalAt(timeMs: number, sampled: boolean): Interval {
    // io and opens tables of the same second share one interval
    const second = Math.floor(timeMs / 1000) * 1000;
    const last = this.intervals.at(-1);
    if (last && last.timeMs === second) return last;
    const interval: Interval = { timeMs: second, processes: new Map(), files: new Map(), sampled };
    this.intervals.push(interval);
    return interval;
  }

  private expire(nowMs: number): void {
    while (this.intervals.length > 0 && (this.intervals[0]?.timeMs ?? 0) < nowMs - this.options.windowMs) this.intervals.shift();
  }
}
