// Parsers for cgroup memory files, v1 (memory.*_in_bytes, memory.stat, memory.oom_control)
// and v2 (memory.max, memory.current, memory.events, memory.stat).
import { type ParseResult, fail, ok, parseInteger } from './result.ts';

// v1 reports "no limit" as a huge page-aligned number (PAGE_COUNTER_MAX * page size).
const V1_UNLIMITED_FLOOR = 2 ** 62;

// memory.limit_in_bytes (v1) or memory.max (v2, may be "max"): undefined means unlimited.
export function parseMemoryLimit(text: string): ParseResult<number | undefined> {
  const trimmed = text.trim();
  if (trimmed === 'max') return ok(undefined);
  const value = parseInteger(trimmed);
  if (value !== undefined && value >= 0) return ok(value >= V1_UNLIMITED_FLOOR ? undefined : value);
  // A limit beyond 2^53 bytes (8 PiB) cannot bind on any machine: in practice it is v1's marker.
  if (/^\d+$/.test(trimmed)) return ok(undefined);
  return fail(`memory limit: '${trimmed.slice(0, 40)}' is neither a byte count nor 'max'`);
}

export function parseByteCount(text: string): ParseResult<number> {
  const value = parseInteger(text);
  if (value === undefined || value < 0) return fail(`byte count: '${text.trim().slice(0, 40)}' is not a non-negative integer`);
  return ok(value);
}

// Flat "key value" files: memory.stat, memory.events, memory.oom_control.
// A value beyond 2^53 is left out of the map rather than failing the file: v1 memory.stat
// always holds hierarchical_memsw_limit 9223372036854771712 ("unlimited"), and an absent key
// reads as "no figure", the same convention parseMemoryLimit uses for unlimited.
export function parseFlatKeyed(text: string): ParseResult<Map<string, number>> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const parts = line.trim().split(/\s+/);
    const key = parts[0];
    const raw = parts.length === 2 ? (parts[1] ?? '') : '';
    if (key === undefined || !/^-?\d+$/.test(raw)) return fail(`keyed file: line '${line.slice(0, 80)}' is not 'key integer'`);
    const value = parseInteger(raw);
    if (value !== undefined) values.set(key, value);
  }
  return ok(values);
}
