// The keyboard: what each key does to the UI state, as a pure function the tests drive directly.
import type { ProcessInfo } from '../collect/types.ts';
import type { Tone } from './levels.ts';
import { isControl } from './lines.ts';
import { nextSortKey, type SortKey } from './processes.ts';

export const TOP_PANELS = ['cpu', 'memory', 'pressure', 'temperature', 'disks', 'network'] as const;
export const BOTTOM_PANELS = ['processes', 'alerts', 'events'] as const;
export type TopPanel = (typeof TOP_PANELS)[number];
export type BottomPanel = (typeof BOTTOM_PANELS)[number];
export type PanelId = TopPanel | BottomPanel;
export const PANEL_ORDER: readonly PanelId[] = [...TOP_PANELS, ...BOTTOM_PANELS];

export type SignalName = 'SIGTERM' | 'SIGKILL';

export interface UiState {
  focus: PanelId;
  // the list the lower part of the screen shows
  bottom: BottomPanel;
  sort: SortKey;
  filter: string;
  editingFilter: boolean;
  // the selected process, by PID (it moves with its process when the order changes) and by row
  // (where the selection stays when that process goes away)
  selectedPid?: number;
  selectedIndex: number;
  scroll: Partial<Record<PanelId, number>>;
  help: boolean;
  confirm?: { process: ProcessInfo; signal: SignalName };
  message?: { text: string; tone: Tone };
}

export type Effect = { kind: 'quit' } | { kind: 'signal'; process: ProcessInfo; signal: SignalName };

// The keys this reads; Ink's Key has all of them.
export interface KeyPress {
  upArrow: boolean;
  downArrow: boolean;
  leftArrow: boolean;
  rightArrow: boolean;
  pageUp: boolean;
  pageDown: boolean;
  home: boolean;
  end: boolean;
  return: boolean;
  escape: boolean;
  ctrl: boolean;
  shift: boolean;
  tab: boolean;
  backspace: boolean;
  delete: boolean;
  meta: boolean;
}

export interface KeyContext {
  // the process rows as shown (sorted and filtered)
  rows: readonly ProcessInfo[];
  // rows a page key moves
  pageRows: number;
}

const NO_KEY: KeyPress = { upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageUp: false, pageDown: false, home: false, end: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false };

// Keys typed faster than they are read (or pasted) arrive as one string: one key per character,
// Enter, Tab and Backspace among them recognised again.
export function splitKeys(input: string, key: KeyPress): Array<[string, KeyPress]> {
  if (input.length <= 1 || key.ctrl || key.meta) return [[input, key]];
  return [...input].map((char): [string, KeyPress] => {
    if (char === '\r' || char === '\n') return ['', { ...NO_KEY, return: true }];
    if (char === '\t') return ['', { ...NO_KEY, tab: true }];
    if (char === '\u007f' || char === '\b') return ['', { ...NO_KEY, backspace: true }];
    return [char, { ...NO_KEY, shift: char !== char.toLowerCase() }];
  });
}

export function initialUi(): UiState {
  return { focus: 'processes', bottom: 'processes', sort: 'cpu', filter: '', editingFilter: false, selectedIndex: 0, scroll: {}, help: false };
}

export function selectedRow(ui: UiState, rows: readonly ProcessInfo[]): number {
  if (rows.length === 0) return -1;
  const byPid = ui.selectedPid === undefined ? -1 : rows.findIndex((row) => row.pid === ui.selectedPid);
  return byPid >= 0 ? byPid : Math.min(ui.selectedIndex, rows.length - 1);
}

function focusOn(ui: UiState, focus: PanelId): UiState {
  const bottom = (BOTTOM_PANELS as readonly PanelId[]).includes(focus) ? (focus as BottomPanel) : ui.bottom;
  return { ...ui, focus, bottom };
}

function cycleFocus(ui: UiState, step: number): UiState {
  const index = PANEL_ORDER.indexOf(ui.focus);
  return focusOn(ui, PANEL_ORDER[(index + step + PANEL_ORDER.length) % PANEL_ORDER.length] ?? 'processes');
}

