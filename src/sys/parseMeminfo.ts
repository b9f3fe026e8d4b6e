// Parser for /proc/meminfo: the memory and swap figures the guard and the collectors use.
import { type ParseResult, fail, ok, parseKeyValueLines } from './result.ts';

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

function kibField(fields: Map<string, string>, key: string): number | undefined {
  const raw = fields.get(key);
  if (raw === undefined) return undefined;
  const match = /^(\d+)(?:\s+kB)?$/.exec(raw);
  if (!match?.[1]) return undefined;
  const bytes = Number(match[1]) * 1024;
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

export function parseMeminfo(text: string): ParseResult<Meminfo> {
  const fields = parseKeyValueLines(text);
  for (const key of required) {
    if (kibField(fields, key) === undefined) {
      return fail(`meminfo: field ${key} is missing or not a number of kB`);
    }
  }
  const get = (key: string): number => kibField(fields, key) ?? 0;
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
