// Parser of one line of `bpftrace -f json` output running the programs in programs/: the JSON
// envelope, the \x1f-separated printf records, map prints and bpftrace's own lost-events count.
import { type ParseResult, fail, ok } from '../sys/result.ts';

export interface SeqFields {
  cpu: number;
  seq: number;
  nsecs: number;
}

export type BpftraceRecord =
  | { kind: 'attached'; probes: number }
  | { kind: 'ready'; nsecs: number }
  // sent: the CPU's counters of exec, argv, exit, oom and tick records so far
  | ({ kind: 'hb'; sent: number[] } & SeqFields)
  | ({ kind: 'exec'; pid: number; ppid: number; uid: number; bornNs: number; comm: string; filename: string } & SeqFields)
  | ({ kind: 'argv'; pid: number; args: string[]; more: boolean } & SeqFields)
  // code: exit_group's code + 1 (0: none); signal: 0 when none was recorded
  | ({ kind: 'exit'; pid: number; ppid: number; bornNs: number; code: number; signal: number; comm: string } & SeqFields)
  | ({
      kind: 'oom';
      pid: number;
      uid: number;
      oomScoreAdj: number;
      totalVmKiB: number;
      anonRssKiB: number;
      fileRssKiB: number;
      shmemRssKiB: number;
      comm: string;
    } & SeqFields)
  // epoch: the map set just printed (0 or 1), 2 at the end (both)
  | ({ kind: 'tick'; epoch: number } & SeqFields)
  // entries: key (as printed: parts joined by commas) and value
  | { kind: 'map'; name: string; entries: Array<[string, number | string]> }
  | { kind: 'lost'; count: number }
  | { kind: 'ignored'; type: string };

const SEPARATOR = '\x1f';

// Field counts after the type, cpu, seq and nsecs.
const ARITY: Record<string, number> = { ready: 0, hb: 5, exec: 6, argv: 7, exit: 6, oom: 8, tick: 1 };

function integer(text: string | undefined): number | undefined {
  if (text === undefined || !/^-?\d{1,20}$/.test(text)) return undefined;
  return Number(text);
}

function integers(texts: string[], what: string): ParseResult<number[]> {
  const values: number[] = [];
  for (const text of texts) {
    const value = integer(text);
    if (value === undefined) return fail(`${what}: '${text.slice(0, 40)}' is not an integer`);
    values.push(value);
  }
  return ok(values);
}

// %r prints a buffer with printable ASCII as is and every other byte as \xNN. A \xNN that names a
// printable byte was therefore typed by the process itself and stays as text.
export function decodeRawBuffer(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 92 && text[i + 1] === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 2, i + 4))) {
      const byte = parseInt(text.slice(i + 2, i + 4), 16);
      if (byte < 0x20 || byte > 0x7e) {
        if (byte === 0) break;
        bytes.push(byte);
        i += 3;
        continue;
      }
    }
    bytes.push(text.charCodeAt(i) & 0xff);
  }
  return Buffer.from(bytes).toString('utf8');
}

// Splits the printf text; the last field takes any extra separators (a file or command name may hold one).
function splitFields(text: string, count: number): string[] | undefined {
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  const parts = body.split(SEPARATOR);
  if (parts.length < count) return undefined;
  return [...parts.slice(0, count - 1), parts.slice(count - 1).join(SEPARATOR)];
}

