// Parser for PSI files (/proc/pressure/*, cgroup *.pressure): some/full averages and totals.
import { type ParseResult, fail, ok, parseInteger } from './result.ts';

export interface PressureLine {
  avg10: number;
  avg60: number;
  avg300: number;
  totalMicroseconds: number;
}

export interface Pressure {
  some: PressureLine;
  // The cpu file has no meaningful 'full' line on older kernels.
  full?: PressureLine;
}

// Averages are percentages with two decimals (0.00..100.00); total is a count of microseconds.
function parseLine(line: string): PressureLine | undefined {
  const values = new Map<string, string>();
  for (const pair of line.split(/\s+/).slice(1)) {
    const [key, raw, extra] = pair.split('=');
    if (key === undefined || raw === undefined || extra !== undefined) return undefined;
    values.set(key, raw);
  }
  const percent = (key: string): number | undefined => {
    const raw = values.get(key) ?? '';
    const value = Number(raw);
    return /^\d+(\.\d+)?$/.test(raw) && value <= 100 ? value : undefined;
  };
  const avg10 = percent('avg10');
  const avg60 = percent('avg60');
  const avg300 = percent('avg300');
  const total = parseInteger(values.get('total') ?? '');
  if (avg10 === undefined || avg60 === undefined || avg300 === undefined || total === undefined || total < 0) return undefined;
  return { avg10, avg60, avg300, totalMicroseconds: total };
}

export function parsePressure(text: string): ParseResult<Pressure> {
  let some: PressureLine | undefined;
  let full: PressureLine | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('some ')) some = parseLine(line);
    else if (line.startsWith('full ')) full = parseLine(line);
  }
  if (!some) return fail("pressure: no well-formed 'some avg10=.. avg60=.. avg300=.. total=..' line");
  return ok(full ? { some, full } : { some });
}
