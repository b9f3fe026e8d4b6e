// The alerts panel (firing alerts and anomaly episodes) and the events panel (guard and trace events).
import type { Alert } from '../../alert/model.ts';
import type { Episode } from '../../detect/rules.ts';
import { ageText, clockText } from '../format.ts';
import { SEVERITY_MARKERS } from '../levels.ts';
import { dim, type Line, plain, toned } from '../lines.ts';
import type { ViewData } from '../model.ts';

function severity(level: 'info' | 'warning' | 'critical', active: boolean): Line[number] {
  const marker = SEVERITY_MARKERS[level];
  return active ? toned(marker.text, marker.tone, true) : dim(marker.text);
}

function alertLine(alert: Alert): Line {
  const active = alert.state === 'firing';
  const repeats = alert.repeatCount > 0 ? ` x${alert.repeatCount + 1}` : '';
  const text = ` ${clockText(alert.timeMs)} ${alert.state === 'firing' ? 'alert' : alert.state} ${alert.type} ${alert.title}${repeats}`;
  return [severity(alert.severity, active), active ? plain(text) : dim(text)];
}

function episodeLine(episode: Episode, nowMs: number): Line {
  const open = episode.endMs === null;
  const when = open ? `open ${ageText(nowMs - episode.startMs)}` : 'closed';
  const text = ` ${clockText(episode.startMs)} ${when} ${episode.message}`;
  return [severity(episode.severity, open), open ? plain(text) : dim(text)];
}

const ACTIVE_FIRST = (a: { active: boolean; timeMs: number }, b: { active: boolean; timeMs: number }): number => Number(b.active) - Number(a.active) || b.timeMs - a.timeMs;

// Firing alerts and open episodes first, newest first; then the resolved and closed ones, dimmed.
export function alertLines(data: ViewData, nowMs: number): Line[] {
  const entries = [
    ...(data.alerts ?? []).map((alert) => ({ active: alert.state === 'firing', timeMs: alert.timeMs, line: alertLine(alert) })),
    ...data.anomalies.map((episode) => ({ active: episode.endMs === null, timeMs: episode.startMs, line: episodeLine(episode, nowMs) })),
  ].sort(ACTIVE_FIRST);
  const lines = entries.map((entry) => entry.line);
  if (!entries.some((entry) => entry.active)) {
    const alertsNote = data.alerts === undefined ? 'alerts come from the daemon (hostguard serve)' : 'no alerts yet';
    lines.unshift([toned('OK', 'ok', true), plain(` no open anomalies; ${alertsNote}`)]);
  }
  return lines;
}

export function eventLines(data: ViewData): Line[] {
  if (data.events === undefined) return [[dim('guard and trace events come from the daemon (hostguard serve)')]];
  if (data.events.length === 0) return [[dim('no guard or trace events yet')]];
  return data.events.map((event) => {
    const who = event.pid === undefined ? '' : ` ${event.comm ?? '?'}[${event.pid}]`;
    const tone = event.type === 'oom_victim' || event.type === 'guard_signal' ? 'critical' : event.type.startsWith('guard_') || event.type.startsWith('trace_') ? 'warning' : undefined;
    const kind = event.type.padEnd(14);
    return [plain(`${clockText(event.timeMs)} `), tone ? toned(kind, tone, false) : plain(kind), plain(`${who} ${event.message}`)];
  });
}
