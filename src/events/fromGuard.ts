// The guard's --events-file lines (one JSON object each, see src/guard/events.ts) turned into host
// events and the alerts they raise or resolve. The daemon does not import the guard: it reads its
// output as text, so every field is checked here and a line it cannot use is an error, not a crash.
import type { NewAlert } from '../alert/model.ts';
import { type ParseResult, fail, ok } from '../sys/result.ts';
import type { HostEvent, HostEventType } from './model.ts';

export interface GuardLine {
  timeMs: number;
  type: string;
  fields: Record<string, unknown>;
}

// What one guard line means to the daemon: an event to keep, and an alert to raise or resolve.
export interface GuardOutcome {
  event?: Omit<HostEvent, 'id' | 'host'>;
  raise?: NewAlert;
  resolveKey?: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (record: Record<string, unknown> | undefined, key: string): string | undefined => (typeof record?.[key] === 'string' ? record[key] : undefined);
const num = (record: Record<string, unknown> | undefined, key: string): number | undefined => {
  const value = record?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
};
const sub = (record: Record<string, unknown> | undefined, key: string): Record<string, unknown> | undefined => {
  const value = record?.[key];
  return isRecord(value) ? value : undefined;
};
const mib = (bytes: number | undefined): string => (bytes === undefined ? '?' : `${Math.round(bytes / 1048576)}`);

export function parseGuardLine(text: string): ParseResult<GuardLine> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail(`not JSON: ${text.slice(0, 80)}`);
  }
  if (!isRecord(value)) return fail('not a JSON object');
  const { time, type, ...fields } = value;
  if (typeof type !== 'string' || type === '') return fail('no "type"');
  const timeMs = typeof time === 'string' ? Date.parse(time) : Number.NaN;
  if (!Number.isFinite(timeMs)) return fail(`bad "time": ${JSON.stringify(time)?.slice(0, 40)}`);
  return ok({ timeMs, type, fields });
}

function event(line: GuardLine, type: HostEventType, message: string, extra: { pid?: number; comm?: string } = {}): Omit<HostEvent, 'id' | 'host'> {
  return { timeMs: line.timeMs, type, source: 'guard', message, data: { guardEvent: line.type, ...line.fields }, ...extra };
}

function signalOutcome(line: GuardLine): GuardOutcome {
  const victim = sub(line.fields, 'victim');
  const pid = num(victim, 'pid');
  const name = str(victim, 'name') ?? '?';
  const signal = line.type === 'kill' ? 'SIGKILL' : 'SIGTERM';
  const dryRun = line.fields['dryRun'] === true;
  const reason = str(line.fields, 'reason') ?? '';
  const who = `${name} (pid ${pid ?? '?'}, ${mib(num(victim, 'rssBytes'))} MiB)`;
  const message = `${dryRun ? 'would send' : 'sent'} ${signal} to ${who}: ${reason}`;
  const result: GuardOutcome = { event: event(line, 'guard_signal', message, { ...(pid === undefined ? {} : { pid }), comm: name }) };
  if (dryRun || pid === undefined) return result;
  const sample = sub(line.fields, 'sample');
  return {
    ...result,
    raise: {
      type: 'PROCESS_KILLED',
      severity: 'critical',
      title: `hostguard killed ${name} (pid ${pid})`,
      message: `The OOM guard sent ${signal} to ${who}: ${reason}.`,
      context: { pid, name, signal, reason, rssBytes: num(victim, 'rssBytes'), availablePercent: num(sample, 'availablePercent'), cmdline: str(victim, 'cmdline') },
      dedupKey: `guard-kill:${pid}`,
    },
  };
}

function exitOutcome(line: GuardLine): GuardOutcome {
  const victim = sub(line.fields, 'victim');
  const pid = num(victim, 'pid');
  const name = str(victim, 'name') ?? '?';
  const message = `${name} (pid ${pid ?? '?'}) exited ${Math.round(num(line.fields, 'afterMs') ?? Number.NaN) || '?'} ms after ${str(line.fields, 'lastSignal') ?? 'the signal'}`;
  return { event: event(line, 'guard_signal', message, { ...(pid === undefined ? {} : { pid }), comm: name }), ...(pid === undefined ? {} : { resolveKey: `guard-kill:${pid}` }) };
}

