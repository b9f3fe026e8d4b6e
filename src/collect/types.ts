// MetricsSnapshot: the one type every consumer (API, dashboard, TUI, alerts, history) reads.
// Units: bytes (never KiB), seconds, 0-100 percentages, degrees Celsius, bits/s for link speeds.
// Rates are per second over the snapshot's interval; a rate is absent (not 0) when it cannot be
// known: first read, a device that just appeared, a counter reset, an unreadable file.

import type { UsbDeviceInfo } from '../sys/readSys.ts';

export interface MetricsSnapshot {
  /** When the collection finished, ISO 8601 UTC. */
  timestamp: string;
  /** The same instant in milliseconds since the Unix epoch. */
  timestampMs: number;
  /** Seconds since the previous collection: the window every rate covers; null for the first one. */
  intervalSeconds: number | null;
  cpu?: CpuMetrics;
  pressure?: PressureMetrics;
  memory?: MemoryMetrics;
  temperatures?: TemperatureMetrics;
  disks?: DiskMetrics;
  network?: NetworkMetrics;
  usb?: UsbMetrics;
  processes?: ProcessMetrics;
  system?: SystemInfo;
  /** Collectors that failed this time, with the reason; their section is absent. */
  errors?: CollectorError[];
}

export interface CollectorError {
  collector: string;
  message: string;
}

/** From /proc/stat and /proc/loadavg. Percentages are of all CPUs together (100 = every CPU busy). */
export interface CpuMetrics {
  logicalCpus: number;
  /** Not idle and not waiting for I/O, 0-100. */
  busyPercent?: number;
  userPercent?: number;
  nicePercent?: number;
  systemPercent?: number;
  /** Hard and soft interrupt handling. */
  irqPercent?: number;
  iowaitPercent?: number;
  /** Time the hypervisor ran something else while this guest wanted a CPU. */
  stealPercent?: number;
  idlePercent?: number;
  /** One entry per online CPU, by its number. */
  perCore: Array<{ cpu: number; busyPercent?: number }>;
  /** Load averages: runnable plus uninterruptible tasks, averaged over 1, 5 and 15 minutes. */
  load1: number;
  load5: number;
  load15: number;
  contextSwitchesTotal: number;
  contextSwitchesPerSecond?: number;
  processesCreatedPerSecond?: number;
  /** Tasks runnable now, and blocked on I/O now (procs_running, procs_blocked). */
  runningTasks: number;
  blockedTasks: number;
}

/** Pressure stall information (/proc/pressure), absent where the kernel has none. */
export interface PressureMetrics {
  cpu?: PressureStall;
  memory?: PressureStall;
  io?: PressureStall;
}

export interface PressureStall {
  /** Share of time at least one task stalled on the resource. */
  some: PressureWindow;
  /** Share of time all non-idle tasks stalled at once (absent for cpu on older kernels). */
  full?: PressureWindow;
}

export interface PressureWindow {
  /** Percent of wall time stalled, averaged over 10, 60 and 300 s. */
  avg10Percent: number;
  avg60Percent: number;
  avg300Percent: number;
  /** Total stall time since boot. */
  totalSeconds: number;
}

/** From /proc/meminfo, /sys/block/zram*, and the memory cgroup. */
export interface MemoryMetrics {
  totalBytes: number;
  /** The kernel's estimate of memory available to new work without swapping (MemAvailable). */
  availableBytes: number;
  /** totalBytes - availableBytes, as free(1) of procps-ng 4 computes "used". */
  usedBytes: number;
  usedPercent: number;
  freeBytes: number;
  buffersBytes: number;
  /** Page cache plus reclaimable slab (Cached + SReclaimable): free(1)'s buff/cache less buffers. */
  cachedBytes: number;
  /** tmpfs and shared memory (Shmem). */
  sharedBytes: number;
  swapTotalBytes: number;
  swapUsedBytes: number;
  swapFreeBytes: number;
  /** 0 when there is no swap. */
  swapUsedPercent: number;
  zram: ZramMetrics[];
  /** The memory cgroup this process runs in (a container's own limit), when it has a limit or is not the root. */
  cgroup?: CgroupMemoryMetrics;
}

export interface ZramMetrics {
  name: string;
  diskSizeBytes: number;
  /** Uncompressed data stored, its compressed size, and the RAM the device uses including overhead. */
  originalDataBytes: number;
  compressedDataBytes: number;
  memoryUsedBytes: number;
}

export interface CgroupMemoryMetrics {
  /** Path inside the cgroup hierarchy, e.g. /system.slice/foo.service. */
  path: string;
  version: 1 | 2;
  /** Absent when the cgroup has no limit of its own. */
  limitBytes?: number;
  usageBytes: number;
  /** Usage less inactive file pages: what cannot be reclaimed without swap. */
  workingSetBytes: number;
  /** workingSetBytes / limitBytes, when there is a limit. */
  usedPercent?: number;
}

/** Every /sys/class/thermal zone and /sys/class/hwmon temperature; empty where there are none. */
export interface TemperatureMetrics {
  sensors: TemperatureReading[];
  /** Hottest sensor, absent when there are none. */
  maxCelsius?: number;
}

export interface TemperatureReading {
  source: 'thermal' | 'hwmon';
  /** thermal_zoneN, or chip/tempN for hwmon. */
  sensor: string;
  /** The zone type or the hwmon label, e.g. "Package id 0". */
  label: string;
  celsius: number;
  /** The critical trip point or tempN_crit, when the driver gives one. */
  criticalCelsius?: number;
}

