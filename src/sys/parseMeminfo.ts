// Parser for /proc/meminfo: the memory and swap figures the guard and the collectors use.
import { type ParseResult, fail, ok } from './result.ts';

export interface Meminfo {
  totalBytes: number;
  freeBytes: number;
  availableBytes: number;
  buffersBytes: number;
  cachedBytes: number;
  swapTotalBytes: number;
  swapFreeBytes: number;
  anonBytes: number;
  shmemBytes: number;
  sReclaimableBytes: number;
}

const required = ['MemTotal', 'MemAvailable', 'SwapTotal', 'SwapFree', 'AnonPages'] as const;

const wanted = ['MemTotal', 'MemFree', 'MemAvailable', 'Buffers', 'Cached', 'SwapTotal', 'SwapFree', 'AnonPages', 'Shmem', 'SReclaimable'];
const DIGIT_0 = 48;
const DIGIT_9 = 57;

// The value of "Key:   123 kB" at the start of a line, in bytes; undefined when absent or malformed.
// indexOf and a digit loop, not a regex per line: the guard parses this file on every poll.
function kibField(text: string, key: string): number | undefined {
  const label = `${key}:`;
  let at = text.startsWith(label) ? 0 : text.indexOf(`\n${label}`) + 1;
  if (at === 0 && !text.startsWith(label)) return undefined;
  at += label.length;
  const afterLabel = at;
  while (text[at] === ' ' || text[at] === '\t') at++;
  if (at === afterLabel) return undefined;
  const start = at;
  let kib = 0;
  for (let code = text.charCodeAt(at); code >= DIGIT_0 && code <= DIGIT_9; code = text.charCodeAt(++at)) kib = kib * 10 + code - DIGIT_0;
  if (at === start) return undefined;
  const end = text.indexOf('\n', at);
  const rest = text.slice(at, end < 0 ? undefined : end).trim();
  if (rest !== '' && rest !== 'kB') return undefined;
  const bytes = kib * 1024;
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

function kibFields(text: string): Map<string, number | undefined> {
  return new Map(wanted.map((key) => [key, kibField(text, key)]));
}

export function parseMeminfo(text: string): ParseResult<Meminfo> {
  const fields = kibFields(text);
  for (const key of required) {
    if (fields.get(key) === undefined) {
      return fail(`meminfo: field ${key} is missing or not a number of kB`);
    }
  }
  const get = (key: string): number => fields.get(key) ?? 0;
  return ok({
    totalBytes: get('MemTotal'),
    freeBytes: get('MemFree'),
    availableBytes: get('MemAvailable'),
    buffersBytes: get('Buffers'),
    cachedBytes: get('Cached'),
    swapTotalBytes: get('SwapTotal'),
    swapFreeBytes: get('SwapFree'),
    anonBytes: get('AnonPages'),
    shmemBytes: get('Shmem'),
    sReclaimableBytes: get('SReclaimable'),
  });
}
