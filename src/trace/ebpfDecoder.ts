// Turns parsed bpftrace records into trace events: counts losses as records arrive, puts records
// back in kernel time order, joins argv to its exec, and closes an interval at each tick.
import { constants } from 'node:os';
import type { ExecEvent, ExitEvent, LossEvent, OomVictimEvent, TraceEvent } from './events.ts';
import { type IntervalInput, FileNames, type MapEntries, type Names, intervalEvents } from './intervals.ts';
import { type Loss, LossTracker } from './lossTracker.ts';
import type { BpftraceRecord } from './parseBpftrace.ts';
import { ReorderBuffer } from './reorder.ts';

export interface DecoderOptions {
  // epoch ms = kernel monotonic nsecs / 1e6 + epochOffsetMs
  epochOffsetMs: number;
  cpuCount: number;
  // BPFTRACE_MAP_KEYS_MAX: a map printed with this many keys may have dropped some
  keysMax: number;
  // the epoch maps of the program (Program.epochMaps)
  epochMaps: string[];
  names: Names;
}

type ArgvRecord = Extract<BpftraceRecord, { kind: 'argv' }>;
type ExecRecord = Extract<BpftraceRecord, { kind: 'exec' }>;
type ExitRecord = Extract<BpftraceRecord, { kind: 'exit' }>;
type OomRecord = Extract<BpftraceRecord, { kind: 'oom' }>;

type Item =
  | { kind: 'argv'; record: ArgvRecord }
  | { kind: 'exec'; record: ExecRecord }
  | { kind: 'exit'; record: ExitRecord }
  | { kind: 'oom'; record: OomRecord }
  | { kind: 'interval'; nsecs: number; maps: Map<string, MapEntries>; incomplete: string[] }
  | { kind: 'loss'; loss: Loss }
  | { kind: 'perf'; count: number; fromNs: number; toNs: number };

const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, value]) => [value, name]));
const PENDING_ARGV_LIMIT = 4096;
const KiB = 1024;

export class EbpfDecoder {
  private readonly options: DecoderOptions;
  private readonly buffer: ReorderBuffer<Item>;
  readonly losses = new LossTracker();
  private readonly files = new FileNames();
  private readonly pendingArgv = new Map<number, ArgvRecord>();
  private pendingMaps = new Map<string, MapEntries>();
  private perfLostSinceTick = 0;
  private lastPerfNs = 0;
  private lastTickNs = 0;
  private newestNs = 0;
  private readonly epochMapNames: Set<string>;
  perfLost = 0;

  constructor(options: DecoderOptions) {
    this.options = options;
    this.buffer = new ReorderBuffer(options.cpuCount);
    this.epochMapNames = new Set(options.epochMaps.map((name) => name.slice(1)));
  }

  toEpochMs(nsecs: number): number {
    return nsecs / 1e6 + this.options.epochOffsetMs;
  }

  // A record as it arrives, in the order bpftrace printed it.
  push(record: BpftraceRecord): void {
    switch (record.kind) {
      case 'ready':
        this.losses.reset(record.nsecs);
        this.lastPerfNs = this.lastTickNs = record.nsecs;
        this.pendingMaps = new Map();
        this.perfLostSinceTick = 0;
        return;
      case 'hb':
        this.buffer.heard(record.cpu, record.nsecs);
        for (const loss of this.losses.onHeartbeat(record.cpu, record.seq, record.nsecs, record.sent)) this.buffer.push(loss.toNs, { kind: 'loss', loss });
        return;
      case 'map':
        this.collectMap(record.name, record.entries);
        return;
      case 'lost':
        this.perfLost += record.count;
        this.perfLostSinceTick += record.count;
        this.buffer.push(this.lastSeenNs(), { kind: 'perf', count: record.count, fromNs: this.lastPerfNs, toNs: this.lastSeenNs() });
        this.lastPerfNs = this.lastSeenNs();
        return;
      case 'attached':
      case 'ignored':
        return;
      default:
        this.pushSequenced(record);
    }
  }

  private lastSeenNs(): number {
    return Math.max(this.newestNs, this.lastPerfNs);
  }

  private pushSequenced(record: ArgvRecord | ExecRecord | ExitRecord | OomRecord | Extract<BpftraceRecord, { kind: 'tick' }>): void {
    const loss = this.losses.onRecord(record.kind, record.cpu, record.seq, record.nsecs);
    if (loss) this.buffer.push(loss.toNs, { kind: 'loss', loss });
    this.buffer.heard(record.cpu, record.nsecs);
    this.newestNs = Math.max(this.newestNs, record.nsecs);
    if (record.kind !== 'tick') {
      this.buffer.push(record.nsecs, { kind: record.kind, record } as Item);
      return;
    }
    // The maps printed just before this tick (same CPU buffer, in order) belong to its interval.
    const incomplete: string[] = [];
    for (const [name, entries] of this.pendingMaps) {
      if (entries.length >= this.options.keysMax) incomplete.push(`@${name} reached the ${this.options.keysMax}-key map limit (BPFTRACE_MAP_KEYS_MAX): keys beyond it were not counted`);
    }
    if (this.perfLostSinceTick > 0) incomplete.push(`bpftrace dropped ${this.perfLostSinceTick} records meanwhile; map prints among them leave figures short`);
    this.buffer.push(record.nsecs, { kind: 'interval', nsecs: record.nsecs, maps: this.pendingMaps, incomplete });
    this.pendingMaps = new Map();
    this.perfLostSinceTick = 0;
  }

