// Trace events (src/trace/events.ts) turned into host events and the alerts they raise: exec and
// exit as they are, kernel OOM victims as critical alerts, loss and gaps so history shows them.
// Per-interval opens and I/O tables are not events: they go to the I/O tops (ioTop.ts).
import type { NewAlert } from '../alert/model.ts';
import { describeLoss, type TraceEvent } from '../trace/events.ts';
import type { HostEvent } from './model.ts';

export interface TraceOutcome {
  event?: Omit<HostEvent, 'id' | 'host'>;
  raise?: NewAlert;
}

const mib = (bytes: number): number => Math.round(bytes / 1048576);

function exitText(e: Extract<TraceEvent, { type: 'exit' }>): string {
  const how = e.signal !== undefined ? `was killed by ${e.signal}` : e.exitCode !== undefined ? `exited with code ${e.exitCode}` : 'exited';
  const after = e.lifetimeSeconds === undefined ? '' : ` after ${e.lifetimeSeconds < 1 ? e.lifetimeSeconds.toFixed(3) : e.lifetimeSeconds.toFixed(1)} s`;
  return `${e.comm} (pid ${e.pid}) ${how}${after}`;
}

export function traceOutcome(e: TraceEvent): TraceOutcome {
  const sampled = 'sampled' in e && e.sampled === true ? { sampled: true } : {};
  switch (e.type) {
    case 'exec': {
      const { type: _type, timeMs, pid, comm, ...data } = e;
      // argv[0] is usually the program again: show the file, then the arguments after argv[0]
      const args = e.argv && e.argv.length > 1 ? ` ${e.argv.slice(1).join(' ')}${e.argvTruncated ? ' ...' : ''}` : '';
      return { event: { timeMs, type: 'exec', source: 'trace', pid, comm, message: `${comm} (pid ${pid}${e.ppid === undefined ? '' : `, parent ${e.ppid}`}) ran ${e.filename ?? comm}${args}`, data: { ...data, ...sampled } } };
    }
    case 'exit': {
      const { type: _type, timeMs, pid, comm, ...data } = e;
      return { event: { timeMs, type: 'exit', source: 'trace', pid, comm, message: exitText(e), data: { ...data, ...sampled } } };
    }
    case 'oom': {
      const { type: _type, timeMs, pid, comm, ...data } = e;
      const message = `the kernel OOM killer killed ${comm} (pid ${pid}, ${mib(e.anonRssBytes)} MiB anonymous memory, oom_score_adj ${e.oomScoreAdj})`;
      return {
        event: { timeMs, type: 'oom_victim', source: 'trace', pid, comm, message, data },
        raise: { type: 'OOM_KILL', severity: 'critical', title: `kernel OOM killer killed ${comm} (pid ${pid})`, message: `${message}.`, context: { pid, comm, ...data }, dedupKey: `oom:${pid}:${timeMs}` },
      };
    }
    case 'oom-count': {
      const where = e.cgroup === undefined ? 'on the host' : `in memory cgroup ${e.cgroup}`;
      const message = `the kernel OOM killer killed ${e.kills} process${e.kills === 1 ? '' : 'es'} ${where} (counted by sampling; names unknown)`;
      return {
        event: { timeMs: e.timeMs, type: 'oom_victim', source: 'trace', message, data: { kills: e.kills, ...(e.cgroup === undefined ? {} : { cgroup: e.cgroup }), sampled: true } },
        raise: { type: 'OOM_KILL', severity: 'critical', title: `kernel OOM kill ${where}`, message: `${message}.`, context: { kills: e.kills, cgroup: e.cgroup }, dedupKey: `oom-count:${e.cgroup ?? 'host'}:${e.timeMs}` },
      };
    }
    case 'loss':
      return { event: { timeMs: e.timeMs, type: 'trace_loss', source: 'trace', message: describeLoss(e), data: { fromMs: e.fromMs, toMs: e.timeMs, record: e.record, count: e.count, ...(e.cpu === undefined ? {} : { cpu: e.cpu }) } } };
    case 'gap':
      return { event: { timeMs: e.timeMs, type: 'trace_gap', source: 'trace', message: `no tracing from ${new Date(e.fromMs).toISOString()} to ${new Date(e.timeMs).toISOString()}: ${e.reason}`, data: { fromMs: e.fromMs, toMs: e.timeMs, reason: e.reason } } };
    default:
      return {};
  }
}