const LEVEL_SEVERITY: Record<string, NewAlert['severity'] | undefined> = { WARNING: 'warning', CRITICAL: 'warning', EMERGENCY: 'critical' };

function levelOutcome(line: GuardLine): GuardOutcome {
  const from = str(line.fields, 'from') ?? '?';
  const to = str(line.fields, 'to') ?? '?';
  const used = num(line.fields, 'usedPercent');
  const message = `memory level ${from} -> ${to}: ${used?.toFixed(1) ?? '?'} % of the budget used`;
  const result: GuardOutcome = { event: event(line, 'guard_level', message) };
  const severity = LEVEL_SEVERITY[to];
  if (to === 'NORMAL') return { ...result, resolveKey: 'guard-level' };
  if (!severity || to === 'WARNING') return result;
  return {
    ...result,
    raise: { type: 'RESOURCE_CRITICAL', severity, title: `memory level ${to}`, message: `The guard's graduated response is at ${to}: ${used?.toFixed(1) ?? '?'} % of the memory budget in use; offenders are being slowed down.`, context: { from, to, usedPercent: used, usedBytes: num(line.fields, 'usedBytes'), budgetBytes: num(line.fields, 'budgetBytes') }, dedupKey: 'guard-level' },
  };
}

function targetOutcome(line: GuardLine, type: HostEventType, verb: string): GuardOutcome {
  const target = sub(line.fields, 'target');
  const name = str(target, 'name') ?? '?';
  const pid = num(target, 'pid');
  const duty = num(line.fields, 'dutyPercent');
  const message = `${verb} ${name}${duty === undefined ? '' : ` to ${duty} % run time`} (${str(line.fields, 'method') ?? str(line.fields, 'reason') ?? line.type})`;
  const result: GuardOutcome = { event: event(line, type, message, { ...(pid === undefined ? {} : { pid }), comm: name }) };
  const key = `guard-throttle:${str(target, 'key') ?? name}`;
  if (type === 'guard_restore') return { ...result, resolveKey: key };
  if (line.fields['source'] === 'protect' && type === 'guard_throttle') return result;
  return { ...result, raise: { type: 'PROCESS_THROTTLED', severity: 'warning', title: `${name} slowed down to save memory`, message: `The guard is ${verb === 'pausing' ? 'pausing' : 'throttling'} ${name}: ${message}.`, context: { target, dutyPercent: duty, level: str(line.fields, 'level') }, dedupKey: key } };
}

function plain(line: GuardLine): GuardOutcome {
  const text = str(line.fields, 'message') ?? str(line.fields, 'reason') ?? '';
  const messages: Record<string, string> = {
    start: `guard started (pid ${num(line.fields, 'pid') ?? '?'}${line.fields['dryRun'] === true ? ', dry run' : ''})`,
    stop: `guard stopped: ${text}`,
    hook: `${str(line.fields, 'hook') ?? 'hook'} ${str(line.fields, 'path') ?? ''} ran for pid ${num(line.fields, 'victimPid') ?? '?'}`,
  };
  return { event: event(line, 'guard_action', messages[line.type] ?? `${line.type}: ${text}`.trim()) };
}

export function guardOutcome(line: GuardLine): GuardOutcome {
  switch (line.type) {
    case 'term':
    case 'kill':
      return signalOutcome(line);
    case 'exit':
      return exitOutcome(line);
    case 'level':
      return levelOutcome(line);
    case 'throttle':
      return targetOutcome(line, 'guard_throttle', 'throttling');
    case 'pause':
      return targetOutcome(line, 'guard_pause', 'pausing');
    case 'resume':
      return targetOutcome(line, 'guard_restore', 'resuming');
    case 'report':
    case 'debug':
      return {};
    default:
      return plain(line);
  }
}
