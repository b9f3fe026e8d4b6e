// The per-process files read rarely: status, cmdline and cgroup when a process is shown, io when it ran.
import { parseCmdline, parsePidCgroup, memoryCgroupPath } from '../sys/parsePidFiles.ts';
import { parsePidStatus } from '../sys/parsePidStatus.ts';
import { readPidIo } from '../sys/readHost.ts';
import { type ReadText, readSmallFile } from '../sys/readFile.ts';
import type { TrackedProcess } from './processTable.ts';

// uid, cmdline and memory cgroup; kernel threads have none of their own.
export function readStaticDetails(procRoot: string, entry: TrackedProcess): void {
  entry.detailsRead = true;
  if (entry.kernelThread) {
    entry.cmdline = '';
    entry.uid = 0;
    return;
  }
  const dir = `${procRoot}/${entry.pid}`;
  const status = readSmallFile(`${dir}/status`);
  const parsed = status === undefined ? undefined : parsePidStatus(status);
  if (parsed?.ok) entry.uid = parsed.value.realUid;
  const cmdline = readSmallFile(`${dir}/cmdline`);
  entry.cmdline = cmdline === undefined ? '' : parseCmdline(cmdline).join(' ');
  const cgroup = readSmallFile(`${dir}/cgroup`);
  const memberships = cgroup === undefined ? undefined : parsePidCgroup(cgroup);
  const path = memberships?.ok ? memoryCgroupPath(memberships.value) : undefined;
  if (path !== undefined) entry.cgroup = path;
}

// Reads /proc/PID/io if the process ran since the last io read (one that did not run did no I/O
// of its own) and derives the rates from the previous reading, however old it is.
export function refreshIo(procRoot: string, entry: TrackedProcess, tick: number, monotonicMs: number, read?: ReadText): void {
  const before = entry.io;
  if (entry.ioUnreadable) return;
  if (before && entry.ranTick <= entry.ioTick) {
    entry.readBytesPerSecond = 0;
    entry.writtenBytesPerSecond = 0;
    return;
  }
  entry.ioTick = tick;
  const io = readPidIo(entry.pid, procRoot, read);
  if (!io) {
    // Permission to read it does not come back for the same process: do not try every tick.
    entry.ioUnreadable = true;
    delete entry.io;
    delete entry.readBytesPerSecond;
    delete entry.writtenBytesPerSecond;
    return;
  }
  entry.io = { readBytes: io.readBytes, writtenBytes: io.writtenBytes, atMs: monotonicMs };
  const seconds = before ? (monotonicMs - before.atMs) / 1000 : 0;
  if (!before || seconds <= 0) return;
  entry.readBytesPerSecond = Math.max(0, io.readBytes - before.readBytes) / seconds;
  entry.writtenBytesPerSecond = Math.max(0, io.writtenBytes - before.writtenBytes) / seconds;
}
