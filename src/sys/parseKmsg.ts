// Parser for /dev/kmsg records: "PRI,SEQ,USEC,FLAGS[,...];MESSAGE" plus " KEY=VALUE" lines
// (Documentation/ABI/testing/dev-kmsg).
import { type ParseResult, fail, ok } from './result.ts';

export interface KmsgRecord {
  // syslog level 0 (emerg) .. 7 (debug) and facility (0 = kernel)
  level: number;
  facility: number;
  sequence: number;
  // CLOCK_MONOTONIC time of the message, in seconds since boot
  monotonicSeconds: number;
  // '-' a whole message, 'c' the start of a continued one, '+' a continuation
  flag: string;
  message: string;
  // the dictionary lines, e.g. SUBSYSTEM=usb, DEVICE=c189:1
  properties: Record<string, string>;
}

// The kernel writes bytes outside printable ASCII (and the backslash) as \xNN.
export function unescapeKmsg(text: string): string {
  return text.replace(/\\x([0-9a-fA-F]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function header(prefix: string): Omit<KmsgRecord, 'message' | 'properties'> | undefined {
  const [priText = '', seqText = '', usecText = '', flag = '-'] = prefix.split(',');
  if (!/^\d{1,6}$/.test(priText) || !/^\d{1,20}$/.test(seqText) || !/^\d{1,20}$/.test(usecText)) return undefined;
  const priority = Number(priText);
  return { level: priority & 7, facility: priority >> 3, sequence: Number(seqText), monotonicSeconds: Number(usecText) / 1e6, flag };
}

// One record: the first line and its continuation lines.
export function parseKmsgRecord(text: string): ParseResult<KmsgRecord> {
  const lines = text.split('\n');
  const first = lines[0] ?? '';
  const semicolon = first.indexOf(';');
  const fields = semicolon < 0 ? undefined : header(first.slice(0, semicolon));
  if (!fields) return fail(`kmsg: '${first.slice(0, 60)}' does not start with 'priority,sequence,microseconds,flags;'`);
  const properties: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    if (!line.startsWith(' ')) continue;
    const equals = line.indexOf('=');
    if (equals > 1) properties[line.slice(1, equals)] = unescapeKmsg(line.slice(equals + 1));
  }
  return ok({ ...fields, message: unescapeKmsg(first.slice(semicolon + 1)), properties });
}

// Splits a stream of text (a saved log, or reads concatenated) into record texts; the last
// element is an incomplete record to carry over (empty when the text ended with a newline).
export function splitKmsgRecords(text: string): { records: string[]; rest: string } {
  const lines = text.split('\n');
  const rest = lines.pop() ?? '';
  const records: string[] = [];
  for (const line of lines) {
    const last = records.length - 1;
    if (line.startsWith(' ') && last >= 0) records[last] += `\n${line}`;
    else if (line !== '') records.push(line);
  }
  return { records, rest };
}
