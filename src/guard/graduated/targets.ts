// Who gets slowed: every process in scope is sampled (resident memory, CPU time, growth over a
// window); targets are the processes matching --throttle, or by default the top memory growers,
// minus everything the exclusion rules protect.
import { isKernelThread } from '../../sys/parsePidStat.ts';
import { readCmdline, readPidCgroup, readPidStat, readPidStatus } from '../../sys/readProc.ts';
import { type ExclusionRules, exclusionReason } from './protectedList.ts';

export interface ProcessInfo {
  key: string;
  pid: number;
  startTimeTicks: number;
  comm: string;
  state: string;
  rssBytes: number;
  cpuTicks: number;
  // Rise of rssBytes over the window: now minus the lowest value seen in it.
  growthBytes: number;
}

// Keeps (time, bytes) samples per key for windowMs; growth is the rise from the window's low.
export class GrowthWindow {
  private readonly windowMs: number;
  private readonly samples = new Map<string, Array<[number, number]>>();

  constructor(windowMs: number) {
    this.windowMs = windowMs;
  }

  add(key: string, nowMs: number, bytes: number): number {
    let list = this.samples.get(key);
    if (!list) this.samples.set(key, (list = []));
    list.push([nowMs, bytes]);
    while (list.length > 1 && (list[0]?.[0] ?? nowMs) < nowMs - this.windowMs) list.shift();
    let low = bytes;
    for (const [, value] of list) low = Math.min(low, value);
    return bytes - low;
  }

  // Drops keys not seen in the last scan.
  retain(keys: Set<string>): void {
    for (const key of this.samples.keys()) if (!keys.has(key)) this.samples.delete(key);
  }
}

export interface ScanScope {
  procRoot: string;
  pids: () => number[];
  pageSize: number;
}

export const processKey = (pid: number, startTimeTicks: number): string => `${pid}@${startTimeTicks}`;

export class ProcessWatch {
  private readonly scope: ScanScope;
  private readonly rules: ExclusionRules;
  private readonly growth: GrowthWindow;
  private readonly excluded = new Map<string, string>();
  private readonly cmdlines = new Map<string, string>();

  constructor(scope: ScanScope, rules: ExclusionRules, windowMs: number) {
    this.scope = scope;
    this.rules = rules;
    this.growth = new GrowthWindow(windowMs);
  }

  // Every process in scope that may be touched, with its growth over the window.
  scan(nowMs: number): ProcessInfo[] {
    const seen = new Set<string>();
    const result: ProcessInfo[] = [];
    const root = this.scope.procRoot;
    for (const pid of this.scope.pids()) {
      const stat = readPidStat(pid, root);
      if (!stat || stat.state === 'Z' || stat.state === 'X') continue;
      const key = processKey(pid, stat.startTimeTicks);
      seen.add(key);
      if (this.isExcluded(key, pid, stat.comm, isKernelThread(stat))) continue;
      const rssBytes = stat.rssPages * this.scope.pageSize;
      const growthBytes = this.growth.add(key, nowMs, rssBytes);
      result.push({ key, pid, startTimeTicks: stat.startTimeTicks, comm: stat.comm, state: stat.state, rssBytes, cpuTicks: stat.utimeTicks + stat.stimeTicks, growthBytes });
    }
    this.growth.retain(seen);
    for (const map of [this.excluded, this.cmdlines]) for (const key of map.keys()) if (!seen.has(key)) map.delete(key);
    return result;
  }

  // The exclusion verdict is kept per process: names, owners and cgroups rarely change.
  private isExcluded(key: string, pid: number, comm: string, kernelThread: boolean): boolean {
    let reason = this.excluded.get(key);
    if (reason === undefined) {
      const root = this.scope.procRoot;
      reason =
        exclusionReason(
          {
            pid,
            comm,
            kernelThread,
            uid: () => readPidStatus(pid, root)?.effectiveUid,
            argv0: () => readCmdline(pid, root)?.[0],
            cgroupPaths: () => (readPidCgroup(pid, root) ?? []).map((m) => m.path),
          },
          this.rules,
        ) ?? '';
      this.excluded.set(key, reason);
    }
    return reason !== '';
  }

  cmdline(info: ProcessInfo): string {
    let text = this.cmdlines.get(info.key);
    if (text === undefined) {
      text = (readCmdline(info.pid, this.scope.procRoot) ?? []).join(' ');
      this.cmdlines.set(info.key, text);
    }
    return text;
  }
}

export interface SelectSettings {
  // --throttle: comm or command line matches.
  throttle?: RegExp;
  topGrowers: number;
  minGrowthBytes: number;
}

// New targets among the scanned processes, given the keys already targeted.
export function selectNewTargets(infos: ProcessInfo[], current: Set<string>, settings: SelectSettings, cmdline: (info: ProcessInfo) => string): ProcessInfo[] {
  const fresh = infos.filter((info) => !current.has(info.key));
  const pattern = settings.throttle;
  if (pattern) return fresh.filter((info) => pattern.test(info.comm) || pattern.test(cmdline(info)));
  return fresh
    .filter((info) => info.growthBytes >= settings.minGrowthBytes)
    .sort((a, b) => b.growthBytes - a.growthBytes || a.pid - b.pid)
    .slice(0, settings.topGrowers);
}
