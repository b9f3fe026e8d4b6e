import { describe, expect, it } from 'vitest';
import { templateSnapshot } from '../../test/helpers/simulatedSnapshots.ts';
import { initialUi, type KeyPress, PANEL_ORDER, reduceKey, selectedRow, splitKeys, type UiState } from './keys.ts';
import { processRows } from './processes.ts';

const NO_KEY: KeyPress = { upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageUp: false, pageDown: false, home: false, end: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false };
const rows = processRows(templateSnapshot().processes, 'cpu', '');
const context = { rows, pageRows: 4 };

// Presses each key in turn: a string is typed input, an object names special keys.
function press(ui: UiState, ...keys: Array<string | Partial<KeyPress>>): { ui: UiState; effects: string[] } {
  const effects: string[] = [];
  let state = ui;
  for (const key of keys) {
    const result = typeof key === 'string' ? reduceKey(state, key, NO_KEY, context) : reduceKey(state, '', { ...NO_KEY, ...key }, context);
    state = result.ui;
    if (result.effect) effects.push(result.effect.kind === 'signal' ? `${result.effect.signal} ${result.effect.process.pid}` : result.effect.kind);
  }
  return { ui: state, effects };
}

describe('reduceKey', () => {
  it('moves the focus with tab and the arrows, round the panels both ways', () => {
    expect(press(initialUi(), { tab: true }).ui.focus).toBe('alerts');
    expect(press(initialUi(), { tab: true }, { tab: true }).ui.bottom).toBe('events');
    expect(press(initialUi(), { tab: true, shift: true }).ui.focus).toBe('network');
    expect(press(initialUi(), { leftArrow: true }, { rightArrow: true }).ui.focus).toBe('processes');
    const all = PANEL_ORDER.map(() => ({ tab: true }));
    expect(press(initialUi(), ...all).ui.focus).toBe('processes');
  });

  it('selects processes with the arrows and keeps the selected process when the order changes', () => {
    const { ui } = press(initialUi(), { downArrow: true }, { downArrow: true });
    expect(selectedRow(ui, rows)).toBe(2);
    const pid = rows[2]?.pid;
    const reordered = [...rows].reverse();
    expect(reordered[selectedRow(ui, reordered)]?.pid).toBe(pid);
    expect(selectedRow(press(initialUi(), { end: true }).ui, rows)).toBe(rows.length - 1);
    expect(selectedRow(press(initialUi(), { pageDown: true }, { upArrow: true }).ui, rows)).toBe(3);
    expect(selectedRow(press(initialUi(), { upArrow: true }).ui, rows)).toBe(0);
  });

  it('scrolls the focused panel when it is not the process table', () => {
    const { ui } = press(initialUi(), { tab: true }, { downArrow: true }, { downArrow: true }, { upArrow: true });
    expect(ui.scroll.alerts).toBe(1);
    expect(press(ui, { home: true }).ui.scroll.alerts).toBe(0);
  });

  it('cycles the sort with s', () => {
    expect(press(initialUi(), 's').ui.sort).toBe('rss');
    expect(press(initialUi(), 's', 's', 's').ui.sort).toBe('cpu');
  });

  it('edits the filter after /: typing, backspace, Enter keeps it, Esc clears it', () => {
    const typed = press(initialUi(), { tab: true }, '/', 'p', 'g', 'x', { backspace: true });
    expect(typed.ui).toMatchObject({ filter: 'pg', editingFilter: true, focus: 'processes' });
    // q is text while editing, not quit
    expect(press(typed.ui, 'q').effects).toEqual([]);
    expect(press(typed.ui, { return: true }).ui).toMatchObject({ filter: 'pg', editingFilter: false });
    expect(press(typed.ui, { escape: true }).ui).toMatchObject({ filter: '', editingFilter: false });
    expect(press(typed.ui, '\u001b[A').ui.filter).toBe('pg');
  });

  it('asks before signalling: y sends, any other key cancels', () => {
    const asked = press(initialUi(), { downArrow: true }, 'k');
    expect(asked.ui.confirm).toMatchObject({ signal: 'SIGTERM', process: { pid: rows[1]?.pid } });
    expect(asked.effects).toEqual([]);
    expect(press(asked.ui, 'y').effects).toEqual([`SIGTERM ${rows[1]?.pid}`]);
    const cancelled = press(asked.ui, 'n');
    expect(cancelled.effects).toEqual([]);
    expect(cancelled.ui.confirm).toBeUndefined();
    expect(cancelled.ui.message?.text).toContain('not sent');
    expect(press(initialUi(), 'K', 'y').effects).toEqual([`SIGKILL ${rows[0]?.pid}`]);
    expect(press(initialUi(), { tab: true }, 'k').ui.message?.text).toContain('select a process');
  });

  it('quits with q or Ctrl-C; ? opens the help and any key closes it', () => {
    expect(press(initialUi(), 'q').effects).toEqual(['quit']);
    expect(reduceKey(initialUi(), 'c', { ...NO_KEY, ctrl: true }, context).effect).toEqual({ kind: 'quit' });
    const help = press(initialUi(), '?');
    expect(help.ui.help).toBe(true);
    expect(press(help.ui, 's').ui).toMatchObject({ help: false, sort: 'cpu' });
    expect(press(help.ui, 'q').effects).toEqual(['quit']);
  });

  it('splits keys that arrived together, Enter, Tab and Backspace included', () => {
    const keys = splitKeys('/ab\u007fc\rs', NO_KEY);
    let state = initialUi();
    for (const [input, key] of keys) state = reduceKey(state, input, key, context).ui;
    expect(state).toMatchObject({ filter: 'ac', editingFilter: false, sort: 'rss' });
    expect(splitKeys('c', { ...NO_KEY, ctrl: true })).toEqual([['c', { ...NO_KEY, ctrl: true }]]);
    expect(splitKeys('K', NO_KEY)).toEqual([['K', NO_KEY]]);
  });
});
