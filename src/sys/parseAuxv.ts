// Parser for /proc/self/auxv: the page size and clock tick rate the kernel handed this process.
import { type ParseResult, fail, ok } from './result.ts';

const AT_NULL = 0;
const AT_PAGESZ = 6;
const AT_CLKTCK = 17;

export interface AuxvFacts {
  pageSizeBytes: number;
  // USER_HZ: the unit of utime/stime in /proc/PID/stat and of the cpu lines in /proc/stat
  clockTicksPerSecond: number;
}

// Entries are (type, value) pairs of native words; this reads 64-bit little-endian words, the
// layout of every 64-bit Linux target Node supports except s390x and ppc64 (big-endian).
export function parseAuxv(bytes: Uint8Array): ParseResult<AuxvFacts> {
  if (bytes.length % 16 !== 0) return fail(`auxv: ${bytes.length} bytes is not a whole number of 16-byte entries`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pageSizeBytes: number | undefined;
  let clockTicksPerSecond: number | undefined;
  for (let offset = 0; offset < bytes.length; offset += 16) {
    const type = Number(view.getBigUint64(offset, true));
    const value = Number(view.getBigUint64(offset + 8, true));
    if (type === AT_NULL) break;
    if (type === AT_PAGESZ) pageSizeBytes = value;
    if (type === AT_CLKTCK) clockTicksPerSecond = value;
  }
  if (!pageSizeBytes || !clockTicksPerSecond || pageSizeBytes > 2 ** 30 || clockTicksPerSecond > 1e6) {
    return fail('auxv: AT_PAGESZ or AT_CLKTCK is missing or implausible');
  }
  return ok({ pageSizeBytes, clockTicksPerSecond });
}
