// The eBPF backend: composes the program, mounts tracefs when needed, runs bpftrace under the
// supervisor and turns its output into events (gaps for the times it was down).
import { readlinkSync } from 'node:fs';
import { cpus } from 'node:os';
import type { Clock } from '../collect/clock.ts';
import { EbpfDecoder } from './ebpfDecoder.ts';
import { findExecutable } from './executable.ts';
import type { TraceEvent } from './events.ts';
import type { Names } from './intervals.ts';
import { parseBpftraceLine } from './parseBpftrace.ts';
import { type ProbeSelection, type Program, composeProgram, loadFragment } from './program.ts';
import type { ProcessTree } from './processTree.ts';
import { Supervisor, type SupervisorHandlers, type SupervisorOptions } from './supervisor.ts';
import { monotonicEpochOffsetMs } from './time.ts';
import { ensureTracefs, tracepointHasField } from './tracefs.ts';

export interface EbpfOptions {
  probes: ProbeSelection;
  bpftracePath: string;
  tracefsPath: string;
  // per-CPU perf buffer pages (BPFTRACE_PERF_RB_PAGES): how long a stalled reader is absorbed
  perfBufferPages: number;
  // keys per map (BPFTRACE_MAP_KEYS_MAX); bpftrace silently stops adding keys past it
  mapKeysMax: number;
  // only tasks in this cgroup v2 directory print events (filtered in the kernel)
  cgroupV2Path?: string;
  procRoot: string;
  clock: Clock;
  readyTimeoutMs?: number;
  initialBackoffMs?: number;
}

export interface BackendSink {
  tree: ProcessTree;
  emit(event: TraceEvent): void;
  notice(message: string): void;
  restarting(reason: string): void;
  live(): void;
  // no more eBPF: fall back
  giveUp(reason: string): void;
}

// Longest string bpftrace reads (str(), map string values): file names up to 199 bytes.
const STRLEN = 200;

function bpftraceFilter(cgroupV2Path: string | undefined): string {
  return cgroupV2Path === undefined ? '1' : `cgroup == cgroupid(${JSON.stringify(cgroupV2Path)})`;
}

function fdPath(procRoot: string, pid: number, fd: number): string | undefined {
  try {
    return readlinkSync(`${procRoot}/${pid}/fd/${fd}`);
  } catch {
    return undefined;
  }
}

export class EbpfBackend {
  private readonly options: EbpfOptions;
  private readonly sink: BackendSink;
  private supervisor: Supervisor | undefined;
  private decoder: EbpfDecoder | undefined;
  private downSince: { atMs: number; reason: string } | undefined;
  program: Program | undefined;
  parseErrors = 0;
  lastParseError: string | undefined;

  constructor(options: EbpfOptions, sink: BackendSink) {
    this.options = options;
    this.sink = sink;
  }

  get pid(): number | undefined {
    return this.supervisor?.pid;
  }

  get restarts(): number {
    return this.supervisor?.restarts ?? 0;
  }

  get losses(): EbpfDecoder['losses'] | undefined {
    return this.decoder?.losses;
  }

  get perfLost(): number {
    return this.decoder?.perfLost ?? 0;
  }

  private names(): Names {
    const { procRoot } = this.options;
    const tree = this.sink.tree;
    return { comm: (pid) => tree.get(pid)?.comm, fdPath: (pid, fd) => fdPath(procRoot, pid, fd) };
  }

  // Resolves once bpftrace is attached and its output is flowing; rejects with the reason it could not.
  async start(): Promise<void> {
    const tracefs = ensureTracefs(this.options.tracefsPath);
    if (!tracefs.ok) throw new Error(tracefs.reason);
    if (tracefs.mounted && tracefs.message) this.sink.notice(tracefs.message);
    const hasGroupDead = tracepointHasField(this.options.tracefsPath, 'sched/sched_process_exit', 'group_dead');
    const program = composeProgram(this.options.probes, { filter: bpftraceFilter(this.options.cgroupV2Path), hasGroupDead }, (name) => loadFragment(name));
    this.program = program;
    this.decoder = new EbpfDecoder({ epochOffsetMs: monotonicEpochOffsetMs(), cpuCount: cpus().length, keysMax: this.options.mapKeysMax, epochMaps: program.epochMaps, names: this.names() });
    await new Promise<void>((resolve, reject) => {
      this.supervisor = new Supervisor(this.supervisorOptions(program), this.handlers(resolve, reject));
      this.supervisor.start();
    });
  }

