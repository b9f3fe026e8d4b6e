// Whether eBPF tracing can run here (root, bpftrace, tracefs, a kernel that accepts a tracepoint
// program), and helpers for tests of the tracer: every process they start is ended by PID.
import { spawnSync } from 'node:child_process';
import type { TraceEvent } from '../../src/trace/events.ts';
import { findExecutable } from '../../src/trace/executable.ts';
import { ensureTracefs } from '../../src/trace/tracefs.ts';
import { alive } from './processes.ts';

export type BpftraceSupport = { ok: true } | { ok: false; reason: string };

let cached: BpftraceSupport | undefined;

function probe(): BpftraceSupport {
  if (process.getuid?.() !== 0) return { ok: false, reason: 'needs root' };
  if (!findExecutable('bpftrace')) return { ok: false, reason: 'bpftrace is not installed (apt-get install bpftrace)' };
  const tracefs = ensureTracefs();
  if (!tracefs.ok) return { ok: false, reason: tracefs.reason };
  // A program with a tracepoint that exits as soon as it is attached: the kernel accepted it.
  const run = spawnSync('bpftrace', ['-e', 'tracepoint:sched:sched_process_exit { } BEGIN { exit(); }'], { encoding: 'utf8', timeout: 60_000 });
  if (run.status !== 0) {
    const error = run.stderr.split('\n').filter((line) => /error/i.test(line) && !line.includes('RLIMIT_MEMLOCK')).at(-1) ?? run.stderr.trim();
    return { ok: false, reason: `the kernel refused a tracepoint program: ${error}` };
  }
  return { ok: true };
}

export function bpftraceSupport(): BpftraceSupport {
  cached ??= probe();
  return cached;
}

export { alive };

// Ends a process this test started, if it is still there (a safety net after a clean stop).
export function killIfAlive(pid: number | undefined): void {
  if (pid !== undefined && alive(pid)) process.kill(pid, 'SIGKILL');
}

// The processes of `pids` still running: each is killed, and the caller's assertion names it.
export function stillRunning(pids: Iterable<number>): number[] {
  const left = [...pids].filter(alive);
  for (const pid of left) killIfAlive(pid);
  return left;
}

// `what` may be a function, to name the state at the time of the failure.
export async function until(condition: () => boolean, timeoutMs: number, what: string | (() => string)): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// The events of one type, typed.
export function eventsOf<T extends TraceEvent['type']>(events: TraceEvent[], type: T): Array<Extract<TraceEvent, { type: T }>> {
  return events.filter((e): e is Extract<TraceEvent, { type: T }> => e.type === type);
}
