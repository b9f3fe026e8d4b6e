// Takes MetricsSnapshots: runs every enabled collector of the registry once per call.
import { DEFAULT_KMSG_PATH } from '../sys/readKmsg.ts';
import { readAuxvFacts } from '../sys/readHost.ts';
import type { CollectorDefinition, CollectorEnvironment, SectionName, Sections, Tick } from './collector.ts';
import type { ProcessTableOptions } from './processTable.ts';
import { collectorRegistry } from './registry.ts';
import type { CollectorError, MetricsSnapshot } from './types.ts';

export interface SnapshotterOptions {
  procRoot?: string;
  sysRoot?: string;
  etcRoot?: string;
  kmsgPath?: string;
  topProcesses?: number;
  usbTimeoutHoldSeconds?: number;
  processTable?: ProcessTableOptions;
  // name -> on/off; collectors not named keep their default
  enabled?: Record<string, boolean>;
  // wall clock and monotonic clock in ms, injectable for tests
  now?: () => number;
  monotonicNow?: () => number;
}

export function environmentFor(options: SnapshotterOptions): CollectorEnvironment {
  const procRoot = options.procRoot ?? '/proc';
  const auxv = readAuxvFacts(procRoot);
  return {
    procRoot,
    sysRoot: options.sysRoot ?? '/sys',
    etcRoot: options.etcRoot ?? '/etc',
    kmsgPath: options.kmsgPath ?? DEFAULT_KMSG_PATH,
    pageSizeBytes: auxv.pageSizeBytes,
    clockTicksPerSecond: auxv.clockTicksPerSecond,
    topProcesses: options.topProcesses ?? 10,
    usbTimeoutHoldSeconds: options.usbTimeoutHoldSeconds ?? 300,
    ...(options.processTable ? { processTable: options.processTable } : {}),
  };
}

// A started collector, its section type erased behind run().
interface Running {
  name: SectionName;
  run(snapshot: MetricsSnapshot, tick: Tick): void;
  close(): void;
}

// Puts one collector's section into the snapshot under its own name.
function assign<K extends SectionName>(snapshot: MetricsSnapshot, name: K, section: Sections[K]): void {
  const sections: Partial<Sections> = snapshot;
  sections[name] = section;
}

function summarizeSection<K extends SectionName>(definition: CollectorDefinition<K>, snapshot: MetricsSnapshot): string[] {
  const sections: Partial<Sections> = snapshot;
  const section = sections[definition.name];
  return section === undefined ? [] : definition.summarize(section);
}

function start<K extends SectionName>(definition: CollectorDefinition<K>, env: CollectorEnvironment): Running {
  const collector = definition.create(env);
  return {
    name: definition.name,
    run: (snapshot, tick) => assign(snapshot, definition.name, collector.collect(tick)),
    close: () => collector.close(),
  };
}

export class Snapshotter {
  private readonly running: Running[] = [];
  private readonly now: () => number;
  private readonly monotonicNow: () => number;
  private previous: Tick | undefined;

  constructor(options: SnapshotterOptions = {}) {
    const env = environmentFor(options);
    this.now = options.now ?? Date.now;
    this.monotonicNow = options.monotonicNow ?? (() => performance.now());
    for (const definition of collectorRegistry) {
      if (!(options.enabled?.[definition.name] ?? definition.defaultEnabled)) continue;
      this.running.push(start(definition, env));
    }
  }

  get collectorNames(): string[] {
    return this.running.map((r) => r.name);
  }

  collect(): MetricsSnapshot {
    const tick: Tick = { monotonicMs: this.monotonicNow(), wallMs: this.now() };
    const intervalSeconds = this.previous ? (tick.monotonicMs - this.previous.monotonicMs) / 1000 : null;
    this.previous = tick;
    const snapshot: MetricsSnapshot = { timestamp: new Date(tick.wallMs).toISOString(), timestampMs: tick.wallMs, intervalSeconds };
    const errors: CollectorError[] = [];
    for (const running of this.running) {
      try {
        running.run(snapshot, tick);
      } catch (error) {
        errors.push({ collector: running.name, message: error instanceof Error ? error.message : String(error) });
      }
    }
    if (errors.length > 0) snapshot.errors = errors;
    return snapshot;
  }

  // The readable summary, section by section in registry order.
  static summarize(snapshot: MetricsSnapshot): string[] {
    const lines: string[] = [];
    for (const definition of collectorRegistry) lines.push(...summarizeSection(definition, snapshot));
    for (const error of snapshot.errors ?? []) lines.push(`Error     ${error.collector}: ${error.message}`);
    return lines;
  }

  close(): void {
    for (const running of this.running) running.close();
  }
}
