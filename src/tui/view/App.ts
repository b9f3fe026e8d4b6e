// The whole screen: header, top panels, lists, footer (or the help), and what the keys do to it.
import { Box, Text, useInput } from 'ink';
import { createElement as h, type ReactElement, useMemo, useRef, useState } from 'react';
import type { ProcessInfo } from '../../collect/types.ts';
import { cpuLines } from '../content/cpu.ts';
import { memoryLines, pressureLines, temperatureLines } from '../content/memory.ts';
import { diskLines, networkLines } from '../content/storage.ts';
import { initialUi, type KeyPress, reduceKey, splitKeys, type SignalName, type TopPanel, type UiState } from '../keys.ts';
import { allocate, geometry, type Geometry, LABEL_WIDTH, LEFT_PANELS, MIN_COLUMNS, MIN_ROWS, NARROW_ORDER, RIGHT_PANELS, TINY_COLUMNS, TINY_ROWS } from '../layout.ts';
import type { Tone } from '../levels.ts';
import type { Line } from '../lines.ts';
import type { ViewData } from '../model.ts';
import { processRows } from '../processes.ts';
import { footerLine, headerLine, helpLines } from './chrome.ts';
import { LinesBox } from './LinesBox.ts';
import { Lists } from './Lists.ts';
import { Panel } from './Panel.ts';

export interface AppProps {
  data: ViewData;
  columns: number;
  rows: number;
  nowMs: number;
  onQuit: () => void;
  // signals after the person confirmed; says what happened
  onSignal: (process: ProcessInfo, signal: SignalName) => { text: string; tone: Tone };
  initialUi?: UiState;
}

const LABELS: Record<TopPanel, string> = { cpu: 'CPU', memory: 'MEM', pressure: 'PSI', temperature: 'TEMP', disks: 'DISK', network: 'NET' };

function topLines(id: TopPanel, data: ViewData, width: number): Line[] {
  const snapshot = data.snapshot;
  switch (id) {
    case 'cpu':
      return cpuLines(snapshot?.cpu, data.history, width);
    case 'memory':
      return memoryLines(snapshot, data.events, width);
    case 'pressure':
      return pressureLines(snapshot, width);
    case 'temperature':
      return temperatureLines(snapshot, width);
    case 'disks':
      return diskLines(snapshot, width);
    case 'network':
      return networkLines(snapshot, width);
  }
}

// One column of top panels within the budget; returns the element and the lines it takes.
function topColumn(ids: readonly TopPanel[], data: ViewData, ui: UiState, width: number, budget: number): { element: ReactElement; height: number } {
  const contents = ids.map((id) => topLines(id, data, width));
  const heights = allocate(contents.map((lines) => lines.length), budget);
  const panels = ids.map((id, index) =>
    h(Panel, { key: id, label: LABELS[id], focused: ui.focus === id, lines: contents[index] ?? [], width, height: heights[index] ?? 0, scroll: ui.scroll[id] ?? 0 }),
  );
  const height = heights.reduce((sum, n) => sum + n, 0);
  return { element: h(Box, { flexDirection: 'column', width: width + LABEL_WIDTH, height }, ...panels), height };
}

function topArea(data: ViewData, ui: UiState, g: Geometry): { element: ReactElement; height: number } {
  if (!g.wide) return topColumn(NARROW_ORDER, data, ui, g.leftWidth, g.topBudget);
  const left = topColumn(LEFT_PANELS, data, ui, g.leftWidth, g.topBudget);
  const right = topColumn(RIGHT_PANELS, data, ui, g.rightWidth, g.topBudget);
  const height = Math.max(left.height, right.height);
  return { element: h(Box, { flexDirection: 'row', height }, left.element, h(Box, { width: 1 }), right.element), height };
}

function Screen(props: AppProps & { ui: UiState; rows: number; processes: readonly ProcessInfo[] }): ReactElement {
  const { data, ui, columns, nowMs } = props;
  const g = geometry(columns, props.rows);
  const header = h(LinesBox, { lines: [headerLine(data, nowMs, columns)], width: columns, height: 1 });
  const footer = h(LinesBox, { lines: [footerLine(data, ui)], width: columns, height: 1 });
  const bodyLines = Math.max(0, g.lines - 2);
  if (ui.help) return h(Box, { flexDirection: 'column', width: columns }, header, h(LinesBox, { lines: helpLines(data), width: columns, height: bodyLines }), footer);
  const top = topArea(data, ui, g);
  const lists = h(Lists, { data, ui, rows: props.processes, nowMs, columns, height: bodyLines - top.height, wide: g.wide });
  return h(Box, { flexDirection: 'column', width: columns }, header, top.element, lists, footer);
}

export function App(props: AppProps): ReactElement {
  const [ui, setUi] = useState<UiState>(props.initialUi ?? initialUi());
  const processes = useMemo(() => processRows(props.data.snapshot?.processes, ui.sort, ui.filter), [props.data.snapshot, ui.sort, ui.filter]);
  // The key handler reads the latest state from refs: several keys can arrive in one read.
  const uiRef = useRef(ui);
  uiRef.current = ui;
  const processesRef = useRef(processes);
  processesRef.current = processes;
  const g = geometry(props.columns, props.rows);
  const press = (input: string, key: KeyPress): void => {
    const result = reduceKey(uiRef.current, input, key, { rows: processesRef.current, pageRows: Math.max(1, g.bottomLines - 2) });
    let next = result.ui;
    if (result.effect?.kind === 'signal') next = { ...next, message: props.onSignal(result.effect.process, result.effect.signal) };
    uiRef.current = next;
    setUi(next);
    if (result.effect?.kind === 'quit') props.onQuit();
  };
  useInput((input: string, key: KeyPress) => {
    for (const [char, charKey] of splitKeys(input, key)) press(char, charKey);
  });
  if (props.columns < TINY_COLUMNS || props.rows < TINY_ROWS) {
    return h(Text, { wrap: 'wrap' }, `terminal ${props.columns}x${props.rows} is too small for hostguard top (${MIN_COLUMNS}x${MIN_ROWS} or more); q quits`);
  }
  return h(Screen, { ...props, ui, processes });
}
