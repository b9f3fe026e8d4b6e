// Readers of /proc under an injectable root: host memory, pressure and per-process files.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type CgroupMembership, parseCmdline, parseOomScore, parseOomScoreAdj, parsePidCgroup } from './parsePidFiles.ts';
import { type Meminfo, parseMeminfo } from './parseMeminfo.ts';
import { type PidStat, parsePidStat } from './parsePidStat.ts';
import { type PidStatus, parsePidStatus } from './parsePidStatus.ts';
import { type Pressure, parsePressure } from './parsePressure.ts';
import { type ParseResult, fail } from './result.ts';
import { type ReadText, readSmallFile } from './readFile.ts';

export const DEFAULT_PROC_ROOT = '/proc';

function readParsed<T>(path: string, parse: (text: string) => ParseResult<T>, read: ReadText = readSmallFile): ParseResult<T> {
  const text = read(path);
  if (text === undefined) return fail(`${path}: cannot be read`);
  const result = parse(text);
  return result.ok ? result : fail(`${path}: ${result.error}`);
}

export function readMeminfo(procRoot = DEFAULT_PROC_ROOT, read: ReadText = readSmallFile): ParseResult<Meminfo> {
  return readParsed(join(procRoot, 'meminfo'), parseMeminfo, read);
}

// resource is 'memory', 'cpu' or 'io'; fails where the kernel has no PSI.
export function readPressure(resource: string, procRoot = DEFAULT_PROC_ROOT, read: ReadText = readSmallFile): ParseResult<Pressure> {
  return readParsed(join(procRoot, 'pressure', resource), parsePressure, read);
}

export function listPids(procRoot = DEFAULT_PROC_ROOT): number[] {
  const pids: number[] = [];
  for (const name of readdirSync(procRoot)) {
    const code = name.charCodeAt(0);
    if (code >= 48 && code <= 57) {
      const pid = Number(name);
      if (Number.isSafeInteger(pid)) pids.push(pid);
    }
  }
  return pids;
}

// Every per-process reader returns undefined when the process vanished or the file is unreadable.
function pidFile<T>(procRoot: string, pid: number, name: string, parse: (text: string) => ParseResult<T>): T | undefined {
  const text = readSmallFile(`${procRoot}/${pid}/${name}`);
  if (text === undefined) return undefined;
  const result = parse(text);
  return result.ok ? result.value : undefined;
}

export function readPidStat(pid: number, procRoot = DEFAULT_PROC_ROOT): PidStat | undefined {
  return pidFile(procRoot, pid, 'stat', parsePidStat);
}

export function readPidStatus(pid: number, procRoot = DEFAULT_PROC_ROOT): PidStatus | undefined {
  return pidFile(procRoot, pid, 'status', parsePidStatus);
}

export function readOomScore(pid: number, procRoot = DEFAULT_PROC_ROOT): number | undefined {
  return pidFile(procRoot, pid, 'oom_score', parseOomScore);
}

export function readOomScoreAdj(pid: number, procRoot = DEFAULT_PROC_ROOT): number | undefined {
  return pidFile(procRoot, pid, 'oom_score_adj', parseOomScoreAdj);
}

export function readCmdline(pid: number, procRoot = DEFAULT_PROC_ROOT): string[] | undefined {
  const text = readSmallFile(`${procRoot}/${pid}/cmdline`);
  return text === undefined ? undefined : parseCmdline(text);
}

export function readPidCgroup(pid: number, procRoot = DEFAULT_PROC_ROOT): CgroupMembership[] | undefined {
  return pidFile(procRoot, pid, 'cgroup', parsePidCgroup);
}
