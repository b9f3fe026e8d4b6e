// The last minutes of the live snapshots as chart columns: one table of what the overview plots
// (read from each snapshot), a bounded buffer, gaps where the socket was down, and a prefill from
// the history API so the charts have a past when the page opens.
import type { HistoryAnswer, MetricsSnapshot } from './types.ts';

type Reader = (snapshot: MetricsSnapshot) => number | undefined;

function sum(values: Array<number | undefined>): number | undefined {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length === 0 ? undefined : known.reduce((a, b) => a + b, 0);
}

const external = (s: MetricsSnapshot) => (s.network?.interfaces ?? []).filter((i) => i.name !== 'lo');

interface ColumnSpec {
  read: Reader;
  // the history series that holds the same values, for the prefill
  history?: string;
}

// name -> how to read it from a snapshot, and the history series that holds it (if any).
const COLUMNS = {
  cpuBusy: { read: (s) => s.cpu?.busyPercent, history: 'cpu_busy_percent' },
  cpuIowait: { read: (s) => s.cpu?.iowaitPercent, history: 'cpu_iowait_percent' },
  memoryUsed: { read: (s) => s.memory?.usedPercent, history: 'memory_used_percent' },
  swapUsed: { read: (s) => s.memory?.swapUsedPercent, history: 'swap_used_percent' },
  pressureCpu: { read: (s) => s.pressure?.cpu?.some.avg10Percent, history: 'pressure_cpu_some_percent' },
  pressureMemory: { read: (s) => s.pressure?.memory?.some.avg10Percent, history: 'pressure_memory_some_percent' },
  pressureIo: { read: (s) => s.pressure?.io?.some.avg10Percent, history: 'pressure_io_some_percent' },
  networkReceive: { read: (s) => sum(external(s).map((i) => i.receive.bytesPerSecond)) },
  networkTransmit: { read: (s) => sum(external(s).map((i) => i.transmit.bytesPerSecond)) },
  diskRead: { read: (s) => sum((s.disks?.devices ?? []).map((d) => d.readBytesPerSecond)) },
  diskWrite: { read: (s) => sum((s.disks?.devices ?? []).map((d) => d.writtenBytesPerSecond)) },
} satisfies Record<string, ColumnSpec>;

export type LiveColumn = keyof typeof COLUMNS;
export const LIVE_COLUMNS: Record<LiveColumn, ColumnSpec> = COLUMNS;
export const LIVE_COLUMN_NAMES = Object.keys(LIVE_COLUMNS) as LiveColumn[];

// The history fields the prefill asks for.
export const PREFILL_FIELDS: string[] = LIVE_COLUMN_NAMES.flatMap((name) => LIVE_COLUMNS[name].history ?? []);

type Cell = number | null;

// Seconds since the epoch (uPlot's x unit) and one array per column, all the same length.
export interface LiveColumns {
  timeSeconds: number[];
  values: Record<LiveColumn, Cell[]>;
  // busy % per CPU, by CPU number
  cores: Cell[][];
}

export class LiveSeries {
  readonly capacity: number;
  private readonly columns: LiveColumns;
  private lastIntervalSeconds = 5;

  constructor(capacity = 900) {
    this.capacity = capacity;
    this.columns = { timeSeconds: [], values: Object.fromEntries(LIVE_COLUMN_NAMES.map((n) => [n, []])) as unknown as Record<LiveColumn, Cell[]>, cores: [] };
  }

  get length(): number {
    return this.columns.timeSeconds.length;
  }

  get data(): Readonly<LiveColumns> {
    return this.columns;
  }

  private pushRow(timeSeconds: number, cell: (name: LiveColumn) => Cell, cores: Cell[]): void {
    const c = this.columns;
    c.timeSeconds.push(timeSeconds);
    for (const name of LIVE_COLUMN_NAMES) c.values[name].push(cell(name));
    while (c.cores.length < cores.length) c.cores.push(c.timeSeconds.slice(0, -1).map(() => null));
    c.cores.forEach((column, i) => column.push(cores[i] ?? null));
    if (c.timeSeconds.length > this.capacity) this.dropOldest(c.timeSeconds.length - this.capacity);
  }

  private dropOldest(count: number): void {
    const c = this.columns;
    c.timeSeconds.splice(0, count);
    for (const name of LIVE_COLUMN_NAMES) c.values[name].splice(0, count);
    for (const column of c.cores) column.splice(0, count);
  }

  // Adds a snapshot; returns false for one not newer than the last (a resend after reconnecting).
  add(snapshot: MetricsSnapshot): boolean {
    const timeSeconds = snapshot.timestampMs / 1000;
    const last = this.columns.timeSeconds.at(-1);
    if (last !== undefined && timeSeconds <= last) return false;
    if (snapshot.intervalSeconds !== null && snapshot.intervalSeconds > 0) this.lastIntervalSeconds = snapshot.intervalSeconds;
    // a gap longer than three intervals (socket down, daemon stopped): a null row breaks the line
    if (last !== undefined && timeSeconds - last > Math.max(10, 3 * this.lastIntervalSeconds)) this.pushRow(last + 0.001, () => null, []);
    const cores = (snapshot.cpu?.perCore ?? []).map((core) => core.busyPercent ?? null);
    this.pushRow(timeSeconds, (name) => LIVE_COLUMNS[name].read(snapshot) ?? null, cores);
    return true;
  }

  // Fills the time before the first live point from a history answer (columns it lacks stay empty).
  prefill(answer: HistoryAnswer): void {
    const firstLive = this.columns.timeSeconds[0] ?? Infinity;
    const rows = new Map<number, Partial<Record<LiveColumn, number>>>();
    for (const name of LIVE_COLUMN_NAMES) {
      const history = LIVE_COLUMNS[name].history;
      for (const point of history === undefined ? [] : (answer.series[history] ?? [])) {
        if (point.timeMs / 1000 >= firstLive) continue;
        const row = rows.get(point.timeMs) ?? {};
        row[name] = point.avg;
        rows.set(point.timeMs, row);
      }
    }
    const times = [...rows.keys()].sort((a, b) => a - b).slice(-Math.max(0, this.capacity - this.length));
    if (times.length === 0) return;
    const live = this.columns;
    const before: LiveColumns = { timeSeconds: times.map((t) => t / 1000), values: {} as Record<LiveColumn, Cell[]>, cores: live.cores.map((column) => [...times.map(() => null), ...column]) };
    for (const name of LIVE_COLUMN_NAMES) before.values[name] = [...times.map((t) => rows.get(t)?.[name] ?? null), ...live.values[name]];
    before.timeSeconds.push(...live.timeSeconds);
    Object.assign(this.columns, before);
  }
}
