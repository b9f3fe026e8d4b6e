// Parser for /proc/diskstats: cumulative I/O counters per block device (see Documentation/admin-guide/iostats.rst).
import { parseCounter } from './numbers.ts';
import { type ParseResult, fail, ok } from './result.ts';

// The kernel counts in 512-byte sectors whatever the device's real sector size.
const SECTOR_BYTES = 512;

export interface DiskCounters {
  major: number;
  minor: number;
  name: string;
  readsCompleted: number;
  readBytes: number;
  writesCompleted: number;
  writtenBytes: number;
  inProgress: number;
  // time the device had at least one request in flight ("io_ticks"), the base of busy %
  busySeconds: number;
}

function parseLine(line: string): DiskCounters | string {
  const fields = line.trim().split(/\s+/);
  if (fields.length < 14) return `diskstats: line '${line.slice(0, 60)}' has ${fields.length} fields, expected at least 14`;
  const numbers: number[] = [];
  for (let i = 0; i < 14; i++) {
    if (i === 2) continue;
    const value = parseCounter(fields[i] ?? '');
    if (value === undefined) return `diskstats: field ${i + 1} '${(fields[i] ?? '').slice(0, 20)}' of '${fields[2]?.slice(0, 20)}' is not a counter`;
    numbers[i] = value;
  }
  const at = (i: number): number => numbers[i] ?? 0;
  return {
    major: at(0),
    minor: at(1),
    name: fields[2] ?? '',
    readsCompleted: at(3),
    readBytes: at(5) * SECTOR_BYTES,
    writesCompleted: at(7),
    writtenBytes: at(9) * SECTOR_BYTES,
    inProgress: at(11),
    busySeconds: at(12) / 1000,
  };
}

export function parseDiskstats(text: string): ParseResult<DiskCounters[]> {
  const disks: DiskCounters[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const parsed = parseLine(line);
    if (typeof parsed === 'string') return fail(parsed);
    disks.push(parsed);
  }
  return ok(disks);
}