function moveBy(key: KeyPress, page: number): number | undefined {
  if (key.upArrow) return -1;
  if (key.downArrow) return 1;
  if (key.pageUp) return -page;
  if (key.pageDown) return page;
  if (key.home) return -Infinity;
  if (key.end) return Infinity;
  return undefined;
}

function move(ui: UiState, delta: number, context: KeyContext): UiState {
  if (ui.focus !== 'processes') {
    const scroll = Math.max(0, (ui.scroll[ui.focus] ?? 0) + (Number.isFinite(delta) ? delta : delta > 0 ? 10_000 : -10_000));
    return { ...ui, scroll: { ...ui.scroll, [ui.focus]: scroll } };
  }
  if (context.rows.length === 0) return ui;
  const index = Math.min(context.rows.length - 1, Math.max(0, selectedRow(ui, context.rows) + (Number.isFinite(delta) ? delta : delta > 0 ? context.rows.length : -context.rows.length)));
  return { ...ui, selectedIndex: index, selectedPid: context.rows[index]?.pid };
}

function askToSignal(ui: UiState, signal: SignalName, context: KeyContext): UiState {
  const process = context.rows[selectedRow(ui, context.rows)];
  if (ui.bottom !== 'processes' || !process) return { ...ui, message: { text: 'k: select a process in the Processes panel first', tone: 'warning' } };
  return { ...ui, confirm: { process, signal }, message: undefined };
}

function filterKey(ui: UiState, input: string, key: KeyPress): UiState {
  if (key.return) return { ...ui, editingFilter: false };
  if (key.escape) return { ...ui, editingFilter: false, filter: '', selectedIndex: 0 };
  if (key.backspace || key.delete) return { ...ui, filter: ui.filter.slice(0, -1), selectedIndex: 0 };
  if (key.ctrl || key.meta || key.tab || input === '' || [...input].some((char) => isControl(char.charCodeAt(0)))) return ui;
  return { ...ui, filter: ui.filter + input, selectedIndex: 0 };
}

function commandKey(ui: UiState, input: string, key: KeyPress, context: KeyContext): { ui: UiState; effect?: Effect } {
  const delta = moveBy(key, context.pageRows);
  if (delta !== undefined) return { ui: move(ui, delta, context) };
  if (key.tab) return { ui: cycleFocus(ui, key.shift ? -1 : 1) };
  if (key.rightArrow) return { ui: cycleFocus(ui, 1) };
  if (key.leftArrow) return { ui: cycleFocus(ui, -1) };
  if (key.escape) return { ui: { ...ui, filter: '', message: undefined } };
  switch (input) {
    case 'q':
      return { ui, effect: { kind: 'quit' } };
    case '?':
      return { ui: { ...ui, help: true } };
    case 's':
      return { ui: { ...ui, sort: nextSortKey(ui.sort), selectedIndex: 0, selectedPid: undefined } };
    case '/':
      return { ui: { ...focusOn(ui, 'processes'), editingFilter: true, message: undefined } };
    case 'k':
      return { ui: askToSignal(ui, 'SIGTERM', context) };
    case 'K':
      return { ui: askToSignal(ui, 'SIGKILL', context) };
    default:
      return { ui };
  }
}

export function reduceKey(ui: UiState, input: string, key: KeyPress, context: KeyContext): { ui: UiState; effect?: Effect } {
  if (key.ctrl && input === 'c') return { ui, effect: { kind: 'quit' } };
  if (ui.confirm) {
    const confirm = ui.confirm;
    if (input === 'y' || input === 'Y') return { ui: { ...ui, confirm: undefined }, effect: { kind: 'signal', process: confirm.process, signal: confirm.signal } };
    return { ui: { ...ui, confirm: undefined, message: { text: `${confirm.signal} not sent to ${confirm.process.pid}`, tone: 'info' } } };
  }
  if (ui.help) return input === 'q' ? { ui, effect: { kind: 'quit' } } : { ui: { ...ui, help: false } };
  if (ui.editingFilter) return { ui: filterKey(ui, input, key) };
  return commandKey(ui, input, key, context);
}
