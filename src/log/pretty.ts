// --log-format pretty: each JSON line as "TIME LEVEL message key=value ...", for a person at a
// terminal. The daemon logs a few lines a minute (requests only at debug), so parsing each is cheap.
import type { Writable } from 'node:stream';
import type { DestinationStream } from 'pino';

const OMIT = new Set(['time', 'level', 'msg', 'pid', 'hostname', 'name']);

function valueText(value: unknown): string {
  if (typeof value === 'string') return /\s|"/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value) ?? String(value);
}

// One pino line to one line for people; text that is not a JSON object passes as it is.
export function prettyLine(line: string): string {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return `${line.trimEnd()}\n`;
  const fields = record as Record<string, unknown>;
  const extra = Object.entries(fields)
    .filter(([key]) => !OMIT.has(key))
    .map(([key, value]) => (key === 'err' && typeof value === 'object' && value !== null && 'stack' in value ? `\n${String(value.stack)}` : ` ${key}=${valueText(value)}`))
    .join('');
  return `${String(fields['time'] ?? '')} ${String(fields['level'] ?? '').toUpperCase().padEnd(5)} ${String(fields['msg'] ?? '')}${extra}\n`;
}

export function prettyStream(out: Writable): DestinationStream {
  return { write: (line: string) => out.write(prettyLine(line)) };
}