  private supervisorOptions(program: Program): SupervisorOptions {
    const { bpftracePath } = this.options;
    const bpftraceArgs = ['-f', 'json', '-e', program.text];
    // setpriv makes the kernel send SIGTERM to bpftrace should this process die without stopping it.
    const setpriv = findExecutable('setpriv');
    return {
      command: setpriv ?? bpftracePath,
      name: bpftracePath,
      args: setpriv ? ['--pdeathsig', 'SIGTERM', '--', bpftracePath, ...bpftraceArgs] : bpftraceArgs,
      env: {
        ...process.env,
        BPFTRACE_PERF_RB_PAGES: String(this.options.perfBufferPages),
        BPFTRACE_MAP_KEYS_MAX: String(this.options.mapKeysMax),
        BPFTRACE_STRLEN: String(STRLEN),
      },
      isReady: (line) => line.includes('"ready\\u001f'),
      clock: this.options.clock,
      ...(this.options.readyTimeoutMs === undefined ? {} : { readyTimeoutMs: this.options.readyTimeoutMs }),
      ...(this.options.initialBackoffMs === undefined ? {} : { initialBackoffMs: this.options.initialBackoffMs }),
    };
  }

  // The first ready resolves start(); failing before it rejects; later failures fall back.
  private handlers(resolve: () => void, reject: (error: Error) => void): SupervisorHandlers {
    let started = false;
    return {
      line: (line) => this.onLine(line),
      chunkEnd: () => this.flush(false),
      ready: (_pid, atMs) => {
        this.onReady(atMs);
        if (!started) {
          started = true;
          resolve();
        }
      },
      down: (info) => {
        this.flush(true);
        if (info.requested || !info.wasReady) return;
        // The gap starts where the heartbeats stopped covering what was sent: records sent after
        // that and never read died with bpftrace, uncounted (its counters start afresh).
        const decoder = this.decoder;
        const coveredMs = decoder ? decoder.toEpochMs(decoder.losses.coveredUntilNs()) : info.atMs;
        this.downSince = { atMs: Math.min(info.atMs, coveredMs), reason: info.reason };
        this.sink.restarting(info.reason);
      },
      giveUp: (reason) => {
        if (!started) reject(new Error(reason));
        else this.sink.giveUp(reason);
      },
      stderr: () => undefined,
    };
  }

  private onReady(atMs: number): void {
    const tree = this.sink.tree;
    if (this.downSince) {
      // Whatever exited while bpftrace was down left no record; whatever started is in /proc.
      tree.forgetVanished(this.options.procRoot);
      this.sink.emit({ type: 'gap', timeMs: atMs, fromMs: this.downSince.atMs, reason: this.downSince.reason });
      this.downSince = undefined;
    }
    tree.loadSnapshot(this.options.procRoot, monotonicEpochOffsetMs());
    this.sink.live();
  }

  private onLine(line: string): void {
    const parsed = parseBpftraceLine(line);
    if (!parsed.ok) {
      this.parseErrors++;
      this.lastParseError = parsed.error;
      return;
    }
    this.decoder?.push(parsed.value);
  }

  private flush(all: boolean): void {
    const decoder = this.decoder;
    if (!decoder) return;
    for (const event of all ? decoder.drain() : decoder.release()) this.sink.emit(event);
  }

  pause(): void {
    this.supervisor?.pause();
  }

  resume(): void {
    this.supervisor?.resume();
  }

  async stop(waitMs?: number): Promise<void> {
    await this.supervisor?.stop(waitMs);
    this.flush(true);
  }
}
