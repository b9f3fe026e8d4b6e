// Screen geometry: which panels go where and how many lines each gets, from the terminal size.
import type { BottomPanel, TopPanel } from './keys.ts';

export const MIN_COLUMNS = 80;
export const MIN_ROWS = 24;
// At this width the top panels stand in two columns and the three lists side by side.
export const WIDE_COLUMNS = 120;
// Below these there is no useful screen: a message says so instead.
export const TINY_COLUMNS = 40;
export const TINY_ROWS = 14;
// The label column in front of each top panel: focus marker, name, space.
export const LABEL_WIDTH = 6;

export const LEFT_PANELS: readonly TopPanel[] = ['cpu', 'pressure', 'disks'];
export const RIGHT_PANELS: readonly TopPanel[] = ['memory', 'temperature', 'network'];
export const NARROW_ORDER: readonly TopPanel[] = ['cpu', 'memory', 'pressure', 'temperature', 'disks', 'network'];

export interface Geometry {
  wide: boolean;
  // lines of the screen used: one less than the terminal's, because a frame as tall as the
  // terminal makes Ink clear the whole screen on every update
  lines: number;
  // content width of the top panels in each column (after the label column)
  leftWidth: number;
  rightWidth: number;
  // lines for the top panels together, and for the lower part (lists)
  topBudget: number;
  bottomLines: number;
}

export function geometry(columns: number, rows: number): Geometry {
  const wide = columns >= WIDE_COLUMNS;
  const lines = Math.max(1, rows - 1);
  const body = Math.max(0, lines - 2);
  // The lists keep at least six lines and roughly half of a tall screen.
  const topBudget = Math.max(0, Math.min(body - 6, Math.floor(body * (wide ? 0.5 : 0.55))));
  const leftColumn = wide ? Math.floor(columns / 2) : columns;
  return {
    wide,
    lines,
    leftWidth: Math.max(1, leftColumn - LABEL_WIDTH),
    rightWidth: Math.max(1, columns - leftColumn - 1 - LABEL_WIDTH),
    topBudget,
    bottomLines: body - topBudget,
  };
}

// Heights for panels that want wants[i] lines within budget: one line each first (in order, while
// the budget lasts), then one more at a time to each that wants more, round robin.
export function allocate(wants: readonly number[], budget: number): number[] {
  const heights = wants.map(() => 0);
  let left = budget;
  for (let i = 0; i < wants.length && left > 0; i++) {
    heights[i] = 1;
    left--;
  }
  let grew = true;
  while (left > 0 && grew) {
    grew = false;
    for (let i = 0; i < wants.length && left > 0; i++) {
      if ((heights[i] ?? 0) < (wants[i] ?? 0)) {
        heights[i] = (heights[i] ?? 0) + 1;
        left--;
        grew = true;
      }
    }
  }
  return heights;
}

// Lines for each of the three lists in the wide layout: the table beside the other two stacked.
export function wideLists(bottomLines: number): Record<BottomPanel, number> {
  const alerts = Math.ceil(bottomLines / 2);
  return { processes: bottomLines, alerts, events: bottomLines - alerts };
}
