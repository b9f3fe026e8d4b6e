// Overview: the host now. Numbers and charts from the live socket (the last 15 minutes, filled
// from history on load), temperatures as gauges, filesystems, and what the host is.
import { useMemo, type ReactNode } from 'react';
import { useLive } from '../api/session.ts';
import type { MetricsSnapshot } from '../api/types.ts';
import { Chart } from '../components/Chart.tsx';
import { Gauge } from '../components/Gauge.tsx';
import { Empty } from '../components/Notice.tsx';
import { clockTime, formatBytes, formatDuration, formatNumber, formatPercent, formatRate } from '../lib/format.ts';
import { chartData, chartSeries, LIVE_CHARTS } from './liveCharts.ts';

function Tile(props: { label: string; value: string; detail?: string; testId: string }): ReactNode {
  return (
    <div className="tile">
      <div className="tile-label">{props.label}</div>
      <div className="tile-value" data-testid={props.testId}>
        {props.value}
      </div>
      <div className="tile-detail">{props.detail ?? '\u00a0'}</div>
    </div>
  );
}

function Tiles(props: { s: MetricsSnapshot | undefined }): ReactNode {
  const { cpu, memory, processes } = props.s ?? {};
  const external = (props.s?.network?.interfaces ?? []).filter((i) => i.name !== 'lo');
  const rx = external.reduce((sum, i) => sum + (i.receive.bytesPerSecond ?? 0), 0);
  const tx = external.reduce((sum, i) => sum + (i.transmit.bytesPerSecond ?? 0), 0);
  return (
    <section className="tiles" aria-label="Now">
      <Tile label="CPU busy" testId="cpu-busy" value={formatPercent(cpu?.busyPercent)} detail={cpu ? `${cpu.logicalCpus} CPUs, iowait ${formatPercent(cpu.iowaitPercent)}` : undefined} />
      <Tile label="Memory used" testId="memory-used" value={formatPercent(memory?.usedPercent)} detail={memory ? `${formatBytes(memory.usedBytes)} of ${formatBytes(memory.totalBytes)}` : undefined} />
      <Tile label="Swap used" testId="swap-used" value={memory && memory.swapTotalBytes === 0 ? 'no swap' : formatPercent(memory?.swapUsedPercent)} detail={memory ? `${formatBytes(memory.swapUsedBytes)} of ${formatBytes(memory.swapTotalBytes)}` : undefined} />
      <Tile label="Load (1 min)" testId="load" value={formatNumber(cpu?.load1)} detail={cpu ? `5 min ${formatNumber(cpu.load5)}, 15 min ${formatNumber(cpu.load15)}` : undefined} />
      <Tile label="Processes" testId="processes" value={processes ? String(processes.total) : '-'} detail={processes ? `${processes.threads} threads, ${processes.zombie} zombie` : undefined} />
      <Tile label="Network" testId="network" value={props.s ? formatRate(rx) : '-'} detail={props.s ? `in; out ${formatRate(tx)}` : undefined} />
    </section>
  );
}

function SystemCard(props: { s: MetricsSnapshot | undefined }): ReactNode {
  const system = props.s?.system;
  const rows: Array<[string, string]> = [
    ['Host', system?.hostname ?? '-'],
    ['OS', system?.osName ?? '-'],
    ['Kernel', system ? `${system.kernelRelease} (${system.architecture})` : '-'],
    ['CPU', system ? `${system.cpuModel}, ${system.physicalCores} cores, ${system.logicalCpus} threads` : '-'],
    ['Uptime', formatDuration(system?.uptimeSeconds)],
    ['Sampled every', props.s?.intervalSeconds ? `${formatNumber(props.s.intervalSeconds, 1)} s` : '-'],
  ];
  return (
    <section className="card system-card" aria-label="System">
      <h2>System</h2>
      <dl>
        {rows.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
        <div>
          <dt>Updated</dt>
          <dd data-testid="updated">{props.s ? clockTime(props.s.timestampMs) : '-'}</dd>
        </div>
      </dl>
    </section>
  );
}

function Temperatures(props: { s: MetricsSnapshot | undefined }): ReactNode {
  const sensors = props.s?.temperatures?.sensors ?? [];
  return (
    <section className="card" aria-label="Temperatures">
      <h2>Temperatures</h2>
      {sensors.length === 0 ? (
        <Empty>{props.s ? 'No temperature sensors on this host (none in /sys/class/thermal or hwmon).' : 'Waiting for the first snapshot.'}</Empty>
      ) : (
        <div className="gauges">
          {sensors.map((t) => (
            <Gauge key={t.sensor} label={t.label || t.sensor} celsius={t.celsius} {...(t.criticalCelsius === undefined ? {} : { criticalCelsius: t.criticalCelsius })} />
          ))}
        </div>
      )}
    </section>
  );
}

function Filesystems(props: { s: MetricsSnapshot | undefined }): ReactNode {
  const filesystems = props.s?.disks?.filesystems ?? [];
  return (
    <section className="card" aria-label="Filesystems">
      <h2>Filesystems</h2>
      {filesystems.length === 0 ? <Empty>{props.s ? 'No filesystems reported.' : 'Waiting for the first snapshot.'}</Empty> : null}
      {filesystems.map((f) => (
        <div key={f.mountPoint} className="bar-row">
          <span className="bar-label" title={`${f.device} (${f.fsType})`}>
            {f.mountPoint}
          </span>
          <span className="bar" role="meter" aria-valuenow={f.usedPercent} aria-valuemin={0} aria-valuemax={100} aria-label={`${f.mountPoint} used`}>
            <span className={`bar-fill ${f.usedPercent >= 90 ? 'critical' : f.usedPercent >= 80 ? 'warning' : ''}`} style={{ width: `${Math.min(100, f.usedPercent)}%` }} />
          </span>
          <span className="bar-value">
            {formatPercent(f.usedPercent, 0)} of {formatBytes(f.totalBytes)}
          </span>
        </div>
      ))}
    </section>
  );
}

export default function Overview(): ReactNode {
  const { latest, version, series } = useLive();
  const cores = series.data.cores.length;
  const charts = useMemo(() => LIVE_CHARTS.map((chart) => ({ chart, specs: chartSeries(chart, cores) })), [cores]);
  // version changes with every snapshot: new arrays for the charts
  const datas = useMemo(() => LIVE_CHARTS.map((chart) => chartData(chart, series.data)), [version, series]);
  return (
    <div className="page overview">
      <Tiles s={latest} />
      <div className="grid charts">
        {charts.map(({ chart, specs }, i) => (
          <Chart key={chart.id} testId={`chart-${chart.id}`} title={chart.title} unit={chart.unit} series={specs} data={datas[i] ?? [[]]} emptyText="Waiting for data" />
        ))}
      </div>
      <div className="grid">
        <Temperatures s={latest} />
        <Filesystems s={latest} />
        <SystemCard s={latest} />
      </div>
    </div>
  );
}
