// Parser for /proc/PID/status: owner uid and resident memory.
import { type ParseResult, fail, ok, parseKeyValueLines } from './result.ts';

export interface PidStatus {
  name: string;
  realUid: number;
  effectiveUid: number;
  rssBytes: number;
  threads: number;
}

export function parsePidStatus(text: string): ParseResult<PidStatus> {
  const fields = parseKeyValueLines(text);
  const uids = (fields.get('Uid') ?? '').split(/\s+/).map(Number);
  const realUid = uids[0];
  const effectiveUid = uids[1];
  if (realUid === undefined || effectiveUid === undefined || !Number.isSafeInteger(realUid) || !Number.isSafeInteger(effectiveUid)) {
    return fail('status: Uid line is missing or malformed');
  }
  // Kernel threads and zombies have no VmRSS line: that means zero resident memory.
  const rssText = fields.get('VmRSS');
  let rssBytes = 0;
  if (rssText !== undefined) {
    const match = /^(\d+) kB$/.exec(rssText);
    if (!match) return fail(`status: VmRSS '${rssText}' is not a number of kB`);
    rssBytes = Number(match[1]) * 1024;
  }
  const threads = Number(fields.get('Threads') ?? '0');
  return ok({
    name: fields.get('Name') ?? '',
    realUid,
    effectiveUid,
    rssBytes,
    threads: Number.isSafeInteger(threads) ? threads : 0,
  });
}
