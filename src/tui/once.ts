// One screen of the UI as text (hostguard top --once): the same App, rendered to a string.
import { renderToString } from 'ink';
import { createElement as h } from 'react';
import type { ViewData } from './model.ts';
import { App } from './view/App.ts';

export function renderOnce(data: ViewData, columns: number, rows: number): string {
  const noSignal = (): { text: string; tone: 'warning' } => ({ text: 'no keys in --once', tone: 'warning' });
  return renderToString(h(App, { data, columns, rows, nowMs: data.receivedMs ?? Date.now(), onQuit: () => undefined, onSignal: noSignal }), { columns });
}
