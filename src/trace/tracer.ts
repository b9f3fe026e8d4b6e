// The trace source consumers subscribe to (the CLI now, the daemon next): eBPF through bpftrace
// where it can run, else /proc sampling, behind one interface, with the mode and reason told.
import { type Clock, systemClock } from '../collect/clock.ts';
import { DEFAULT_PROC_ROOT } from '../sys/readProc.ts';
import { EbpfBackend, type BackendSink } from './ebpfSource.ts';
import { findExecutable } from './executable.ts';
import type { StatusEvent, TraceEvent, TraceEventType, TraceMode, TraceState } from './events.ts';
import { ProcessTree } from './processTree.ts';
import type { ProbeSelection } from './program.ts';
import type { RecordTotals } from './lossTracker.ts';
import { SamplerBackend, defaultMemoryCgroupRoot } from './sampler.ts';
import { DEFAULT_TRACEFS } from './tracefs.ts';

export interface TracerOptions {
  probes: ProbeSelection;
  // 'sampled' skips eBPF; 'ebpf' fails instead of falling back
  mode?: 'auto' | 'ebpf' | 'sampled';
  bpftracePath?: string;
  tracefsPath?: string;
  perfBufferPages?: number;
  mapKeysMax?: number;
  cgroupV2Path?: string;
  procRoot?: string;
  cgroupRoot?: string;
  sampleIntervalMs?: number;
  recentLimit?: number;
  clock?: Clock;
  readyTimeoutMs?: number;
  initialBackoffMs?: number;
}

export interface TraceStats {
  mode: TraceMode;
  state: TraceState;
  // why the data is sampled
  reason?: string;
  liveSinceMs?: number;
  bpftracePid?: number;
  restarts: number;
  gaps: number;
  // per record type: sent (as of each CPU's last heartbeat), received and lost; records whose
  // sequence number repeated; CPUs that sent records but no heartbeat since bpftrace started
  records?: RecordTotals;
  // records bpftrace says its perf buffers dropped (map prints included)
  perfRecordsLost: number;
  incompleteIntervals: number;
  parseErrors: number;
  events: Partial<Record<TraceEventType, number>>;
  // kernel OOM kills seen: victims traced, or kills counted by the fallback
  oomKills: number;
  processes: number;
}

// What a consumer (the CLI, the daemon) needs of a trace source.
export interface TraceSource {
  readonly mode: TraceMode;
  readonly tree: ProcessTree;
  // hears the current status at once, then every event; returns the unsubscribe function
  subscribe(listener: Listener): () => void;
  start(): Promise<void>;
  // waitMs: how long to wait for bpftrace to exit (default: until it has)
  stop(waitMs?: number): Promise<void>;
  pause(): void;
  resume(): void;
  stats(): TraceStats;
}

export type Listener = (event: TraceEvent) => void;

export const DEFAULTS = { perfBufferPages: 1024, mapKeysMax: 16384, sampleIntervalMs: 1000 } as const;

function probeNames(probes: ProbeSelection): string {
  return ['exec', 'exit', 'oom', ...(probes.opens ? ['open'] : []), ...(probes.ioFiles ? ['io per file'] : probes.io ? ['io'] : [])].join(', ');
}

export class Tracer implements TraceSource {
  readonly tree: ProcessTree;
  private readonly options: TracerOptions;
  private readonly clock: Clock;
  private readonly listeners = new Set<Listener>();
  private ebpf: EbpfBackend | undefined;
  private sampler: SamplerBackend | undefined;
  private status: StatusEvent;
  private reason: string | undefined;
  private liveSinceMs: number | undefined;
  private gaps = 0;
  private incompleteIntervals = 0;
  private oomKills = 0;
  private readonly counts: Partial<Record<TraceEventType, number>> = {};