function parsePrintf(text: string): ParseResult<BpftraceRecord> {
  const end = text.indexOf(SEPARATOR);
  const type = end < 0 ? text : text.slice(0, end);
  const arity = ARITY[type];
  if (arity === undefined) return fail(`printf: unknown record type '${type.slice(0, 20)}'`);
  const fields = splitFields(text, 4 + arity);
  if (!fields) return fail(`printf ${type}: expected ${4 + arity} fields`);
  const head = integers(fields.slice(1, 4), `printf ${type}`);
  if (!head.ok) return head;
  const [cpu = 0, seq = 0, nsecs = 0] = head.value;
  const seqFields = { cpu, seq, nsecs };
  const rest = fields.slice(4);
  const numbers = (count: number): ParseResult<number[]> => integers(rest.slice(0, count), `printf ${type}`);
  switch (type) {
    case 'ready':
      return ok({ kind: 'ready', nsecs });
    case 'hb': {
      const sent = numbers(5);
      return sent.ok ? ok({ kind: 'hb', ...seqFields, sent: sent.value }) : sent;
    }
    case 'tick': {
      const epoch = numbers(1);
      return epoch.ok ? ok({ kind: 'tick', ...seqFields, epoch: epoch.value[0] ?? 0 }) : epoch;
    }
    case 'exec': {
      const n = numbers(4);
      if (!n.ok) return n;
      const [pid = 0, ppid = 0, uid = 0, bornNs = 0] = n.value;
      return ok({ kind: 'exec', ...seqFields, pid, ppid, uid, bornNs, comm: rest[4] ?? '', filename: rest[5] ?? '' });
    }
    case 'argv': {
      const n = numbers(3);
      if (!n.ok) return n;
      const [pid = 0, count = 0, more = 0] = n.value;
      if (count < 0 || count > 4) return fail(`printf argv: argument count ${count} is not 0..4`);
      return ok({ kind: 'argv', ...seqFields, pid, args: rest.slice(3, 3 + count).map(decodeRawBuffer), more: more !== 0 });
    }
    case 'exit': {
      const n = numbers(5);
      if (!n.ok) return n;
      const [pid = 0, ppid = 0, bornNs = 0, code = 0, signal = 0] = n.value;
      return ok({ kind: 'exit', ...seqFields, pid, ppid, bornNs, code, signal, comm: rest[5] ?? '' });
    }
    default: {
      const n = numbers(7);
      if (!n.ok) return n;
      const [pid = 0, uid = 0, oomScoreAdj = 0, totalVmKiB = 0, anonRssKiB = 0, fileRssKiB = 0, shmemRssKiB = 0] = n.value;
      return ok({ kind: 'oom', ...seqFields, pid, uid, oomScoreAdj, totalVmKiB, anonRssKiB, fileRssKiB, shmemRssKiB, comm: rest[7] ?? '' });
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseMap(data: unknown): ParseResult<BpftraceRecord> {
  if (!isRecord(data)) return fail('map: data is not an object');
  const [name, value] = Object.entries(data)[0] ?? [];
  if (name === undefined) return fail('map: no map in data');
  if (typeof value === 'number') return ok({ kind: 'map', name, entries: [['', value]] });
  if (!isRecord(value)) return fail(`map ${name.slice(0, 40)}: value is neither a number nor an object`);
  const entries: Array<[string, number | string]> = [];
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'number' && typeof entry !== 'string') return fail(`map ${name.slice(0, 40)}: value of '${key.slice(0, 40)}' is not a number or string`);
    entries.push([key, entry]);
  }
  return ok({ kind: 'map', name, entries });
}

// bpftrace 0.17 writes each byte >= 0x80 of a string as \\uffffffXX (a sign-extended char), which
// is not JSON. Rewritten as \\u00XX, such a string holds one char per byte, decoded as UTF-8 after.
const BROKEN_ESCAPE = /(?<!\\)((?:\\\\)*)\\uffffff([0-9a-fA-F]{2})/g;

function fromBytes(text: string): string {
  return Buffer.from(text, 'latin1').toString('utf8');
}

function decodeStrings(value: unknown): unknown {
  if (typeof value === 'string') return fromBytes(value);
  if (!isRecord(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([key, entry]) => [fromBytes(key), decodeStrings(entry)]));
}

export function parseBpftraceLine(line: string): ParseResult<BpftraceRecord> {
  let envelope: unknown;
  try {
    const raw = line.includes('\\uffffff');
    envelope = JSON.parse(raw ? line.replace(BROKEN_ESCAPE, '$1\\u00$2') : line);
    if (raw) envelope = decodeStrings(envelope);
  } catch {
    return fail(`not JSON: '${line.slice(0, 80)}'`);
  }
  if (!isRecord(envelope) || typeof envelope.type !== 'string') return fail(`no "type" in '${line.slice(0, 80)}'`);
  const data = envelope.data;
  switch (envelope.type) {
    case 'printf':
      return typeof data === 'string' ? parsePrintf(data) : fail('printf: data is not a string');
    case 'map':
      return parseMap(data);
    case 'attached_probes': {
      const probes = isRecord(data) ? data.probes : undefined;
      return typeof probes === 'number' ? ok({ kind: 'attached', probes }) : fail('attached_probes: no probe count');
    }
    case 'lost_events': {
      const events = isRecord(data) ? data.events : undefined;
      return typeof events === 'number' ? ok({ kind: 'lost', count: events }) : fail('lost_events: no event count');
    }
    default:
      return ok({ kind: 'ignored', type: envelope.type });
  }
}

// A map key as printed ("123,2,/a,b"): `parts` fields, the last taking any further commas.
export function splitMapKey(key: string, parts: number): string[] | undefined {
  const fields: string[] = [];
  let start = 0;
  for (let i = 0; i < parts - 1; i++) {
    const comma = key.indexOf(',', start);
    if (comma < 0) return undefined;
    fields.push(key.slice(start, comma));
    start = comma + 1;
  }
  fields.push(key.slice(start));
  return fields;
}
