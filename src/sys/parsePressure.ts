// Parser for PSI files (/proc/pressure/*, cgroup *.pressure): some/full averages and totals.
import { type ParseResult, fail, ok } from './result.ts';

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

function parseLine(line: string): PressureLine | undefined {
  const values = new Map<string, number>();
  for (const pair of line.split(/\s+/).slice(1)) {
    const [key, raw] = pair.split('=');
    const value = Number(raw);
    if (key === undefined || raw === undefined || raw === '' || !Number.isFinite(value) || value < 0) return undefined;
    values.set(key, value);
  }
  const avg10 = values.get('avg10');
  const avg60 = values.get('avg60');
  const avg300 = values.get('avg300');
  const total = values.get('total');
  if (avg10 === undefined || avg60 === undefined || avg300 === undefined || total === undefined) return undefined;
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