  constructor(options: TracerOptions) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.tree = new ProcessTree({ recentLimit: options.recentLimit ?? 1000 });
    this.status = { type: 'status', timeMs: this.clock.now(), mode: 'ebpf', state: 'starting', message: 'starting' };
  }

  get mode(): TraceMode {
    return this.status.mode;
  }

  // A new subscriber hears the current status first, so it knows at once whether data is sampled.
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    listener(this.status);
    return () => this.listeners.delete(listener);
  }

  private emit(event: TraceEvent): void {
    const applied = event.type === 'exec' ? this.tree.applyExec(event) : event.type === 'exit' ? this.tree.applyExit(event) : event;
    this.counts[event.type] = (this.counts[event.type] ?? 0) + 1;
    if (event.type === 'gap') this.gaps++;
    if (event.type === 'oom') this.oomKills++;
    if (event.type === 'oom-count') this.oomKills += event.kills;
    if ((event.type === 'io' || event.type === 'opens') && event.incomplete) this.incompleteIntervals++;
    for (const listener of this.listeners) listener(applied);
  }

  private setStatus(mode: TraceMode, state: TraceState, message: string): void {
    this.status = { type: 'status', timeMs: this.clock.now(), mode, state, message };
    this.emit(this.status);
  }

  private sink(mode: TraceMode): BackendSink {
    return {
      tree: this.tree,
      emit: (event) => this.emit(event),
      notice: (message) => this.setStatus(mode, this.status.state, message),
      restarting: (reason) => this.setStatus(mode, 'restarting', `bpftrace stopped (${reason}); restarting`),
      live: () => {
        this.liveSinceMs ??= this.clock.now();
        if (mode === 'ebpf') this.setStatus('ebpf', 'live', `tracing with eBPF (bpftrace pid ${this.ebpf?.pid}): ${probeNames(this.options.probes)}`);
      },
      giveUp: (reason) => void this.fallBack(`bpftrace keeps failing: ${reason}`),
    };
  }

  // Why eBPF cannot even be tried here, if it cannot.
  private ebpfUnavailable(): string | undefined {
    if (this.options.mode === 'sampled') return 'sampling was asked for';
    const uid = process.geteuid?.();
    if (uid !== undefined && uid !== 0) return `needs root (running as uid ${uid})`;
    const command = this.options.bpftracePath ?? 'bpftrace';
    if (!findExecutable(command)) return command.includes('/') ? `bpftrace not found at ${command}` : 'bpftrace not installed (not found on PATH)';
    return undefined;
  }

  async start(): Promise<void> {
    const unavailable = this.ebpfUnavailable();
    if (unavailable) return this.fallBack(unavailable);
    this.ebpf = new EbpfBackend(
      {
        probes: this.options.probes,
        bpftracePath: findExecutable(this.options.bpftracePath ?? 'bpftrace') ?? 'bpftrace',
        tracefsPath: this.options.tracefsPath ?? DEFAULT_TRACEFS,
        perfBufferPages: this.options.perfBufferPages ?? DEFAULTS.perfBufferPages,
        mapKeysMax: this.options.mapKeysMax ?? DEFAULTS.mapKeysMax,
        ...(this.options.cgroupV2Path === undefined ? {} : { cgroupV2Path: this.options.cgroupV2Path }),
        procRoot: this.options.procRoot ?? DEFAULT_PROC_ROOT,
        clock: this.clock,
        ...(this.options.readyTimeoutMs === undefined ? {} : { readyTimeoutMs: this.options.readyTimeoutMs }),
        ...(this.options.initialBackoffMs === undefined ? {} : { initialBackoffMs: this.options.initialBackoffMs }),
      },
      this.sink('ebpf'),
    );
    try {
      await this.ebpf.start();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.ebpf = undefined;
      if (this.options.mode === 'ebpf') throw new Error(`eBPF tracing failed: ${reason}`, { cause: error });
      await this.fallBack(reason);
    }
  }

  private async fallBack(reason: string): Promise<void> {
    if (this.ebpf) {
      const ebpf = this.ebpf;
      this.ebpf = undefined;
      await ebpf.stop();
    }
    this.reason = reason;
    const intervalMs = this.options.sampleIntervalMs ?? DEFAULTS.sampleIntervalMs;
    const cgroupRoot = this.options.cgroupRoot ?? defaultMemoryCgroupRoot();
    this.sampler = new SamplerBackend(
      { probes: this.options.probes, procRoot: this.options.procRoot ?? DEFAULT_PROC_ROOT, ...(cgroupRoot ? { cgroupRoot } : {}), intervalMs, clock: this.clock },
      this.sink('sampled'),
    );
    await this.sampler.start();
    const missing = this.options.probes.opens ? '; opens cannot be sampled' : '';
    this.setStatus('sampled', 'live', `eBPF unavailable: ${reason}; sampling /proc every ${intervalMs / 1000} s, short-lived processes will be missed${missing}`);
  }

  // Stops reading events; with eBPF, bpftrace blocks and its perf buffers fill (then lose, counted).
  pause(): void {
    this.ebpf?.pause();
    this.sampler?.pause();
  }

  resume(): void {
    this.ebpf?.resume();
    this.sampler?.resume();
  }

  async stop(waitMs?: number): Promise<void> {
    await this.ebpf?.stop(waitMs);
    await this.sampler?.stop();
    this.setStatus(this.status.mode, 'stopped', 'stopped');
  }

  stats(): TraceStats {
    const losses = this.ebpf?.losses?.totals();
    return {
      mode: this.status.mode,
      state: this.status.state,
      ...(this.reason === undefined ? {} : { reason: this.reason }),
      ...(this.liveSinceMs === undefined ? {} : { liveSinceMs: this.liveSinceMs }),
      ...(this.ebpf?.pid === undefined ? {} : { bpftracePid: this.ebpf.pid }),
      restarts: this.ebpf?.restarts ?? 0,
      gaps: this.gaps,
      ...(losses ? { records: losses } : {}),
      perfRecordsLost: this.ebpf?.perfLost ?? 0,
      incompleteIntervals: this.incompleteIntervals,
      parseErrors: this.ebpf?.parseErrors ?? 0,
      events: { ...this.counts },
      oomKills: this.oomKills,
      processes: this.tree.size,
    };
  }
}
