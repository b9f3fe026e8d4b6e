// The one table of /metrics series: node_exporter's names where the meaning is the same, hostguard_*
// for ours. Snapshot series are rendered by exposition.ts once per snapshot; the daemon's series are
// read at each scrape through prom-client (promDaemon.ts), beside its process_* and nodejs_* series.
import type { MetricsSnapshot } from '../collect/types.ts';
import { LEVELS } from '../collect/sampler.ts';
import type { CpuTimes } from '../sys/parseProcStat.ts';
import { type DaemonStatus, type Histogram, SEVERITIES } from './status.ts';

export type Labels = Record<string, string>;
export interface Sample {
  labels?: Labels;
  value: number;
}

// labels: the label names of the samples; declared for the daemon's families (prom-client needs them)
export type Family<S> =
  | { name: string; type: 'gauge' | 'counter'; help: string; samples: (source: S) => Sample[]; labels?: readonly string[] }
  | { name: string; type: 'histogram'; help: string; histogram: (source: S) => Histogram };

export interface SnapshotSource {
  snapshot: MetricsSnapshot;
  // cumulative CPU seconds per CPU from /proc/stat, read with the snapshot (it carries only percentages)
  cpuSeconds?: Array<{ cpu: number; times: CpuTimes }>;
}

const one = (value: number | undefined): Sample[] => (value === undefined ? [] : [{ value }]);
const gauge = <S>(name: string, help: string, samples: (s: S) => Sample[], labels?: readonly string[]): Family<S> => ({ name, type: 'gauge', help, samples, ...(labels ? { labels } : {}) });
const counter = <S>(name: string, help: string, samples: (s: S) => Sample[], labels?: readonly string[]): Family<S> => ({ name, type: 'counter', help, samples, ...(labels ? { labels } : {}) });

type Snap = SnapshotSource;
type Filesystem = NonNullable<MetricsSnapshot['disks']>['filesystems'][number];
type Interface = NonNullable<MetricsSnapshot['network']>['interfaces'][number];
type Traffic = Interface['receive'];

const CPU_MODES: Array<[string, keyof CpuTimes]> = [['user', 'userSeconds'], ['nice', 'niceSeconds'], ['system', 'systemSeconds'], ['idle', 'idleSeconds'], ['iowait', 'iowaitSeconds'], ['irq', 'irqSeconds'], ['softirq', 'softirqSeconds'], ['steal', 'stealSeconds']];
const PROCESS_STATES: Array<[string, 'running' | 'sleeping' | 'uninterruptible' | 'zombie' | 'stopped' | 'idle']> = [['R', 'running'], ['S', 'sleeping'], ['D', 'uninterruptible'], ['Z', 'zombie'], ['T', 'stopped'], ['I', 'idle']];

function memory(name: string, help: string, read: (m: NonNullable<MetricsSnapshot['memory']>) => number): Family<Snap> {
  return gauge(`node_memory_${name}_bytes`, help, (s) => (s.snapshot.memory ? [{ value: read(s.snapshot.memory) }] : []));
}

function filesystem(name: string, help: string, read: (f: Filesystem) => number): Family<Snap> {
  return gauge(`node_filesystem_${name}`, help, (s) => (s.snapshot.disks?.filesystems ?? []).map((f) => ({ labels: { device: f.device, fstype: f.fsType, mountpoint: f.mountPoint }, value: read(f) })));
}

function traffic(direction: 'receive' | 'transmit', name: string, field: keyof Traffic, help: string): Family<Snap> {
  return counter(`node_network_${direction}_${name}_total`, help, (s) => (s.snapshot.network?.interfaces ?? []).map((i) => ({ labels: { device: i.name }, value: i[direction][field] ?? 0 })));
}

function pressure(name: string, resource: 'cpu' | 'memory' | 'io', kind: 'some' | 'full', help: string): Family<Snap> {
  return counter(`node_pressure_${name}_seconds_total`, help, (s) => one(s.snapshot.pressure?.[resource]?.[kind]?.totalSeconds));
}

