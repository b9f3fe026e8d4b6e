// Zooming History's charts together: a range picked on one (drag, wheel, buttons) is applied to
// all, and double-click or "reset" shows the whole range again.
import type uPlot from 'uplot';

function extent(u: uPlot): [number, number] | undefined {
  const xs = u.data[0];
  const first = xs?.[0];
  const last = xs?.[xs.length - 1];
  return first === undefined || last === undefined || last <= first ? undefined : [first, last];
}

// The x range after zooming by factor (< 1 in, > 1 out) around the point at fraction of the width.
export function zoomedRange(current: { min: number; max: number }, bounds: [number, number], factor: number, fraction: number): { min: number; max: number } {
  const [low, high] = bounds;
  const span = Math.min(high - low, Math.max((current.max - current.min) * factor, (high - low) / 100_000));
  const f = Math.min(Math.max(fraction, 0), 1);
  const center = current.min + (current.max - current.min) * f;
  const min = Math.max(low, Math.min(center - span * f, high - span));
  return { min, max: min + span };
}

export class ZoomGroup {
  private readonly charts = new Set<uPlot>();

  add(u: uPlot): void {
    this.charts.add(u);
  }

  remove(u: uPlot): void {
    this.charts.delete(u);
  }

  // A chart's x scale changed (by the person, or by new data): the others follow.
  follow(source: uPlot): void {
    const { min, max } = source.scales['x'] ?? {};
    if (min === undefined || max === undefined || min === null || max === null) return;
    for (const u of this.charts) {
      const x = u.scales['x'];
      if (u !== source && (x?.min !== min || x.max !== max)) u.setScale('x', { min, max });
    }
  }

  zoom(factor: number, fraction = 0.5, source?: uPlot): void {
    const u = source ?? this.charts.values().next().value;
    const bounds = u && extent(u);
    const x = u?.scales['x'];
    if (!u || !bounds || x?.min === undefined || x.max === undefined || x.min === null || x.max === null) return;
    u.setScale('x', zoomedRange({ min: x.min, max: x.max }, bounds, factor, fraction));
  }

  reset(): void {
    for (const u of this.charts) {
      const bounds = extent(u);
      if (bounds) u.setScale('x', { min: bounds[0], max: bounds[1] });
    }
  }
}