export interface DiskMetrics {
  /** Real mounted filesystems (pseudo filesystems such as proc, sysfs, cgroup skipped), from statfs. */
  filesystems: FilesystemUsage[];
  /** Whole block devices from /proc/diskstats (partitions, loop and ram devices skipped). */
  devices: BlockDeviceIo[];
}

export interface FilesystemUsage {
  mountPoint: string;
  /** The mount source, e.g. /dev/vda. */
  device: string;
  fsType: string;
  totalBytes: number;
  /** total - free: includes blocks reserved for root, as df "Used". */
  usedBytes: number;
  /** Available to unprivileged users, as df "Avail". */
  availableBytes: number;
  /** used / (used + available), as df "Use%" before its rounding up. */
  usedPercent: number;
  inodesTotal: number;
  inodesUsed: number;
  inodesFree: number;
  /** Absent for filesystems without a fixed inode table (they report 0 inodes). */
  inodesUsedPercent?: number;
}

export interface BlockDeviceIo {
  name: string;
  readBytesTotal: number;
  writtenBytesTotal: number;
  readBytesPerSecond?: number;
  writtenBytesPerSecond?: number;
  /** Completed requests per second (IOPS), reads and writes. */
  readsPerSecond?: number;
  writesPerSecond?: number;
  /** Share of the interval with at least one request in flight (iostat %util). */
  busyPercent?: number;
  inFlightRequests: number;
}

export interface NetworkMetrics {
  interfaces: InterfaceMetrics[];
}

export interface InterfaceMetrics {
  name: string;
  /** RFC 2863 operational state from /sys/class/net: up, down, unknown, dormant, ... */
  operState?: string;
  /** Absent where the driver does not know (virtual NICs). */
  speedBitsPerSecond?: number;
  mtuBytes?: number;
  receive: TrafficMetrics;
  transmit: TrafficMetrics;
}

export interface TrafficMetrics {
  /** Totals since the interface appeared. */
  bytes: number;
  packets: number;
  errors: number;
  drops: number;
  bytesPerSecond?: number;
  packetsPerSecond?: number;
  errorsPerSecond?: number;
  dropsPerSecond?: number;
}

/** Devices from /sys/bus/usb/devices and USB trouble seen in the kernel log since the collector started. */
export interface UsbMetrics {
  devices: UsbDevice[];
  /** False when /dev/kmsg cannot be read (needs root or CAP_SYSLOG): timeouts are then unknown. */
  kernelLogReadable: boolean;
  /** A USB timeout was logged within the hold window (default 300 s). */
  hasTimeout: boolean;
  timeoutsInInterval: number;
  resetsInInterval: number;
  /** The last USB problem message and when it was logged (ISO 8601, from the kernel's monotonic clock). */
  lastMessage?: string;
  lastEventTime?: string;
  /** The USB events of the hold window, oldest first, at most 20. */
  recentEvents: UsbEvent[];
}

/** A device from /sys/bus/usb/devices (its fields are documented where sysfs is read: UsbDeviceInfo). */
export interface UsbDevice extends UsbDeviceInfo {
  /** A timeout naming this device was logged within the hold window. */
  hasTimeout: boolean;
  lastMessage?: string;
}

export interface UsbEvent {
  time: string;
  kind: 'timeout' | 'reset' | 'error';
  /** The bus-port id the message names, when it names one. */
  deviceId?: string;
  message: string;
}

export interface ProcessMetrics {
  /** Every process (kernel threads included, as ps -e counts). */
  total: number;
  kernelThreads: number;
  /** Threads over all processes. */
  threads: number;
  /** Processes by state letter: R running, S sleeping, D uninterruptible, Z zombie, T stopped, I idle. */
  running: number;
  sleeping: number;
  uninterruptible: number;
  zombie: number;
  stopped: number;
  idle: number;
  topByCpu: ProcessInfo[];
  topByMemory: ProcessInfo[];
  /** By read + write bytes per second; see docs/snapshot.md for how often each process's io is read. */
  topByIo: ProcessInfo[];
}

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** The kernel's comm (at most 15 characters). */
  name: string;
  /** Arguments joined by spaces; empty for kernel threads. */
  cmdline: string;
  uid?: number;
  /** Owner name from the passwd file, else the uid as text. */
  user?: string;
  /** State letter as ps shows it: R S D Z T t I X P. */
  state: string;
  threads: number;
  /** 100 = one CPU fully used over the interval (top's convention); absent on the first sight of a process. */
  cpuPercent?: number;
  rssBytes: number;
  /** rssBytes / total memory. */
  memoryPercent: number;
  /** Bytes the process caused to be read from / written to storage, per second; absent where /proc/PID/io is unreadable. */
  readBytesPerSecond?: number;
  writtenBytesPerSecond?: number;
  oomScore?: number;
  oomScoreAdj?: number;
  /** Start time, seconds since the Unix epoch. */
  startTimeSeconds: number;
  /** The memory cgroup path (v1) or the unified one (v2). */
  cgroup?: string;
  kernelThread: boolean;
}

export interface SystemInfo {
  hostname: string;
  /** PRETTY_NAME, ID and VERSION_ID from os-release. */
  osName: string;
  osId: string;
  osVersion?: string;
  kernelRelease: string;
  /** As uname -m prints it (x86_64, aarch64). */
  architecture: string;
  cpuModel: string;
  logicalCpus: number;
  physicalCores: number;
  /** Seconds since the Unix epoch. */
  bootTimeSeconds: number;
  uptimeSeconds: number;
}
