// One uPlot chart of fixed height (the space is reserved before data arrives, so nothing moves):
// a title, the plot, and a one-line legend that shows the values under the cursor, or the latest.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Band } from '../lib/history.ts';
import { useTheme } from '../theme.ts';
import { chartOptions, formatAxisValue, type SeriesSpec, type ValueUnit } from './chartOptions.ts';
import { queueMount } from './mountQueue.ts';
import type { ZoomGroup } from './zoom.ts';

export interface ChartProps {
  title: string;
  series: readonly SeriesSpec[];
  // [x seconds, ...one array per series]
  data: uPlot.AlignedData;
  unit: ValueUnit;
  plotHeight?: number;
  bands?: readonly Band[];
  // History: zoom with drag, wheel and the page's buttons, all charts together
  zoom?: ZoomGroup;
  testId?: string;
  // shown over the empty plot until there is data
  emptyText?: string;
}

const NO_BANDS: readonly Band[] = [];

function lastIndex(data: uPlot.AlignedData): number | null {
  const length = data[0]?.length ?? 0;
  return length === 0 ? null : length - 1;
}

function attachWheel(u: uPlot, zoom: ZoomGroup): () => void {
  const onWheel = (event: WheelEvent): void => {
    event.preventDefault();
    const rect = u.over.getBoundingClientRect();
    zoom.zoom(event.deltaY < 0 ? 0.8 : 1.25, (event.clientX - rect.left) / Math.max(1, rect.width), u);
  };
  u.over.addEventListener('wheel', onWheel, { passive: false });
  return () => u.over.removeEventListener('wheel', onWheel);
}

// Creates the uPlot in the element; returns what tears it down.
function mountChart(element: HTMLDivElement, props: ChartProps, height: number, bands: { current: readonly Band[] }, setCursor: (i: number | null) => void): { plot: uPlot; destroy: () => void } {
  const options = chartOptions({ width: Math.max(element.clientWidth, 100), height, unit: props.unit, series: props.series, bands: () => bands.current, zoomable: props.zoom !== undefined, onCursor: setCursor });
  const zoom = props.zoom;
  if (zoom) options.hooks = { ...options.hooks, setScale: [(u, key) => key === 'x' && zoom.follow(u)] };
  const plot = new uPlot(options, props.data, element);
  zoom?.add(plot);
  const detachWheel = zoom ? attachWheel(plot, zoom) : () => undefined;
  const resize = new ResizeObserver(() => {
    const width = Math.max(element.clientWidth, 100);
    if (width !== plot.width) plot.setSize({ width, height });
  });
  resize.observe(element);
  return {
    plot,
    destroy: () => {
      resize.disconnect();
      detachWheel();
      zoom?.remove(plot);
      plot.destroy();
    },
  };
}

export function Chart(props: ChartProps): ReactNode {
  const { title, series, data, unit, bands = NO_BANDS, testId, emptyText } = props;
  const height = props.plotHeight ?? 160;
  const theme = useTheme();
  const element = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const bandsRef = useRef(bands);
  // what the chart is built from when its turn comes (queueMount): the newest props and data
  const propsRef = useRef(props);
  propsRef.current = props;
  const [cursor, setCursor] = useState<number | null>(null);
  const shape = `${theme}|${unit}|${series.map((s) => s.label).join('\u0000')}`;

  useEffect(() => {
    const target = element.current;
    if (!target) return undefined;
    let mounted: ReturnType<typeof mountChart> | undefined;
    const cancel = queueMount(() => {
      mounted = mountChart(target, propsRef.current, height, bandsRef, setCursor);
      plot.current = mounted.plot;
    });
    return () => {
      cancel();
      mounted?.destroy();
      plot.current = null;
    };
    // Rebuilt only when its shape (theme, unit, series) changes: data and bands are pushed into the
    // existing chart by the effects below, which is what keeps a live update cheap.
  }, [shape, height]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  useEffect(() => {
    bandsRef.current = bands;
    plot.current?.redraw(false, false);
  }, [bands]);

  const index = cursor ?? lastIndex(data);
  const empty = (data[0]?.length ?? 0) === 0;
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption className="chart-title">{title}</figcaption>
      <div className="chart-plot" style={{ height }} ref={element}>
        {empty && emptyText !== undefined ? <div className="chart-empty">{emptyText}</div> : null}
      </div>
      <div className="chart-legend">
        {series.map((s, i) => {
          const value = index === null ? null : (data[i + 1]?.[index] ?? null);
          return (
            <span key={s.label} className="legend-item">
              <span className="swatch" style={{ background: `var(--series-${s.color % 8})` }} />
              {s.label} <b>{value === null || value === undefined ? '-' : formatAxisValue(unit, value)}</b>
            </span>
          );
        })}
      </div>
    </figure>
  );
}
