// Where the daemon's host events come from: the guard's events file (followed like tail -F) and
// the tracer (bpftrace, or /proc sampling when configured). Each event goes through the intake
// (live to /ws, batched to the store, alerts raised); I/O tables go to the I/O tops.
import type { EventsConfig, TraceConfig } from '../config/events.ts';
import { FileFollower } from '../events/follower.ts';
import { guardOutcome, parseGuardLine } from '../events/fromGuard.ts';
import { type GuardCounters, countGuardLine } from '../events/guardCounters.ts';
import { traceOutcome } from '../events/fromTrace.ts';
import { type AlertSink, EventIntake } from '../events/intake.ts';
import { IoTop } from '../events/ioTop.ts';
import type { HostEvent } from '../events/model.ts';
import type { TraceEvent } from '../trace/events.ts';
import { findExecutable } from '../trace/executable.ts';
import { type TraceStats, Tracer } from '../trace/tracer.ts';
import type { LineLog } from './alerting.ts';

export interface EventSourcesOptions {
  events: EventsConfig;
  trace: TraceConfig;
  host: string;
  alerts: AlertSink;
  write: (events: HostEvent[]) => void;
  publish: (event: HostEvent) => void;
  log: LineLog;
  nowMs: () => number;
  // the graduated response's counters, kept from the guard's lines for /metrics
  guardCounters: GuardCounters;
  // a tracer for tests (a fake /proc, a given bpftrace); default from [trace]
  tracer?: Tracer;
}

// A replayed guard line older than this before the daemon started raises no alert again.
const REPLAY_ALERT_MARGIN_MS = 60_000;

// Why eBPF cannot run here, or undefined when it can be tried.
export function ebpfUnavailable(): string | undefined {
  const uid = process.geteuid?.();
  if (uid !== undefined && uid !== 0) return `eBPF tracing needs root (running as uid ${uid})`;
  if (!findExecutable('bpftrace')) return 'bpftrace is not installed (apt-get install bpftrace)';
  return undefined;
}

export class EventSources {
  readonly intake: EventIntake;
  readonly ioTop: IoTop | undefined;
  private readonly options: EventSourcesOptions;
  private readonly follower: FileFollower | undefined;
  private tracer: Tracer | undefined;
  private readonly startedMs: number;
  // why tracing is off, when it is
  traceOffReason: string | undefined;
  guardLinesRejected = 0;
  private stopped = false;

  constructor(options: EventSourcesOptions) {
    this.options = options;
    this.startedMs = options.nowMs();
    this.intake = new EventIntake({ host: options.host, maxPerMinute: options.events.max_per_minute, batchSize: 500, flushEveryMs: 1000, write: options.write, publish: options.publish, alerts: options.alerts, nowMs: options.nowMs });
    const path = options.events.guard_file;
    this.follower = path === '' ? undefined : new FileFollower({ path, pollMs: 250, onLines: (lines) => this.guardLines(lines), onProblem: (message) => options.log.warn(`guard events: ${message}`) });
    this.ioTop = options.trace.mode === 'off' ? undefined : new IoTop({ windowMs: options.trace.io_window, maxRowsPerInterval: 500 });
  }

  // Before the daemon listens: throws when [trace] mode = "ebpf" and eBPF cannot run here.
  check(): void {
    const { trace } = this.options;
    if (trace.mode === 'off') this.traceOffReason = '[trace] mode = "off"';
    const unavailable = trace.mode === 'ebpf' || trace.mode === 'auto' ? ebpfUnavailable() : undefined;
    if (!unavailable) return;
    if (trace.mode === 'ebpf') throw new Error(`[trace] mode = "ebpf": ${unavailable}`);
    this.traceOffReason = `${unavailable}; set [trace] mode = "proc" to sample /proc instead`;
    this.options.log.warn(`trace: off: ${this.traceOffReason}`);
  }

  // Runs beside the daemon (bpftrace takes seconds to attach); rejects only in mode "ebpf".
  async start(): Promise<void> {
    this.follower?.start();
    const { trace } = this.options;
    if (this.traceOffReason !== undefined) return;
    const probes = { opens: trace.opens, io: trace.io, ioFiles: trace.io_files };
    const tracer = this.options.tracer ?? new Tracer({ probes, mode: trace.mode === 'proc' ? 'sampled' : 'ebpf', sampleIntervalMs: trace.sample_interval });
    tracer.subscribe((event) => this.traceEvent(event));
    try {
      this.tracer = tracer;
      await tracer.start();
    } catch (error) {
      this.tracer = undefined;
      // stopped while attaching: the failure is the stop's doing
      if (this.stopped) return;
      if (trace.mode === 'ebpf') throw error;
      this.traceOffReason = (error as Error).message;
      this.options.log.warn(`trace: off: ${this.traceOffReason}`);
    }
  }

  // bpftrace needs about 2 s to detach its probes: the daemon, which must exit within 2 s, waits
  // for it at most waitMs; it exits by itself soon after (it has been told to).
  async stop(waitMs: number): Promise<void> {
    // a tracer still attaching is stopped too
    this.stopped = true;
    await this.tracer?.stop(waitMs);
    await this.follower?.stop();
    this.intake.flush();
  }

  traceStats(): TraceStats | undefined {
    return this.tracer?.stats();
  }

  private guardLines(lines: Array<{ id: string; text: string }>): void {
    const alertsFromMs = this.startedMs - REPLAY_ALERT_MARGIN_MS;
    for (const line of lines) {
      const parsed = parseGuardLine(line.text);
      if (!parsed.ok) {
        this.guardLinesRejected++;
        this.options.log.warn(`guard events: line ${line.id} skipped: ${parsed.error}`);
        continue;
      }
      // counters follow the guard's latest lines, replayed ones included (the level is a state)
      countGuardLine(this.options.guardCounters, parsed.value);
      this.intake.accept(guardOutcome(parsed.value), `guard:${line.id}`, alertsFromMs);
    }
  }

  private traceEvent(event: TraceEvent): void {
    if (event.type === 'io' || event.type === 'opens') {
      this.ioTop?.add(event);
      return;
    }
    if (event.type === 'status') {
      if (event.state !== 'stopped') this.options.log.info(`trace: ${event.message}`);
      return;
    }
    this.intake.accept(traceOutcome(event));
  }
}
