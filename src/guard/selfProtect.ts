// -p (niceness -20, oom_score_adj -100) and the guard's memory-lock status.
import { writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { memoryCgroupPath } from '../sys/parsePidFiles.ts';
import { readPidCgroup } from '../sys/readProc.ts';
import { readSmallFile } from '../sys/readFile.ts';

export function raisePriority(procRoot: string): string[] {
  const problems: string[] = [];
  try {
    setPriority(0, -20);
  } catch (error) {
    problems.push(`Could not set priority: ${(error as Error).message}. Continuing anyway`);
  }
  try {
    writeFileSync(join(procRoot, 'self', 'oom_score_adj'), '-100');
  } catch (error) {
    problems.push(`Could not set oom_score_adj: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}. Continuing anyway`);
  }
  return problems.length === 0 ? ['Priority was raised successfully'] : problems;
}

// Node.js has no mlockall(2). What keeps the guard resident instead is cgroup v2 memory.min
// (systemd MemoryMin= in packaging/systemd/hostguard-guard.service): report whether it is in force.
export function memoryLockStatus(procRoot: string, cgroupRoot = '/sys/fs/cgroup'): { locked: boolean; message: string } {
  const memberships = readPidCgroup(process.pid, procRoot) ?? [];
  const v2 = memberships.find((m) => m.hierarchyId === 0)?.path;
  const v1 = memoryCgroupPath(memberships.filter((m) => m.hierarchyId !== 0));
  const min = v2 === undefined ? undefined : Number(readSmallFile(join(cgroupRoot, v2, 'memory.min'))?.trim());
  if (min !== undefined && min > 0) {
    return { locked: true, message: `memory protected from reclaim by cgroup memory.min = ${Math.floor(min / 1048576)} MiB (${v2})` };
  }
  const where = v1 !== undefined ? `cgroup v1 (${v1}) has no memory.min` : 'no memory.min is set for this cgroup';
  return {
    locked: false,
    message: `Could not lock memory: Node.js has no mlockall() and ${where}; run from the systemd unit (MemoryMin=) on cgroup v2 to keep the guard resident - continuing anyway`,
  };
}
