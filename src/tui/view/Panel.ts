// A top panel: a label column (focus marker and name) beside its lines, scrolled to fit its height.
import { createElement as h, type ReactElement } from 'react';
import { LABEL_WIDTH } from '../layout.ts';
import { type Line, plain } from '../lines.ts';
import { LinesBox } from './LinesBox.ts';

export interface PanelProps {
  label: string;
  focused: boolean;
  lines: readonly Line[];
  // content width (the label column comes on top of it)
  width: number;
  height: number;
  scroll: number;
}

// The visible lines from the scroll offset (clamped): the label on the first, "+N" in the label
// column of the last when N more lines are below (on a one-line panel, a "+" after the label).
export function panelLines({ label, focused, lines, height, scroll }: Omit<PanelProps, 'width'>): Line[] {
  if (height <= 0) return [];
  const offset = Math.max(0, Math.min(scroll, lines.length - height));
  const visible = lines.slice(offset, offset + height);
  const below = lines.length - offset - visible.length;
  return visible.map((line, index) => {
    const last = index === visible.length - 1 && below > 0;
    if (index > 0) return [{ text: (last ? ` +${below}` : '').padEnd(LABEL_WIDTH), dim: true }, ...line];
    const tag = `${focused ? '>' : ' '}${label}`.padEnd(LABEL_WIDTH - 1);
    return [{ text: tag, bold: true, inverse: focused }, plain(last ? '+' : ' '), ...line];
  });
}

export function Panel(props: PanelProps): ReactElement {
  return h(LinesBox, { lines: panelLines(props), width: props.width + LABEL_WIDTH, height: props.height });
}
