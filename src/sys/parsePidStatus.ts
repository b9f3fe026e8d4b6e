// Parser for /proc/PID/status: owner uid and resident memory.
import { type ParseResult, fail, ok, parseInteger, parseKeyValueLines } from './result.ts';

export interface PidStatus {
  name: string;
  realUid: number;
  effectiveUid: number;
  rssBytes: number;
  threads: number;
}

// The kernel writes Name with '\n' and '\\' escaped (fs/proc/array.c, proc_task_name) and keeps
// tabs, carriage returns and trailing spaces, so the line is taken raw (up to '\n' only) and
// unescaped to match the comm in stat.
function parseName(text: string): string {
  const line = text.split('\n').find((l) => l.startsWith('Name:\t')) ?? 'Name:\t';
  return line.slice('Name:\t'.length).replace(/\\([n\\])/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
}

export function parsePidStatus(text: string): ParseResult<PidStatus> {
  const fields = parseKeyValueLines(text);
  const uids = (fields.get('Uid') ?? '').split(/\s+/).map(parseInteger);
  const realUid = uids[0];
  const effectiveUid = uids[1];
  if (realUid === undefined || effectiveUid === undefined || realUid < 0 || effectiveUid < 0) {
    return fail('status: Uid line is missing or malformed');
  }
  // Kernel threads and zombies have no VmRSS line: that means zero resident memory.
  const rssText = fields.get('VmRSS');
  let rssBytes = 0;
  if (rssText !== undefined) {
    const match = /^(\d+) kB$/.exec(rssText);
    rssBytes = Number(match?.[1]) * 1024;
    if (!Number.isSafeInteger(rssBytes)) return fail(`status: VmRSS '${rssText.slice(0, 40)}' is not a number of kB`);
  }
  // Threads is informational: a malformed count reads as 0 rather than hiding the process.
  const threads = parseInteger(fields.get('Threads') ?? '0');
  return ok({
    name: parseName(text),
    realUid,
    effectiveUid,
    rssBytes,
    threads: threads !== undefined && threads >= 0 ? threads : 0,
  });
}
