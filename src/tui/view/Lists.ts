// The lower part of the screen: the process table, the alerts and the events, each under a title.
import { Box } from 'ink';
import { createElement as h, type ReactElement } from 'react';
import type { ProcessInfo } from '../../collect/types.ts';
import { alertLines, eventLines } from '../content/alerts.ts';
import { processRow, tableHeader } from '../content/table.ts';
import type { BottomPanel, UiState } from '../keys.ts';
import { selectedRow } from '../keys.ts';
import { wideLists } from '../layout.ts';
import { dim, type Line, plain, type Segment } from '../lines.ts';
import { firingAlerts, openEpisodes, type ViewData } from '../model.ts';
import { LinesBox } from './LinesBox.ts';

const NAMES: Record<BottomPanel, string> = { processes: 'Processes', alerts: 'Alerts', events: 'Events' };

export interface ListsProps {
  data: ViewData;
  ui: UiState;
  rows: readonly ProcessInfo[];
  nowMs: number;
  columns: number;
  height: number;
  wide: boolean;
}

function count(id: BottomPanel, props: ListsProps): string {
  if (id === 'processes') {
    const total = props.data.snapshot?.processes?.total;
    return props.ui.filter === '' ? String(total ?? '-') : `${props.rows.length} of ${total ?? '-'}`;
  }
  if (id === 'alerts') return String(firingAlerts(props.data).length + openEpisodes(props.data).length);
  return String(props.data.events?.length ?? '-');
}

// [Name N] for the list shown (or focused, side by side), inverse when it has the focus.
function title(id: BottomPanel, props: ListsProps, shown: boolean): Segment {
  const text = `${NAMES[id]} ${count(id, props)}`;
  return { text: shown ? `[${text}]` : ` ${text} `, bold: true, inverse: props.ui.focus === id };
}

function tableState(ui: UiState): Line {
  const filter = ui.editingFilter || ui.filter !== '' ? `  filter:${ui.filter}${ui.editingFilter ? '_' : ''}` : '';
  return [plain(`  sort:${ui.sort}${filter}`)];
}

export function processLines(props: ListsProps, width: number, height: number): Line[] {
  const { ui, rows } = props;
  const room = Math.max(0, height - 1);
  const selected = selectedRow(ui, rows);
  const offset = selected < room ? 0 : selected - room + 1;
  const body = rows.slice(offset, offset + room).map((row, index) => processRow(row, index + offset === selected && ui.focus === 'processes', width));
  if (rows.length === 0) body.push([dim(props.data.snapshot?.processes ? `no process matches '${ui.filter}'` : 'no process data')]);
  return [tableHeader(ui.sort, width), ...body];
}

function listLines(id: BottomPanel, props: ListsProps, width: number, height: number): Line[] {
  if (id === 'processes') return processLines(props, width, height);
  const lines = id === 'alerts' ? alertLines(props.data, props.nowMs) : eventLines(props.data);
  const offset = Math.max(0, Math.min(props.ui.scroll[id] ?? 0, lines.length - height));
  return lines.slice(offset, offset + height);
}

function narrow(props: ListsProps): ReactElement {
  const shown = props.ui.bottom;
  const tabs: Line = (['processes', 'alerts', 'events'] as const).flatMap((id) => [title(id, props, id === shown), plain(' ')]);
  const head = shown === 'processes' ? [...tabs, ...tableState(props.ui)] : tabs;
  const lines = [head, ...listLines(shown, props, props.columns, props.height - 1)];
  return h(LinesBox, { lines, width: props.columns, height: props.height });
}

function wide(props: ListsProps): ReactElement {
  const heights = wideLists(props.height);
  const tableWidth = Math.floor(props.columns * 0.6);
  const sideWidth = props.columns - tableWidth - 1;
  const block = (id: BottomPanel, width: number, height: number): Line[] => [
    [title(id, props, props.ui.focus === id), ...(id === 'processes' ? tableState(props.ui) : [])],
    ...listLines(id, props, width, height - 1),
  ];
  return h(
    Box,
    { flexDirection: 'row', height: props.height },
    h(LinesBox, { lines: block('processes', tableWidth, heights.processes), width: tableWidth, height: heights.processes }),
    h(Box, { width: 1 }),
    h(
      Box,
      { flexDirection: 'column', width: sideWidth },
      h(LinesBox, { lines: block('alerts', sideWidth, heights.alerts), width: sideWidth, height: heights.alerts }),
      h(LinesBox, { lines: block('events', sideWidth, heights.events), width: sideWidth, height: heights.events }),
    ),
  );
}

export function Lists(props: ListsProps): ReactElement {
  return props.wide ? wide(props) : narrow(props);
}
