// The metrics anomaly rules may name: one table, each with its unit, category and how to read it
// from a MetricsSnapshot. Names follow <subsystem>_<name>_<unit>.
import type { MetricsSnapshot } from '../collect/types.ts';

export type Unit = 'percent' | 'celsius' | 'bytes' | 'count' | 'per_second' | 'ratio';
export type Category = 'cpu' | 'memory' | 'temperature' | 'disk' | 'usb' | 'network' | 'system';

// One value of a metric: entity names what it is about (a mount point, a sensor) for per-entity metrics.
export interface MetricValue {
  entity?: string;
  value: number;
}

export interface MetricDefinition {
  unit: Unit;
  category: Category;
  // what a person reads in an episode message, e.g. "CPU busy"
  label: string;
  description: string;
  // undefined: the snapshot has no such section (collector off or failed), so nothing is known;
  // an empty list: the section is there but has no such entity
  read(snapshot: MetricsSnapshot): MetricValue[] | undefined;
}

function one(value: number | undefined): MetricValue[] {
  return value === undefined ? [] : [{ value }];
}

function pressure(resource: 'cpu' | 'memory' | 'io', kind: 'some' | 'full', description: string): MetricDefinition {
  return {
    unit: 'percent',
    category: resource === 'cpu' ? 'cpu' : resource === 'memory' ? 'memory' : 'disk',
    label: `${resource} pressure (${kind}, 10 s)`,
    description,
    read: (s) => s.pressure && one(s.pressure[resource]?.[kind]?.avg10Percent),
  };
}

