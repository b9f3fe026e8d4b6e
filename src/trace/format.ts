// Text for a terminal: one line per exec, exit or OOM kill, a top table per interval for opens and
// io, and lines for what the data lacks (loss, gaps, sampling).
import { describeLoss, type ExecEvent, type ExitEvent, type IoEvent, type OomVictimEvent, type OpensEvent, type TraceEvent } from './events.ts';

export type View = 'exec' | 'exit' | 'open' | 'io' | 'oom';

function clock(timeMs: number): string {
  const date = new Date(timeMs);
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

function seconds(value: number | undefined): string {
  if (value === undefined) return '?';
  return value < 1 ? `${(value * 1000).toFixed(1)}ms` : `${value.toFixed(2)}s`;
}

// Arguments quoted where a shell would need it, so the line reads back as the command.
function commandLine(event: ExecEvent): string {
  const args = event.argv ?? [event.filename ?? event.comm];
  const quoted = args.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`));
  return `${quoted.join(' ')}${event.argvTruncated ? ' ...' : ''}`;
}

function execLine(event: ExecEvent): string {
  return `${clock(event.timeMs)}  exec  ${String(event.pid).padStart(7)} ${String(event.ppid ?? '?').padStart(7)} ${String(event.uid ?? '?').padStart(5)}  ${event.comm.padEnd(15)}  ${commandLine(event)}`;
}

function exitLine(event: ExitEvent): string {
  const status = event.signal ?? (event.exitCode === undefined ? 'status unknown' : `exit ${event.exitCode}`);
  return `${clock(event.timeMs)}  exit  ${String(event.pid).padStart(7)} ${String(event.ppid ?? '?').padStart(7)}  ${event.comm.padEnd(15)}  ${status.padEnd(14)} lived ${seconds(event.lifetimeSeconds)}`;
}

function oomLine(event: OomVictimEvent): string {
  return `${clock(event.timeMs)}  OOM kill  pid ${event.pid} ${event.comm}  anon-rss ${formatBytes(event.anonRssBytes)}  file-rss ${formatBytes(event.fileRssBytes)}  total-vm ${formatBytes(event.totalVmBytes)}  uid ${event.uid}  oom_score_adj ${event.oomScoreAdj}`;
}

export function openTable(event: OpensEvent, top: number): string[] {
  const opens = event.rows.reduce((sum, row) => sum + row.count, 0);
  const errors = event.rows.reduce((sum, row) => sum + row.errors, 0);
  const header = `${clock(event.timeMs)}  ${opens} opens of ${event.rows.length} files in ${((event.timeMs - event.startMs) / 1000).toFixed(1)} s, ${errors} failed`;
  const rows = event.rows
    .slice(0, top)
    .map((row) => `  ${String(row.count).padStart(7)} ${String(row.errors).padStart(6)} ${String(row.pid).padStart(7)}  ${(row.comm ?? '?').padEnd(15)}  ${row.path}${row.errnos ? `  (${Object.entries(row.errnos).map(([name, n]) => `${name} ${n}`).join(', ')})` : ''}`);
  return [header, ...(rows.length > 0 ? ['    COUNT ERRORS     PID  COMM             FILE', ...rows] : []), ...(event.incomplete ? [`  ! incomplete: ${event.incomplete}`] : [])];
}

export function ioTable(event: IoEvent, top: number, files: boolean): string[] {
  const spanSeconds = Math.max(0.001, (event.timeMs - event.startMs) / 1000);
  const rate = (bytes: number): string => `${formatBytes(bytes / spanSeconds)}/s`.padStart(12);
  const read = event.processes.reduce((sum, row) => sum + row.readBytes, 0);
  const written = event.processes.reduce((sum, row) => sum + row.writtenBytes, 0);
  const header = `${clock(event.timeMs)}  read ${formatBytes(read)}, written ${formatBytes(written)} in ${spanSeconds.toFixed(1)} s${event.sampled ? ' (sampled: /proc/PID/io of live processes)' : ''}`;
  const lines =
    files && event.files
      ? event.files.slice(0, top).map((row) => `  ${rate(row.readBytes)} ${rate(row.writtenBytes)} ${String(row.pid).padStart(7)}  ${(row.comm ?? '?').padEnd(15)} ${String(row.fd).padStart(4)}  ${row.path ?? '(name unknown)'}`)
      : event.processes.slice(0, top).map((row) => `  ${rate(row.readBytes)} ${rate(row.writtenBytes)} ${String(row.pid).padStart(7)}  ${row.comm ?? '?'}`);
  const columns = files && event.files ? '          READ        WRITE     PID  COMM              FD  FILE' : '          READ        WRITE     PID  COMM';
  return [header, ...(lines.length > 0 ? [columns, ...lines] : []), ...(event.incomplete ? [`  ! incomplete: ${event.incomplete}`] : [])];
}

// The lines an event shows in a view (none when the view does not show it).
export function formatEvent(event: TraceEvent, view: View, top: number, files: boolean): string[] {
  switch (event.type) {
    case 'status':
      return [`# ${event.message}`];
    case 'loss':
      return [`! ${describeLoss(event)}`];
    case 'gap':
      return [`! no tracing from ${new Date(event.fromMs).toISOString()} to ${new Date(event.timeMs).toISOString()}: ${event.reason}`];
    case 'exec':
      return view === 'exec' ? [execLine(event)] : [];
    case 'exit':
      return view === 'exit' ? [exitLine(event)] : [];
    case 'oom':
      return view === 'oom' ? [oomLine(event)] : [];
    case 'oom-count':
      return view === 'oom' ? [`${clock(event.timeMs)}  OOM kill x${event.kills}${event.cgroup ? ` in cgroup ${event.cgroup}` : ''} (sampled: victim unknown)`] : [];
    case 'opens':
      return view === 'open' ? openTable(event, top) : [];
    case 'io':
      return view === 'io' ? ioTable(event, top, files) : [];
  }
}
