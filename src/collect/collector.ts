// The interface every collector implements, and what it is given: roots to read under and the clock.
import type { ProcessTableOptions } from './processTable.ts';
import type { MetricsSnapshot } from './types.ts';

// The sections of the snapshot; each collector fills exactly one.
export type Sections = Required<Omit<MetricsSnapshot, 'timestamp' | 'timestampMs' | 'intervalSeconds' | 'errors'>>;
export type SectionName = keyof Sections;

export interface CollectorEnvironment {
  procRoot: string;
  sysRoot: string;
  // where os-release and passwd are read from
  etcRoot: string;
  kmsgPath: string;
  // Page size and USER_HZ of the machine the /proc tree comes from.
  pageSizeBytes: number;
  clockTicksPerSecond: number;
  // rows in each of the process top lists
  topProcesses: number;
  // how long a USB timeout keeps usb.hasTimeout true
  usbTimeoutHoldSeconds: number;
  // tuning of the process table (tests and the benchmark compare with the schedstat gate off)
  processTable?: ProcessTableOptions;
}

// One collection instant: a monotonic time for rates and the wall time for timestamps.
export interface Tick {
  monotonicMs: number;
  wallMs: number;
}

export interface Collector<K extends SectionName> {
  // Throws only for a failure worth reporting (e.g. /proc/stat unreadable); the snapshot records it.
  collect(tick: Tick): Sections[K];
  // Releases held descriptors (process stat files, /dev/kmsg).
  close(): void;
}

export interface CollectorDefinition<K extends SectionName> {
  name: K;
  description: string;
  defaultEnabled: boolean;
  create(env: CollectorEnvironment): Collector<K>;
  // Lines of the human-readable summary for this section.
  summarize(section: Sections[K]): string[];
}

// Any one definition, with its section type tied to its name.
export type AnyCollectorDefinition = { [K in SectionName]: CollectorDefinition<K> }[SectionName];

// Whether something last done at lastMs (monotonic) is due again: never done, periodMs or more ago,
// or the clock stepped back (a test feeding its own times; the monotonic clock does not).
export function isDue(lastMs: number | undefined, tick: Tick, periodMs: number): boolean {
  if (lastMs === undefined) return true;
  const elapsedMs = tick.monotonicMs - lastMs;
  return elapsedMs >= periodMs || elapsedMs < 0;
}

// Seconds between two ticks of one collector; undefined on its first.
export function secondsSince(previous: Tick | undefined, current: Tick): number | undefined {
  if (!previous) return undefined;
  const seconds = (current.monotonicMs - previous.monotonicMs) / 1000;
  return seconds > 0 ? seconds : undefined;
}
