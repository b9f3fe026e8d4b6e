// `hostguard trace exec|exit|open|io|oom`: a live view of process and file events, traced with
// eBPF (bpftrace) or sampled from /proc where that cannot run.
import { parseArgs } from 'node:util';
import { catchStopSignals } from '../sys/stopSignals.ts';
import type { TraceEvent } from '../trace/events.ts';
import { type CgroupSelector, ProcessFilter, resolveCgroup } from '../trace/filter.ts';
import { type View, formatEvent } from '../trace/format.ts';
import { DEFAULTS, Tracer, type TracerOptions } from '../trace/tracer.ts';

const VIEWS: View[] = ['exec', 'exit', 'open', 'io', 'oom'];

const HELP = `Usage: hostguard trace exec|exit|open|io|oom [options]

A live view of what processes do, traced in the kernel with eBPF (bpftrace, as root), or sampled
from /proc every second where eBPF is unavailable (the first line says which, and why).

Views:
  exec    one line per process start: time, pid, parent, uid, command, arguments (first four)
  exit    one line per process end: exit code or signal, and how long it lived
  open    every second, the files opened most, per process (count, failures and errno)
  io      every second, bytes read and written per process (--files: per open file)
  oom     one line per process the kernel's OOM killer picked

Options:
  --json              one JSON object per event, status, loss and gap events included
  --pid PID           only this process and its descendants
  --comm NAME         only processes whose command name (comm) is NAME
  --cgroup PATH       only processes in this cgroup: a directory under /sys/fs/cgroup, or a path
                      in a hierarchy (/mygroup); cgroup v2 is filtered in the kernel
  --duration SECONDS  stop after this long (default: until Ctrl-C)
  --top N             rows per table for open and io (default 10)
  --files             io per open file instead of per process (costs more per read and write)
  --sampled           do not try eBPF: sample /proc
  --bpftrace PATH     the bpftrace to run (default: bpftrace on PATH)
  --perf-pages N      perf buffer pages per CPU (default ${DEFAULTS.perfBufferPages}): how long a stalled reader is absorbed
  -h, --help          show this help

Records bpftrace could not deliver are counted and shown ("! N exec records lost between ...").
Ctrl-C stops bpftrace (its probes detach); see docs/trace.md.
`;

const OPTIONS = {
  json: { type: 'boolean' },
  pid: { type: 'string' },
  comm: { type: 'string' },
  cgroup: { type: 'string' },
  duration: { type: 'string' },
  top: { type: 'string' },
  files: { type: 'boolean' },
  sampled: { type: 'boolean' },
  bpftrace: { type: 'string' },
  'perf-pages': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

class UsageError extends Error {}

interface Parsed {
  view: View;
  json: boolean;
  top: number;
  files: boolean;
  durationMs?: number;
  filter: { pid?: number; comm?: string; cgroup?: CgroupSelector };
  tracer: TracerOptions;
}

function number(flag: string, text: string | undefined, check: (n: number) => boolean, accepted: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || !check(value)) throw new UsageError(`--${flag} '${text}' is not ${accepted}`);
  return value;
}

