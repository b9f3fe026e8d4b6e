// The overview's live charts: which buffer columns each one plots, as uPlot data.
import type uPlot from 'uplot';
import type { LiveColumn, LiveColumns } from '../api/liveSeries.ts';
import type { SeriesSpec, ValueUnit } from '../components/chartOptions.ts';

export interface LiveChart {
  id: string;
  title: string;
  unit: ValueUnit;
  columns: Array<{ column: LiveColumn; label: string }>;
  // CPU: a line per core after the total
  perCore?: boolean;
}

export const LIVE_CHARTS: readonly LiveChart[] = [
  { id: 'cpu', title: 'CPU busy', unit: 'percent100', columns: [{ column: 'cpuBusy', label: 'all' }, { column: 'cpuIowait', label: 'iowait' }], perCore: true },
  { id: 'memory', title: 'Memory and swap used', unit: 'percent100', columns: [{ column: 'memoryUsed', label: 'memory' }, { column: 'swapUsed', label: 'swap' }] },
  { id: 'pressure', title: 'Pressure stall (some, 10 s)', unit: 'percent', columns: [{ column: 'pressureCpu', label: 'cpu' }, { column: 'pressureMemory', label: 'memory' }, { column: 'pressureIo', label: 'io' }] },
  { id: 'network', title: 'Network (all but lo)', unit: 'bytesPerSecond', columns: [{ column: 'networkReceive', label: 'receive' }, { column: 'networkTransmit', label: 'transmit' }] },
  { id: 'disk', title: 'Disk I/O', unit: 'bytesPerSecond', columns: [{ column: 'diskRead', label: 'read' }, { column: 'diskWrite', label: 'write' }] },
];

export function chartSeries(chart: LiveChart, cores: number): SeriesSpec[] {
  const base = chart.columns.map((c, i) => ({ label: c.label, color: i }));
  if (!chart.perCore) return base;
  return [...base, ...Array.from({ length: cores }, (_, i) => ({ label: `cpu${i}`, color: base.length + i }))];
}

// Copies: the buffer keeps growing in place, and uPlot must see the data it was given.
export function chartData(chart: LiveChart, data: Readonly<LiveColumns>): uPlot.AlignedData {
  const columns = chart.columns.map((c) => data.values[c.column].slice());
  const cores = chart.perCore ? data.cores.map((column) => column.slice()) : [];
  return [data.timeSeconds.slice(), ...columns, ...cores];
}