const DEFINITIONS = {
  cpu_busy_percent: { unit: 'percent', category: 'cpu', label: 'CPU busy', description: 'CPU time not idle nor waiting for I/O, all CPUs', read: (s) => s.cpu && one(s.cpu.busyPercent) },
  cpu_iowait_percent: { unit: 'percent', category: 'cpu', label: 'CPU iowait', description: 'CPU time idle while I/O was pending', read: (s) => s.cpu && one(s.cpu.iowaitPercent) },
  cpu_steal_percent: { unit: 'percent', category: 'cpu', label: 'CPU steal', description: 'CPU time the hypervisor gave to others', read: (s) => s.cpu && one(s.cpu.stealPercent) },
  cpu_load1_per_cpu_ratio: { unit: 'ratio', category: 'cpu', label: 'load per CPU', description: '1-minute load average divided by the number of CPUs', read: (s) => s.cpu && one(s.cpu.logicalCpus > 0 ? s.cpu.load1 / s.cpu.logicalCpus : undefined) },
  memory_used_percent: { unit: 'percent', category: 'memory', label: 'memory used', description: 'RAM not available (total - MemAvailable) as % of total', read: (s) => s.memory && one(s.memory.usedPercent) },
  memory_available_bytes: { unit: 'bytes', category: 'memory', label: 'memory available', description: 'MemAvailable', read: (s) => s.memory && one(s.memory.availableBytes) },
  swap_used_percent: { unit: 'percent', category: 'memory', label: 'swap used', description: 'swap in use as % of swap (0 without swap)', read: (s) => s.memory && one(s.memory.swapUsedPercent) },
  cgroup_memory_used_percent: { unit: 'percent', category: 'memory', label: 'cgroup memory used', description: "working set as % of this process's memory cgroup limit", read: (s) => s.memory && one(s.memory.cgroup?.usedPercent) },
  pressure_cpu_some_percent: pressure('cpu', 'some', 'share of time some task waited for a CPU (PSI avg10)'),
  pressure_memory_some_percent: pressure('memory', 'some', 'share of time some task stalled on memory (PSI avg10)'),
  pressure_memory_full_percent: pressure('memory', 'full', 'share of time all tasks stalled on memory (PSI avg10)'),
  pressure_io_some_percent: pressure('io', 'some', 'share of time some task stalled on I/O (PSI avg10)'),
  pressure_io_full_percent: pressure('io', 'full', 'share of time all tasks stalled on I/O (PSI avg10)'),
  temperature_celsius: { unit: 'celsius', category: 'temperature', label: 'temperature', description: 'each thermal zone and hwmon sensor', read: (s) => s.temperatures?.sensors.map((t) => ({ entity: t.label, value: t.celsius })) },
  disk_used_percent: { unit: 'percent', category: 'disk', label: 'disk used', description: 'each filesystem, as df Use%', read: (s) => s.disks?.filesystems.map((f) => ({ entity: f.mountPoint, value: f.usedPercent })) },
  disk_inodes_used_percent: { unit: 'percent', category: 'disk', label: 'inodes used', description: 'each filesystem with an inode table', read: (s) => s.disks?.filesystems.flatMap((f) => (f.inodesUsedPercent === undefined ? [] : [{ entity: f.mountPoint, value: f.inodesUsedPercent }])) },
  disk_busy_percent: { unit: 'percent', category: 'disk', label: 'disk busy', description: 'each block device, share of time with I/O in flight', read: (s) => s.disks?.devices.flatMap((d) => (d.busyPercent === undefined ? [] : [{ entity: d.name, value: d.busyPercent }])) },
  network_errors_per_second: { unit: 'per_second', category: 'network', label: 'network errors', description: 'each interface, receive + transmit errors per second', read: (s) => s.network?.interfaces.flatMap((i) => (i.receive.errorsPerSecond === undefined ? [] : [{ entity: i.name, value: i.receive.errorsPerSecond + (i.transmit.errorsPerSecond ?? 0) }])) },
  network_drops_per_second: { unit: 'per_second', category: 'network', label: 'network drops', description: 'each interface, receive + transmit drops per second', read: (s) => s.network?.interfaces.flatMap((i) => (i.receive.dropsPerSecond === undefined ? [] : [{ entity: i.name, value: i.receive.dropsPerSecond + (i.transmit.dropsPerSecond ?? 0) }])) },
  usb_timeouts_count: { unit: 'count', category: 'usb', label: 'USB timeouts', description: 'USB timeouts read from the kernel log by this snapshot (the log is read every 5 s)', read: (s) => s.usb && (s.usb.kernelLogReadable ? [{ value: s.usb.timeoutsInInterval }] : []) },
  processes_zombie_count: { unit: 'count', category: 'system', label: 'zombie processes', description: 'processes exited but not reaped', read: (s) => s.processes && one(s.processes.zombie) },
  processes_uninterruptible_count: { unit: 'count', category: 'system', label: 'processes in D state', description: 'processes in uninterruptible sleep (usually I/O)', read: (s) => s.processes && one(s.processes.uninterruptible) },
} satisfies Record<string, MetricDefinition>;

export type MetricName = keyof typeof DEFINITIONS;

export const METRICS: Record<MetricName, MetricDefinition> = DEFINITIONS;

export const METRIC_NAMES = Object.keys(METRICS) as MetricName[];

export function isMetricName(name: string): name is MetricName {
  return Object.hasOwn(METRICS, name);
}

// Where a threshold makes sense at all: percentages 0-100, plausible temperatures, no negative counts.
export const UNIT_RANGES: Record<Unit, { min: number; max: number; text: string }> = {
  percent: { min: 0, max: 100, text: 'a percentage from 0 to 100' },
  celsius: { min: -50, max: 200, text: 'degrees Celsius from -50 to 200' },
  bytes: { min: 0, max: Number.MAX_SAFE_INTEGER, text: 'a non-negative number of bytes' },
  count: { min: 0, max: Number.MAX_SAFE_INTEGER, text: 'a non-negative count' },
  per_second: { min: 0, max: Number.MAX_SAFE_INTEGER, text: 'a non-negative rate per second' },
  ratio: { min: 0, max: 1000, text: 'a ratio from 0 to 1000' },
};

export const UNIT_SYMBOLS: Record<Unit, string> = { percent: ' %', celsius: ' C', bytes: ' B', count: '', per_second: '/s', ratio: '' };
