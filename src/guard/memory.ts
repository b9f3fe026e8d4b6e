// One memory sample for the guard, from the host (/proc/meminfo) or from a memory cgroup.
import { readMeminfo, readPressure } from '../sys/readProc.ts';
import { type CgroupVersion, readCgroupMemory } from '../sys/readCgroup.ts';
import type { ParseResult } from '../sys/result.ts';

export interface MemorySample {
  timeMs: number;
  // What percentages are taken of: user memory (MemAvailable + AnonPages) or the cgroup limit.
  totalBytes: number;
  availableBytes: number;
  availablePercent: number;
  swapTotalBytes: number;
  swapFreeBytes: number;
  // 0 where there is no swap, as in earlyoom: then memory alone decides.
  swapFreePercent: number;
  psiFullAvg10?: number;
  // Kernel OOM kills counted by the cgroup (cgroup mode only).
  oomKills?: number;
}

export type MemorySource = (nowMs: number) => ParseResult<MemorySample>;

export function hostMemorySource(procRoot: string, withPsi: boolean): MemorySource {
  return (nowMs) => {
    const meminfo = readMeminfo(procRoot);
    if (!meminfo.ok) return meminfo;
    const m = meminfo.value;
    // earlyoom's "user memory": what processes could have if every reclaimable page went.
    const totalBytes = m.availableBytes + m.anonBytes;
    const sample: MemorySample = {
      timeMs: nowMs,
      totalBytes,
      availableBytes: m.availableBytes,
      availablePercent: totalBytes > 0 ? (m.availableBytes * 100) / totalBytes : 0,
      swapTotalBytes: m.swapTotalBytes,
      swapFreeBytes: m.swapFreeBytes,
      swapFreePercent: m.swapTotalBytes > 0 ? (m.swapFreeBytes * 100) / m.swapTotalBytes : 0,
    };
    if (withPsi) {
      const psi = readPressure('memory', procRoot);
      if (psi.ok && psi.value.full) sample.psiFullAvg10 = psi.value.full.avg10;
    }
    return { ok: true, value: sample };
  };
}

// Thresholds apply to the cgroup's limit minus its working set (usage less inactive file pages,
// which the kernel reclaims before it OOM-kills). Swap is not a cgroup's own resource here, so
// the swap condition counts as met, as on a machine without swap.
export function cgroupMemorySource(cgroupDir: string, version: CgroupVersion, procRoot: string, withPsi: boolean): MemorySource {
  const host = hostMemorySource(procRoot, false);
  return (nowMs) => {
    const cgroup = readCgroupMemory(cgroupDir, version);
    if (!cgroup.ok) return cgroup;
    const c = cgroup.value;
    let limitBytes = c.limitBytes;
    if (limitBytes === undefined) {
      // No limit of its own: the host's memory is the limit.
      const hostSample = host(nowMs);
      if (!hostSample.ok) return hostSample;
      limitBytes = hostSample.value.totalBytes + c.workingSetBytes;
    }
    const availableBytes = Math.max(0, limitBytes - c.workingSetBytes);
    const sample: MemorySample = {
      timeMs: nowMs,
      totalBytes: limitBytes,
      availableBytes,
      availablePercent: limitBytes > 0 ? (availableBytes * 100) / limitBytes : 0,
      swapTotalBytes: 0,
      swapFreeBytes: 0,
      swapFreePercent: 0,
      oomKills: c.oomKills,
    };
    if (withPsi) {
      // v1 cgroups have no pressure file of their own: the host's PSI stands in.
      const hostPsi = c.pressure ? undefined : readPressure('memory', procRoot);
      const full = c.pressure?.full ?? (hostPsi?.ok ? hostPsi.value.full : undefined);
      if (full) sample.psiFullAvg10 = full.avg10;
    }
    return { ok: true, value: sample };
  };
}
