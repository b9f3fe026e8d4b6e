// uPlot options for the dashboard's charts: theme colors from CSS variables, axis formats per unit,
// anomaly bands under the lines, and instrumentation (draw time, points drawn, the first chart)
// that the browser tests and bench/web.ts read from the chart's element.
import type uPlot from 'uplot';
import type { Band } from '../lib/history.ts';
import { formatAxisValue, type ValueUnit } from '../lib/format.ts';

export { formatAxisValue, type ValueUnit };

export interface SeriesSpec {
  label: string;
  // index into the theme's series palette (--series-0 ... --series-7)
  color: number;
}

export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

function yRange(unit: ValueUnit): uPlot.Scale.Range {
  // percentages of a whole: always 0-100, so a quiet host does not look busy
  if (unit === 'percent100') return [0, 100];
  return (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1];
}

// Tick spacing for bytes: binary steps (1, 2, 4 ... 512 KiB, 1 MiB ...), so ticks read 8 MiB/s, not 8.39 MB/s.
const BYTE_INCREMENTS = Array.from({ length: 6 }, (_, k) => [1, 2, 4, 8, 16, 32, 64, 128, 256, 512].map((m) => m * 1024 ** k)).flat();

const pad = (n: number): string => String(n).padStart(2, '0');

// Time ticks in 24-hour local time; the date only when the span reaches past a day.
export function formatTimeTicks(splits: readonly number[], spanSeconds: number): string[] {
  return splits.map((seconds) => {
    const d = new Date(seconds * 1000);
    const time = spanSeconds < 600 ? `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}` : `${pad(d.getHours())}:${pad(d.getMinutes())}`;
    if (spanSeconds < 86_400) return time;
    const date = `${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
    return spanSeconds < 4 * 86_400 ? `${date} ${time}` : date;
  });
}

let firstChartMarked = false;

// Paints the bands (anomaly episodes) under the series, from x to the episode's end or the edge.
function drawBands(u: uPlot, bands: () => readonly Band[]): void {
  const { ctx, bbox } = u;
  ctx.save();
  for (const band of bands()) {
    const left = Math.max(bbox.left, u.valToPos(band.startSeconds, 'x', true));
    const right = band.endSeconds === null ? bbox.left + bbox.width : Math.min(bbox.left + bbox.width, u.valToPos(band.endSeconds, 'x', true));
    if (right <= left) continue;
    ctx.fillStyle = cssVar(`--band-${band.severity}`);
    ctx.fillRect(left, bbox.top, Math.max(1, right - left), bbox.height);
  }
  ctx.restore();
}

// How long each redraw takes and how many points it drew, on the root element (data-draw-ms,
// data-draws, data-points); the first chart that draws data sets the performance mark
// "hostguard:first-chart".
function instrument(): uPlot.Hooks.Arrays {
  let startedMs = 0;
  let draws = 0;
  return {
    drawClear: [() => (startedMs = performance.now())],
    draw: [
      (u) => {
        draws += 1;
        const points = u.data[0]?.length ?? 0;
        u.root.dataset['drawMs'] = (performance.now() - startedMs).toFixed(3);
        u.root.dataset['draws'] = String(draws);
        u.root.dataset['points'] = String(points);
        if (points > 0 && !firstChartMarked) {
          firstChartMarked = true;
          performance.mark('hostguard:first-chart');
        }
      },
    ],
  };
}

export interface OptionsInput {
  width: number;
  height: number;
  unit: ValueUnit;
  series: readonly SeriesSpec[];
  bands: () => readonly Band[];
  // drag to select a range zooms in (History); live charts follow the data instead
  zoomable: boolean;
  onCursor?: (index: number | null) => void;
}

export function chartOptions(input: OptionsInput): uPlot.Options {
  const axis = cssVar('--axis');
  const grid = cssVar('--grid');
  const font = '11px system-ui, sans-serif';
  const hooks = instrument();
  hooks.drawAxes = [(u) => drawBands(u, input.bands)];
  hooks.setCursor = [(u) => input.onCursor?.(u.cursor.idx ?? null)];
  return {
    width: input.width,
    height: input.height,
    legend: { show: false },
    cursor: { drag: { x: input.zoomable, y: false, setScale: input.zoomable }, points: { show: false } },
    scales: { x: { time: true }, y: { range: yRange(input.unit) } },
    axes: [
      { stroke: axis, font, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, values: (u, splits) => formatTimeTicks(splits, (u.scales['x']?.max ?? 0) - (u.scales['x']?.min ?? 0)) },
      {
        stroke: axis,
        font,
        size: input.unit === 'bytesPerSecond' ? 78 : 52,
        grid: { stroke: grid, width: 1 },
        ticks: { show: false },
        values: (_u, splits) => splits.map((v) => formatAxisValue(input.unit, v)),
        ...(input.unit === 'bytesPerSecond' ? { incrs: BYTE_INCREMENTS } : {}),
      },
    ],
    // Lines one CSS pixel wide: Chromium rasterizes a 1 px stroke on its fast (hairline) path; at
    // 1.5 px zooming 6 x 43,200 points cost the renderer 16-19 ms of CPU a step instead of 8.
    series: [{}, ...input.series.map((s) => ({ label: s.label, stroke: cssVar(`--series-${s.color % 8}`), width: 1, points: { show: false }, spanGaps: false }))],
    hooks,
  };
}
