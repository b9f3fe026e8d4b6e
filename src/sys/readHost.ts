// Readers of host-wide /proc files under an injectable root (the per-process ones are in readProc.ts).
import { readFileSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { type AuxvFacts, parseAuxv } from './parseAuxv.ts';
import { type CpuInfo, parseCpuinfo } from './parseCpuinfo.ts';
import { type DiskCounters, parseDiskstats } from './parseDiskstats.ts';
import { type Loadavg, parseLoadavg } from './parseLoadavg.ts';
import { type MountEntry, parseMountinfo } from './parseMountinfo.ts';
import { type InterfaceCounters, parseNetDev } from './parseNetDev.ts';
import { type PidIo, parsePidIo } from './parsePidIo.ts';
import { type ProcStat, parseProcStat } from './parseProcStat.ts';
import { parseUptime } from './parseSysValues.ts';
import { type ParseResult, fail } from './result.ts';
import { type ReadText, readSmallFile } from './readFile.ts';

export function readParsedFile<T>(path: string, parse: (text: string) => ParseResult<T>, read: ReadText = readSmallFile): ParseResult<T> {
  const text = read(path);
  if (text === undefined) return fail(`${path}: cannot be read`);
  const result = parse(text);
  return result.ok ? result : fail(`${path}: ${result.error}`);
}

export function readProcStat(procRoot: string, ticksPerSecond: number, read: ReadText = readSmallFile): ParseResult<ProcStat> {
  return readParsedFile(join(procRoot, 'stat'), (text) => parseProcStat(text, ticksPerSecond), read);
}

export function readLoadavg(procRoot: string, read: ReadText = readSmallFile): ParseResult<Loadavg> {
  return readParsedFile(join(procRoot, 'loadavg'), parseLoadavg, read);
}

export function readUptime(procRoot: string, read: ReadText = readSmallFile): ParseResult<number> {
  return readParsedFile(join(procRoot, 'uptime'), parseUptime, read);
}

export function readDiskstats(procRoot: string, read: ReadText = readSmallFile): ParseResult<DiskCounters[]> {
  return readParsedFile(join(procRoot, 'diskstats'), parseDiskstats, read);
}

export function readNetDev(procRoot: string, read: ReadText = readSmallFile): ParseResult<InterfaceCounters[]> {
  return readParsedFile(join(procRoot, 'net', 'dev'), parseNetDev, read);
}

// The mounts as this process sees them (its mount namespace).
export function readMountinfo(procRoot: string): ParseResult<MountEntry[]> {
  return readParsedFile(join(procRoot, 'self', 'mountinfo'), parseMountinfo);
}

// The text of /proc/self/mountinfo, for a caller that parses it only when it changed.
export function mountinfoPath(procRoot: string): string {
  return join(procRoot, 'self', 'mountinfo');
}

export function readCpuinfo(procRoot: string): ParseResult<CpuInfo> {
  return readParsedFile(join(procRoot, 'cpuinfo'), parseCpuinfo);
}

// undefined when the process vanished or its io file is not readable (another user's, or ptrace-protected).
export function readPidIo(pid: number, procRoot: string, read: ReadText = readSmallFile): PidIo | undefined {
  const text = read(`${procRoot}/${pid}/io`);
  if (text === undefined) return undefined;
  const result = parsePidIo(text);
  return result.ok ? result.value : undefined;
}

// A one-line file such as sys/kernel/hostname, trimmed; undefined when absent.
export function readLine(path: string): string | undefined {
  return readSmallFile(path)?.trim();
}

const FALLBACK_AUXV: AuxvFacts = { pageSizeBytes: 4096, clockTicksPerSecond: 100 };

// Page size and USER_HZ of this machine (auxv is binary, so not read as text).
export function readAuxvFacts(procRoot: string): AuxvFacts {
  try {
    const result = parseAuxv(readFileSync(join(procRoot, 'self', 'auxv')));
    return result.ok ? result.value : FALLBACK_AUXV;
  } catch {
    return FALLBACK_AUXV;
  }
}

// PROC_SUPER_MAGIC from include/uapi/linux/magic.h.
const PROC_SUPER_MAGIC = 0x9fa0;

// Whether procRoot is a mounted procfs (a fixture tree is not): only there do held descriptors
// fail for an exited process, and loadavg move with process creation.
export function isProcfs(procRoot: string): boolean {
  try {
    return statfsSync(procRoot).type === PROC_SUPER_MAGIC;
  } catch {
    return false;
  }
}
