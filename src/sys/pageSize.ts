// The kernel page size, which /proc/PID/stat's rss field counts in. Node has no sysconf(), so it
// is derived from the same process's resident size in pages (statm) and in kB (status).
import { readSmallFile } from './readFile.ts';

const FALLBACK_PAGE_SIZE = 4096;

export function detectPageSize(procRoot = '/proc'): number {
  const statm = readSmallFile(`${procRoot}/self/statm`);
  const status = readSmallFile(`${procRoot}/self/status`);
  const residentPages = Number(statm?.split(' ')[1]);
  const rssKiB = Number(/VmRSS:\s+(\d+) kB/.exec(status ?? '')?.[1]);
  if (!(residentPages > 0) || !(rssKiB > 0)) return FALLBACK_PAGE_SIZE;
  // Round to the nearest power of two: the two reads are a moment apart.
  return 2 ** Math.round(Math.log2((rssKiB * 1024) / residentPages));
}