function parse(args: string[]): Parsed | 'help' {
  let parsed;
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? (error.message.split('. ')[0] ?? error.message) : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  const [view, ...extra] = positionals;
  if (view === undefined || !VIEWS.includes(view as View)) throw new UsageError(view === undefined ? `name a view: ${VIEWS.join(', ')}` : `unknown view '${view}'; views: ${VIEWS.join(', ')}`);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  const pid = number('pid', values.pid, (n) => Number.isInteger(n) && n > 0, 'a positive integer');
  const durationSeconds = number('duration', values.duration, (n) => n > 0, 'a positive number of seconds');
  const top = number('top', values.top, (n) => Number.isInteger(n) && n >= 1 && n <= 1000, 'an integer from 1 to 1000') ?? 10;
  const perfPages = number('perf-pages', values['perf-pages'], (n) => Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0, 'a power of two');
  let cgroup: CgroupSelector | undefined;
  if (values.cgroup !== undefined) {
    const resolved = resolveCgroup(values.cgroup);
    if (!resolved.ok) throw new UsageError(resolved.error);
    cgroup = resolved.selector;
  }
  const files = values.files ?? false;
  return {
    view: view as View,
    json: values.json ?? false,
    top,
    files,
    ...(durationSeconds === undefined ? {} : { durationMs: durationSeconds * 1000 }),
    filter: { ...(pid === undefined ? {} : { pid }), ...(values.comm === undefined ? {} : { comm: values.comm }), ...(cgroup ? { cgroup } : {}) },
    tracer: {
      probes: { opens: view === 'open', io: view === 'io', ioFiles: view === 'io' && files },
      mode: values.sampled ? 'sampled' : 'auto',
      ...(values.bpftrace === undefined ? {} : { bpftracePath: values.bpftrace }),
      ...(perfPages === undefined ? {} : { perfBufferPages: perfPages }),
      ...(cgroup?.version === 2 ? { cgroupV2Path: cgroup.dir } : {}),
    },
  };
}

// The event as this view shows it after the --pid, --comm and --cgroup filter; undefined: not shown.
function filtered(event: TraceEvent, filter: ProcessFilter): TraceEvent | undefined {
  if (!filter.active) return event;
  switch (event.type) {
    case 'exec':
      return filter.matches(event.pid, event.comm, event.ppid) ? event : undefined;
    case 'exit': {
      const shown = filter.matches(event.pid, event.comm, event.ppid);
      filter.forget(event.pid);
      return shown ? event : undefined;
    }
    case 'oom':
      return filter.matches(event.pid, event.comm) ? event : undefined;
    case 'opens':
      return { ...event, rows: event.rows.filter((row) => filter.matches(row.pid, row.comm)) };
    case 'io':
      return {
        ...event,
        processes: event.processes.filter((row) => filter.matches(row.pid, row.comm)),
        ...(event.files ? { files: event.files.filter((row) => filter.matches(row.pid, row.comm)) } : {}),
      };
    default:
      return event;
  }
}

async function run(parsed: Parsed): Promise<number> {
  const tracer = new Tracer(parsed.tracer);
  const cgroup = parsed.filter.cgroup;
  const filter = new ProcessFilter(
    {
      ...(parsed.filter.pid === undefined ? {} : { pid: parsed.filter.pid }),
      ...(parsed.filter.comm === undefined ? {} : { comm: parsed.filter.comm }),
      ...(cgroup?.version === 1 ? { cgroupV1: { controller: cgroup.controller, path: cgroup.path } } : {}),
    },
    tracer.tree,
  );
  tracer.subscribe((event) => {
    const shown = filtered(event, filter);
    if (!shown) return;
    if (parsed.json) {
      process.stdout.write(`${JSON.stringify(shown)}\n`);
      return;
    }
    const lines = formatEvent(shown, parsed.view, parsed.top, parsed.files);
    if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
  });
  const stopSignals = catchStopSignals();
  let timer: NodeJS.Timeout | undefined;
  // a signal, or the end of --duration
  const stopped = new Promise<void>((resolve) => {
    void stopSignals.received.then(() => resolve());
    if (parsed.durationMs !== undefined) timer = setTimeout(resolve, parsed.durationMs);
  });
  try {
    await Promise.race([tracer.start(), stopped]);
    await stopped;
  } finally {
    if (timer) clearTimeout(timer);
    // caught until bpftrace is stopped: a second Ctrl-C while it detaches must not orphan it
    try {
      await tracer.stop();
    } finally {
      stopSignals.release();
    }
  }
  return 0;
}

export async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parse(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`hostguard trace: ${error.message}. See 'hostguard trace --help'.\n`);
    return 2;
  }
  if (parsed === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  try {
    return await run(parsed);
  } catch (error) {
    process.stderr.write(`hostguard trace: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