  private collectMap(name: string, entries: MapEntries): void {
    const match = /^@(\w+?)([01])$/.exec(name);
    if (!match?.[1] || !this.epochMapNames.has(match[1])) return;
    const base = match[1];
    const existing = this.pendingMaps.get(base);
    if (existing) existing.push(...entries);
    else this.pendingMaps.set(base, [...entries]);
  }

  // Events no later record can precede, in time order.
  release(): TraceEvent[] {
    return this.buffer.release().flatMap((item) => this.decode(item));
  }

  // Everything left (the bpftrace process ended).
  drain(): TraceEvent[] {
    const events = this.buffer.drain().flatMap((item) => this.decode(item));
    this.pendingArgv.clear();
    this.newestNs = 0;
    return events;
  }

  private decode(item: Item): TraceEvent[] {
    switch (item.kind) {
      case 'argv':
        this.rememberArgv(item.record);
        return [];
      case 'exec':
        return [this.exec(item.record)];
      case 'exit':
        this.pendingArgv.delete(item.record.pid);
        return [this.exit(item.record)];
      case 'oom':
        return [this.oom(item.record)];
      case 'interval':
        return this.interval(item);
      case 'loss':
        return [this.loss(item.loss.record, item.loss.count, item.loss.fromNs, item.loss.toNs, item.loss.cpu)];
      default:
        return [this.loss('perf', item.count, item.fromNs, item.toNs)];
    }
  }

  private rememberArgv(record: ArgvRecord): void {
    this.pendingArgv.delete(record.pid);
    this.pendingArgv.set(record.pid, record);
    if (this.pendingArgv.size > PENDING_ARGV_LIMIT) {
      const oldest = this.pendingArgv.keys().next().value;
      if (oldest !== undefined) this.pendingArgv.delete(oldest);
    }
  }

  private exec(record: ExecRecord): ExecEvent {
    const argv = this.pendingArgv.get(record.pid);
    this.pendingArgv.delete(record.pid);
    return {
      type: 'exec',
      timeMs: this.toEpochMs(record.nsecs),
      pid: record.pid,
      ...(record.ppid > 0 ? { ppid: record.ppid } : {}),
      uid: record.uid,
      comm: record.comm,
      filename: record.filename,
      ...(argv ? { argv: argv.args, ...(argv.more ? { argvTruncated: true } : {}) } : {}),
      ...(record.bornNs > 0 ? { startTimeMs: this.toEpochMs(record.bornNs) } : {}),
    };
  }

  private exit(record: ExitRecord): ExitEvent {
    const status =
      record.code > 0 ? { exitCode: record.code - 1 } : record.signal > 0 ? { signal: SIGNAL_NAMES.get(record.signal) ?? `signal ${record.signal}` } : {};
    return {
      type: 'exit',
      timeMs: this.toEpochMs(record.nsecs),
      pid: record.pid,
      ...(record.ppid > 0 ? { ppid: record.ppid } : {}),
      comm: record.comm,
      ...status,
      ...(record.bornNs > 0 ? { startTimeMs: this.toEpochMs(record.bornNs), lifetimeSeconds: (record.nsecs - record.bornNs) / 1e9 } : {}),
    };
  }

  private oom(record: OomRecord): OomVictimEvent {
    return {
      type: 'oom',
      timeMs: this.toEpochMs(record.nsecs),
      pid: record.pid,
      comm: record.comm,
      uid: record.uid,
      oomScoreAdj: record.oomScoreAdj,
      totalVmBytes: record.totalVmKiB * KiB,
      anonRssBytes: record.anonRssKiB * KiB,
      fileRssBytes: record.fileRssKiB * KiB,
      shmemRssBytes: record.shmemRssKiB * KiB,
    };
  }

  private interval(item: Extract<Item, { kind: 'interval' }>): TraceEvent[] {
    const input: IntervalInput = { startMs: this.toEpochMs(this.lastTickNs), timeMs: this.toEpochMs(item.nsecs), maps: item.maps, incomplete: item.incomplete };
    this.lastTickNs = item.nsecs;
    return intervalEvents(input, this.options.epochMaps, this.files, this.options.names);
  }

  private loss(record: LossEvent['record'], count: number, fromNs: number, toNs: number, cpu?: number): LossEvent {
    return { type: 'loss', timeMs: this.toEpochMs(toNs), fromMs: this.toEpochMs(fromNs), record, count, ...(cpu === undefined ? {} : { cpu }) };
  }
}
