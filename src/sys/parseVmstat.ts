// Parser for /proc/vmstat: "name value" counters (the fallback tracer reads oom_kill from it).
import { parseCounter } from './numbers.ts';
import { type ParseResult, fail, ok } from './result.ts';

export function parseVmstat(text: string): ParseResult<Map<string, number>> {
  const counters = new Map<string, number>();
  for (const line of text.split('\n')) {
    const space = line.indexOf(' ');
    if (space <= 0) continue;
    const value = parseCounter(line.slice(space + 1).trim());
    if (value !== undefined) counters.set(line.slice(0, space), value);
  }
  return counters.size > 0 ? ok(counters) : fail('vmstat: no "name value" line');
}
