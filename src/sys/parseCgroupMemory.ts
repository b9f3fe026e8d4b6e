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
  // Values beyond 2^53 are only ever the v1 "unlimited" marker.
  if (/^\d{17,}$/.test(trimmed)) return ok(undefined);
  return fail(`memory limit: '${trimmed.slice(0, 40)}' is neither a byte count nor 'max'`);
}

export function parseByteCount(text: string): ParseResult<number> {
  const value = parseInteger(text);
  if (value === undefined || value < 0) return fail(`byte count: '${text.trim().slice(0, 40)}' is not a non-negative integer`);
  return ok(value);
}

// Flat "key value" files: memory.stat, memory.events, memory.oom_control.
export function parseFlatKeyed(text: string): ParseResult<Map<string, number>> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const parts = line.trim().split(/\s+/);
    // Limits such as hierarchical_memsw_limit exceed 2^53; they keep their magnitude, not every digit.
    const value = parts.length === 2 && /^-?\d+$/.test(parts[1] ?? '') ? Number(parts[1]) : undefined;
    if (parts[0] === undefined || value === undefined) return fail(`keyed file: line '${line.slice(0, 80)}' is not 'key integer'`);
    values.set(parts[0], value);
  }
  return ok(values);
}
