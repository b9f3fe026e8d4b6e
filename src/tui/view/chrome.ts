// The header (host, source, connection), the footer (prompt, message or key hints) and the help.
import { ageText, clockText } from '../format.ts';
import type { UiState } from '../keys.ts';
import { type Line, lineWidth, plain, toned } from '../lines.ts';
import type { ViewData } from '../model.ts';

// Data older than this many sampling intervals (and at least STALE_MIN_MS) is called stale.
const STALE_INTERVALS = 2.5;
const STALE_MIN_MS = 5_000;

export function connectionLine(data: ViewData, nowMs: number): Line {
  const age = data.receivedMs === undefined ? 'no data yet' : `last data ${ageText(nowMs - data.receivedMs)} ago`;
  const connection = data.connection;
  if (connection.state === 'disconnected') return [toned(`disconnected, retrying (${age})`, 'critical', true)];
  if (connection.state === 'connecting') return [toned(`connecting (${age})`, 'warning')];
  if (!data.snapshot || data.receivedMs === undefined) return [toned('waiting for the first snapshot', 'warning')];
  const intervalMs = (data.snapshot.intervalSeconds ?? 1) * 1000;
  if (nowMs - data.receivedMs > Math.max(STALE_MIN_MS, STALE_INTERVALS * intervalMs)) return [toned(`stale (${age})`, 'warning', true)];
  return [toned('live', 'ok'), plain(` ${clockText(data.snapshot.timestampMs)}`)];
}

export function headerLine(data: ViewData, nowMs: number, columns: number): Line {
  const right: Line = [...connectionLine(data, nowMs), plain('  ? help')];
  const host = data.snapshot?.system?.hostname ?? '';
  const left: Line = [{ text: 'hostguard top', bold: true }, plain(` ${host} ${data.sourceLabel}`)];
  const gap = columns - lineWidth(left) - lineWidth(right);
  // When both do not fit, the connection state wins: it is what must never be hidden.
  if (gap < 1) return [...right, plain(' '), ...left];
  return [...left, plain(' '.repeat(gap)), ...right];
}

const HINTS = 'tab panels  up/down select  s sort  / filter  k signal  ? help  q quit';

export function footerLine(data: ViewData, ui: UiState): Line {
  if (ui.confirm) {
    const { process, signal } = ui.confirm;
    const command = process.cmdline === '' ? process.name : process.cmdline;
    return [{ text: `Send ${signal} to ${process.pid} ${process.name} (${command})? y = send, any other key = cancel`, color: 'yellow', bold: true, inverse: true }];
  }
  if (ui.editingFilter) return [toned(`filter: ${ui.filter}_`, 'info', true), plain('  Enter keeps it, Esc clears it')];
  if (ui.message) return [toned(ui.message.text, ui.message.tone, ui.message.tone === 'critical')];
  if (data.connection.state === 'disconnected') return [toned(data.connection.error, 'critical')];
  if (data.notice) return [toned(data.notice, 'warning')];
  return [{ text: HINTS, dim: true }];
}

export function helpLines(data: ViewData): Line[] {
  const keys: Array<[string, string]> = [
    ['tab, right / shift-tab, left', 'next / previous panel (the focused one is marked >)'],
    ['up, down, PgUp, PgDn, Home, End', 'select a process, or scroll the focused panel'],
    ['s', 'sort the processes by CPU, then resident memory (RSS), then I/O'],
    ['/', 'filter the processes by PID, name, user or command; Enter keeps, Esc clears'],
    ['k / K', 'send SIGTERM / SIGKILL to the selected process, after you confirm with y'],
    ['Esc', 'clear the filter and the last message'],
    ['?', 'this help (any key closes it)'],
    ['q, Ctrl-C', 'quit'],
  ];
  return [
    [{ text: 'hostguard top: keys', bold: true }],
    ...keys.map(([key, what]): Line => [{ text: `  ${key.padEnd(32)}`, bold: true }, plain(what)]),
    [],
    [{ text: 'Markers', bold: true }],
    [plain('  memory level '), toned('[NORMAL]', 'ok'), plain(' '), toned('[WARNING]', 'warning'), plain(' '), toned('[CRITICAL]', 'critical'), plain(' '), toned('[EMERGENCY]', 'critical')],
    [plain('    the graduated guard levels: from the guard when it reports one, else estimated (60/75/85 % used)')],
    [plain('  alerts and anomalies '), toned('CRIT', 'critical'), plain(' '), toned('WARN', 'warning'), plain(' '), toned('INFO', 'info'), plain('; dimmed when resolved or closed')],
    [plain(`  source: ${data.sourceLabel}`)],
  ];
}