function temperatureLabels(sensor: string, label: string, source: 'thermal' | 'hwmon'): Labels {
  if (source === 'thermal') return { zone: sensor.replace(/^thermal_zone/, ''), type: label };
  const slash = sensor.lastIndexOf('/');
  return { chip: sensor.slice(0, Math.max(0, slash)), sensor: sensor.slice(slash + 1) };
}

function temperatures(source: 'thermal' | 'hwmon', s: Snap, value: (celsius: number, label: string) => number): Sample[] {
  return (s.snapshot.temperatures?.sensors ?? []).filter((t) => t.source === source).map((t) => ({ labels: temperatureLabels(t.sensor, t.label, source), value: value(t.celsius, t.label) }));
}

export const SNAPSHOT_METRICS: Array<Family<Snap>> = [
  counter('node_cpu_seconds_total', 'Seconds the CPUs spent in each mode.', (s) => (s.cpuSeconds ?? []).flatMap(({ cpu, times }) => CPU_MODES.map(([mode, field]) => ({ labels: { cpu: String(cpu), mode }, value: times[field] })))),
  gauge('node_load1', '1m load average.', (s) => one(s.snapshot.cpu?.load1)),
  gauge('node_load5', '5m load average.', (s) => one(s.snapshot.cpu?.load5)),
  gauge('node_load15', '15m load average.', (s) => one(s.snapshot.cpu?.load15)),
  counter('node_context_switches_total', 'Total number of context switches.', (s) => one(s.snapshot.cpu?.contextSwitchesTotal)),
  gauge('node_procs_running', 'Number of processes in runnable state.', (s) => one(s.snapshot.cpu?.runningTasks)),
  gauge('node_procs_blocked', 'Number of processes blocked waiting for I/O to complete.', (s) => one(s.snapshot.cpu?.blockedTasks)),
  gauge('node_boot_time_seconds', 'Node boot time, in unixtime.', (s) => one(s.snapshot.system?.bootTimeSeconds)),
  gauge('node_uname_info', 'Labeled system information as provided by the uname system call.', (s) => (s.snapshot.system ? [{ labels: { sysname: 'Linux', nodename: s.snapshot.system.hostname, release: s.snapshot.system.kernelRelease, machine: s.snapshot.system.architecture }, value: 1 }] : [])),
  gauge('node_os_info', 'A metric with a constant 1 value labeled by id, pretty_name and version_id from os-release.', (s) => (s.snapshot.system ? [{ labels: { id: s.snapshot.system.osId, pretty_name: s.snapshot.system.osName, version_id: s.snapshot.system.osVersion ?? '' }, value: 1 }] : [])),
  memory('MemTotal', 'Memory information field MemTotal_bytes.', (m) => m.totalBytes),
  memory('MemFree', 'Memory information field MemFree_bytes.', (m) => m.freeBytes),
  memory('MemAvailable', 'Memory information field MemAvailable_bytes.', (m) => m.availableBytes),
  memory('Buffers', 'Memory information field Buffers_bytes.', (m) => m.buffersBytes),
  memory('Shmem', 'Memory information field Shmem_bytes.', (m) => m.sharedBytes),
  memory('SwapTotal', 'Memory information field SwapTotal_bytes.', (m) => m.swapTotalBytes),
  memory('SwapFree', 'Memory information field SwapFree_bytes.', (m) => m.swapFreeBytes),
  gauge('hostguard_memory_cached_bytes', 'Page cache plus reclaimable slab (Cached + SReclaimable), as free(1) counts cache.', (s) => one(s.snapshot.memory?.cachedBytes)),
  gauge('hostguard_memory_cgroup_usage_bytes', "Memory used by this process's memory cgroup.", (s) => (s.snapshot.memory?.cgroup ? [{ labels: { path: s.snapshot.memory.cgroup.path }, value: s.snapshot.memory.cgroup.usageBytes }] : [])),
  gauge('hostguard_memory_cgroup_working_set_bytes', 'Cgroup usage less inactive file pages.', (s) => (s.snapshot.memory?.cgroup ? [{ labels: { path: s.snapshot.memory.cgroup.path }, value: s.snapshot.memory.cgroup.workingSetBytes }] : [])),
  gauge('hostguard_memory_cgroup_limit_bytes', "The memory cgroup's own limit, when it has one.", (s) => (s.snapshot.memory?.cgroup?.limitBytes === undefined ? [] : [{ labels: { path: s.snapshot.memory.cgroup.path }, value: s.snapshot.memory.cgroup.limitBytes }])),
  pressure('cpu_waiting', 'cpu', 'some', 'Total time in seconds that processes have waited for CPU time'),
  pressure('memory_waiting', 'memory', 'some', 'Total time in seconds that processes have waited for memory'),
  pressure('memory_stalled', 'memory', 'full', 'Total time in seconds no process could make progress due to memory congestion'),
  pressure('io_waiting', 'io', 'some', 'Total time in seconds that processes have waited due to IO congestion'),
  pressure('io_stalled', 'io', 'full', 'Total time in seconds no process could make progress due to IO congestion'),
  filesystem('size_bytes', 'Filesystem size in bytes.', (f) => f.totalBytes),
  filesystem('free_bytes', 'Filesystem free space in bytes.', (f) => f.totalBytes - f.usedBytes),
  filesystem('avail_bytes', 'Filesystem space available to non-root users in bytes.', (f) => f.availableBytes),
  filesystem('files', 'Filesystem total file nodes.', (f) => f.inodesTotal),
  filesystem('files_free', 'Filesystem total free file nodes.', (f) => f.inodesFree),
  counter('node_disk_read_bytes_total', 'The total number of bytes read successfully.', (s) => (s.snapshot.disks?.devices ?? []).map((d) => ({ labels: { device: d.name }, value: d.readBytesTotal }))),
  counter('node_disk_written_bytes_total', 'The total number of bytes written successfully.', (s) => (s.snapshot.disks?.devices ?? []).map((d) => ({ labels: { device: d.name }, value: d.writtenBytesTotal }))),
  gauge('node_disk_io_now', 'The number of I/Os currently in progress.', (s) => (s.snapshot.disks?.devices ?? []).map((d) => ({ labels: { device: d.name }, value: d.inFlightRequests }))),
  traffic('receive', 'bytes', 'bytes', 'Network device statistic receive_bytes.'),
  traffic('receive', 'packets', 'packets', 'Network device statistic receive_packets.'),
  traffic('receive', 'errs', 'errors', 'Network device statistic receive_errs.'),
  traffic('receive', 'drop', 'drops', 'Network device statistic receive_drop.'),
  traffic('transmit', 'bytes', 'bytes', 'Network device statistic transmit_bytes.'),
  traffic('transmit', 'packets', 'packets', 'Network device statistic transmit_packets.'),
  traffic('transmit', 'errs', 'errors', 'Network device statistic transmit_errs.'),
  traffic('transmit', 'drop', 'drops', 'Network device statistic transmit_drop.'),
  gauge('node_network_up', "Value is 1 if operstate is 'up', 0 otherwise.", (s) => (s.snapshot.network?.interfaces ?? []).map((i) => ({ labels: { device: i.name }, value: i.operState === 'up' ? 1 : 0 }))),
  gauge('node_network_mtu_bytes', 'Network device property: mtu_bytes', (s) => (s.snapshot.network?.interfaces ?? []).flatMap((i) => (i.mtuBytes === undefined ? [] : [{ labels: { device: i.name }, value: i.mtuBytes }]))),
  gauge('node_network_speed_bytes', 'Network device property: speed_bytes', (s) => (s.snapshot.network?.interfaces ?? []).flatMap((i) => (i.speedBitsPerSecond === undefined ? [] : [{ labels: { device: i.name }, value: i.speedBitsPerSecond / 8 }]))),
  gauge('node_thermal_zone_temp', 'Zone temperature in Celsius', (s) => temperatures('thermal', s, (celsius) => celsius)),
  gauge('node_hwmon_temp_celsius', 'Hardware monitor for temperature (input)', (s) => temperatures('hwmon', s, (celsius) => celsius)),
  gauge('node_processes_state', 'Number of processes in each state.', (s) => (s.snapshot.processes ? PROCESS_STATES.map(([state, field]) => ({ labels: { state }, value: s.snapshot.processes?.[field] ?? 0 })) : [])),
  gauge('node_processes_threads', 'Allocated threads in system', (s) => one(s.snapshot.processes?.threads)),
  gauge('hostguard_usb_timeout_active', '1 while a USB timeout was logged within the hold window.', (s) => (s.snapshot.usb?.kernelLogReadable ? [{ value: s.snapshot.usb.hasTimeout ? 1 : 0 }] : [])),
  gauge('hostguard_usb_devices', 'USB devices present.', (s) => one(s.snapshot.usb?.devices.length)),
];

