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

function isBlank(code: number): boolean {
  return code === 32 || code === 9 || code === 13 || code === 11 || code === 12;
}

// The value of one key of a flat keyed file, for a caller that needs a few keys of memory.stat
// (36 to 60 lines) every tick: finds the key's line without splitting the file into lines and
// parts. Agrees with parseFlatKeyed(text).get(key) whenever parseFlatKeyed accepts the text (the
// last of repeated keys wins; a value beyond 2^53 reads as absent); only the key's own line is
// checked, so a malformed other line does not fail it. undefined when the key is absent. Blanks
// are the ASCII ones (the kernel writes single spaces).
export function scanFlatKey(text: string, key: string): ParseResult<number | undefined> {
  let found: number | undefined;
  let at = 0;
  while (at < text.length) {
    const newline = text.indexOf('\n', at);
    const end = newline < 0 ? text.length : newline;
    let i = at;
    while (i < end && isBlank(text.charCodeAt(i))) i++;
    if (key.length > 0 && text.startsWith(key, i) && (i + key.length === end || isBlank(text.charCodeAt(i + key.length)))) {
      const value = scanValue(text, i + key.length, end);
      if (value === false) return fail(`keyed file: line '${text.slice(at, end).slice(0, 80)}' is not 'key integer'`);
      // Like parseFlatKeyed's map: a later line of the key replaces an earlier one, unless beyond 2^53.
      if (value !== undefined) found = value;
    }
    at = end + 1;
  }
  return ok(found);
}

// The integer between start and end (blanks around it), undefined beyond 2^53, false if not an integer.
function scanValue(text: string, start: number, end: number): number | undefined | false {
  let i = start;
  while (i < end && isBlank(text.charCodeAt(i))) i++;
  let last = end;
  while (last > i && isBlank(text.charCodeAt(last - 1))) last--;
  const raw = text.slice(i, last);
  if (!/^-?\d+$/.test(raw)) return false;
  const value = Number(raw);
  return Number.isSafeInteger(value) ? value : undefined;
}
