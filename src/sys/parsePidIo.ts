// Parser for /proc/PID/io: the process's cumulative I/O (readable only by its owner or root).
import { parseCounter } from './numbers.ts';
import { type ParseResult, fail, ok } from './result.ts';

export interface PidIo {
  // bytes passed through read()/write() and friends, cache hits included
  readCharsBytes: number;
  writtenCharsBytes: number;
  // bytes the process caused to be fetched from / sent to the storage layer
  readBytes: number;
  writtenBytes: number;
  cancelledWriteBytes: number;
}

export function parsePidIo(text: string): ParseResult<PidIo> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(': ');
    if (colon < 0) continue;
    const value = parseCounter(line.slice(colon + 2).trim());
    if (value !== undefined) values.set(line.slice(0, colon), value);
  }
  const readBytes = values.get('read_bytes');
  const writtenBytes = values.get('write_bytes');
  if (readBytes === undefined || writtenBytes === undefined) return fail("io: 'read_bytes' or 'write_bytes' is missing");
  return ok({
    readCharsBytes: values.get('rchar') ?? 0,
    writtenCharsBytes: values.get('wchar') ?? 0,
    readBytes,
    writtenBytes,
    cancelledWriteBytes: values.get('cancelled_write_bytes') ?? 0,
  });
}