// Counts kept by "a b" keys, as labelled samples.
function pairs(map: Map<string, number>, first: string, second: string): Sample[] {
  return [...map].map(([key, value]) => {
    const [a = '', b = ''] = key.split(' ');
    return { labels: { [first]: a, [second]: b }, value };
  });
}

export const DAEMON_METRICS: Array<Family<DaemonStatus>> = [
  gauge('hostguard_build_info', 'A metric with a constant 1 value labeled by the hostguard and Node.js versions.', (d) => [{ labels: { version: d.version, nodejs_version: process.version }, value: 1 }], ['version', 'nodejs_version']),
  gauge('hostguard_start_time_seconds', 'When the daemon started, in unixtime.', (d) => [{ value: d.startTimeMs / 1000 }]),
  gauge('hostguard_sampler_level', 'The adaptive sampler level: 1 for the current one.', (d) => LEVELS.map((level) => ({ labels: { level }, value: d.sampler.level === level ? 1 : 0 })), ['level']),
  gauge('hostguard_sampler_interval_seconds', 'Time between samples at the current level.', (d) => [{ value: d.sampler.intervalMs / 1000 }]),
  gauge('hostguard_last_collection_timestamp_seconds', 'When the last snapshot was taken, in unixtime.', (d) => one(d.sampler.lastCollectionMs === undefined ? undefined : d.sampler.lastCollectionMs / 1000)),
  { name: 'hostguard_collection_duration_seconds', type: 'histogram', help: 'Time to take one snapshot (all collectors).', histogram: (d) => d.sampler.collectionDuration },
  { name: 'hostguard_sampler_tick_lateness_seconds', type: 'histogram', help: 'How long after it was due each sampling tick ran.', histogram: (d) => d.sampler.tickLateness },
  counter('hostguard_collector_errors_total', 'Collections in which a collector failed.', (d) => Object.entries(d.sampler.collectorErrorsTotal).map(([collector, value]) => ({ labels: { collector }, value })), ['collector']),
  gauge('hostguard_anomalies_open', 'Anomaly episodes open now.', (d) => SEVERITIES.map((severity) => ({ labels: { severity }, value: d.anomalies.open[severity] })), ['severity']),
  counter('hostguard_anomalies_opened_total', 'Anomaly episodes opened since the daemon started.', (d) => SEVERITIES.map((severity) => ({ labels: { severity }, value: d.anomalies.openedTotal[severity] })), ['severity']),
  gauge('hostguard_store_size_bytes', 'Size of the history store on disk.', (d) => one(d.store.sizeBytes)),
  gauge('hostguard_store_up', '1 when the store answered its last health check.', (d) => [{ labels: { kind: d.store.kind }, value: d.store.healthy ? 1 : 0 }], ['kind']),
  counter('hostguard_store_write_errors_total', 'Snapshots or episodes the store failed to write.', (d) => [{ value: d.store.writeErrorsTotal }]),
  gauge('hostguard_store_writes_pending', 'Writes queued for the store.', (d) => [{ value: d.store.writesPending }]),
  counter('hostguard_store_retention_deleted_rows_total', 'Rows deleted by retention.', (d) => [{ value: d.store.retentionDeletedRowsTotal }]),
  gauge('hostguard_websocket_clients', 'WebSocket clients connected now.', (d) => [{ value: d.websocket.clients }]),
  counter('hostguard_websocket_dropped_total', 'WebSocket clients dropped: slow (send buffer full) or no_pong (no answer to a ping).', (d) => Object.entries(d.websocket.droppedTotal).map(([reason, value]) => ({ labels: { reason }, value })), ['reason']),
  gauge('hostguard_alerts_firing', 'Alerts firing now (acknowledged ones included).', (d) => [{ value: d.alerts.firing }]),
  counter('hostguard_alerts_total', 'Alerts raised (fired or repeated), by type and severity.', (d) => pairs(d.alerts.raisedTotal, 'type', 'severity'), ['type', 'severity']),
  counter('hostguard_alert_deliveries_total', 'Alert deliveries by channel and outcome: sent, failed, suppressed or unknown (sent, answer lost).', (d) => pairs(d.alerts.deliveriesTotal, 'channel', 'status'), ['channel', 'status']),
  counter('hostguard_events_total', 'Host events received (exec, exit, oom_victim, guard_*, trace_*), by type.', (d) => [...d.events.receivedTotal].map(([type, value]) => ({ labels: { type }, value })), ['type']),
  counter('hostguard_events_dropped_total', 'Host events not stored because of [events] max_per_minute (still sent on /ws).', (d) => [{ value: d.events.droppedTotal() }]),
  gauge('hostguard_trace_up', '1 while the tracer is live: eBPF (mode="ebpf") or /proc sampling (mode="sampled").', (d) => {
    const stats = d.traceStats();
    return stats ? [{ labels: { mode: stats.mode }, value: stats.state === 'live' ? 1 : 0 }] : [];
  }, ['mode']),
  counter('hostguard_trace_records_lost_total', "Tracer records lost, by record type; perf: records bpftrace's perf buffers dropped.", (d) => {
    const stats = d.traceStats();
    if (!stats) return [];
    return [...Object.entries(stats.records?.lost ?? {}).map(([record, value]) => ({ labels: { record }, value })), { labels: { record: 'perf' }, value: stats.perfRecordsLost }];
  }, ['record']),
  counter('hostguard_trace_restarts_total', 'Times bpftrace was restarted after it stopped.', (d) => one(d.traceStats()?.restarts)),
  counter('hostguard_oom_kills_total', "Kernel OOM killer victims the tracer saw (or counted, when sampling).", (d) => one(d.traceStats()?.oomKills)),
  gauge('hostguard_memory_level', "The guard's graduated memory level: 0 NORMAL, 1 WARNING, 2 CRITICAL, 3 EMERGENCY (from its events file).", (d) => one(d.guard.memoryLevel)),
  counter('hostguard_target_throttled_total', 'Times the graduated response started throttling a target.', (d) => [...d.guard.targetThrottledTotal].map(([target, value]) => ({ labels: { target }, value })), ['target']),
  counter('hostguard_target_paused_total', 'Times the graduated response paused a target.', (d) => [...d.guard.targetPausedTotal].map(([target, value]) => ({ labels: { target }, value })), ['target']),
  counter('hostguard_protect_actions_total', "The resource protector's actions: renice, throttle, cleanup, memory-target.", (d) => [...d.guard.protectActionsTotal].map(([action, value]) => ({ labels: { action }, value })), ['action']),
  counter('hostguard_http_requests_total', 'HTTP requests answered, by route and status code.', (d) => [...d.httpRequestsTotal].map(([key, value]) => {
    const [route = '', code = ''] = key.split(' ');
    return { labels: { route, code }, value };
  }), ['route', 'code']),
];

export const METRIC_NAMES: readonly string[] = [...SNAPSHOT_METRICS, ...DAEMON_METRICS].map((f) => f.name);
