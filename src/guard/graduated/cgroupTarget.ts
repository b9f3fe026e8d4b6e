// A cgroup as a target: paused with the freezer (or SIGSTOP to each member where there is none),
// throttled with a CPU quota sized from the CPU it was using, its members reniced one by one.
import { readCgroupPids } from '../../sys/readCgroup.ts';
import { readPidStat } from '../../sys/readProc.ts';
import { type CgroupDirs, readBandwidth, readCgroupUsageBytes, readCpuUsageUs, readFrozen, restoreQuota, setFrozen, writeQuota } from './cgroupOps.ts';
import type { Switch } from './dutyCycle.ts';
import { type Outcome, type ProcessIdentity, type ProcessOps, currentStat, isStopped, restoreNice, runState, signalProcess } from './processOps.ts';
import { type MemberNice, type Target, lowerOne } from './target.ts';

// A quota below this share of one CPU would starve the cgroup's own bookkeeping.
const MIN_DEMAND_CPUS = 0.05;
// CPU use is measured over at least this long, so one short sample does not set the quota.
const USAGE_WINDOW_MS = 250;

function members(dirs: CgroupDirs, procRoot: string): ProcessIdentity[] {
  const ids: ProcessIdentity[] = [];
  for (const pid of readCgroupPids(dirs.procsDir)) {
    const stat = readPidStat(pid, procRoot);
    if (stat && stat.state !== 'Z' && stat.state !== 'X') ids.push({ pid, startTimeTicks: stat.startTimeTicks });
  }
  return ids;
}

function worst(outcomes: Outcome[]): Outcome {
  return outcomes.find((o) => o.result === 'failed') ?? outcomes.find((o) => o.result === 'ok') ?? { result: 'gone' };
}

// Without a freezer: SIGSTOP every member, remembering whom, and SIGCONT exactly those.
function signalSwitch(dirs: CgroupDirs, ops: ProcessOps, stopped: ProcessIdentity[]): Switch {
  return {
    stop: () => {
      const outcomes: Outcome[] = [];
      for (const id of members(dirs, ops.procRoot)) {
        const stat = currentStat(id, ops.procRoot);
        if (!stat || isStopped(stat)) continue;
        const outcome = signalProcess(id, 'SIGSTOP', ops);
        if (outcome.result === 'ok') stopped.push(id);
        outcomes.push(outcome);
      }
      return outcomes.length === 0 ? { result: 'ok' } : worst(outcomes);
    },
    cont: () => {
      const outcomes = stopped.splice(0).map((id) => signalProcess(id, 'SIGCONT', ops));
      return outcomes.length === 0 ? { result: 'ok' } : worst(outcomes.map((o) => (o.result === 'gone' ? { result: 'ok' } : o)));
    },
    isStopped: () => {
      if (stopped.length === 0) return false;
      const states = stopped.map((id) => runState(id, ops.procRoot));
      return states.includes(false) ? false : states.every((s) => s !== false) && states.includes(true) ? true : undefined;
    },
  };
}

function freezerSwitch(dirs: CgroupDirs): Switch {
  return { stop: () => setFrozen(dirs, true), cont: () => setFrozen(dirs, false), isStopped: () => readFrozen(dirs) };
}

export function cgroupTarget(dirs: CgroupDirs, ops: ProcessOps, pageSize: number): Target {
  const stoppedMembers: ProcessIdentity[] = [];
  const nice: MemberNice[] = [];
  let quotaRaw: string | undefined;
  let demandCpus: number | undefined;
  let lastUsage: { atMs: number; us: number } | undefined;
  const quota = dirs.cpuDir === undefined ? undefined : {
    method: dirs.version === 2 ? 'cpu.max' : 'cpu.cfs_quota_us',
    set: (dutyPercent: number): Outcome => {
      const read = readBandwidth(dirs);
      if (!read.ok) return { result: 'failed', error: read.error };
      quotaRaw ??= read.value.raw;
      const { periodUs } = read.value.bandwidth;
      const cpus = Math.max(MIN_DEMAND_CPUS, demandCpus ?? 1);
      return writeQuota(dirs, (dutyPercent / 100) * cpus * periodUs, periodUs);
    },
    restore: (): Outcome => {
      const raw = quotaRaw;
      quotaRaw = undefined;
      return raw === undefined ? { result: 'ok' } : restoreQuota(dirs, raw);
    },
  };
  const target: Target = {
    ref: { key: `cgroup:${dirs.path}`, kind: 'cgroup', name: dirs.path, cgroup: dirs.path },
    switch: dirs.freezerDir !== undefined ? freezerSwitch(dirs) : signalSwitch(dirs, ops, stoppedMembers),
    ...(quota ? { quota } : {}),
    pauseMethod: dirs.freezerDir !== undefined ? 'freezer' : 'sigstop',
    memoryBytes: 0,
    mayBeStopped: false,
    lowerPriority: (value) => {
      const changes: Array<{ pid: number; from: number; to: number }> = [];
      const outcomes: Outcome[] = [];
      for (const id of members(dirs, ops.procRoot)) {
        if (nice.some((n) => n.pid === id.pid && n.startTimeTicks === id.startTimeTicks)) continue;
        const result = lowerOne(id, value, ops);
        outcomes.push(result.outcome);
        if (result.before && result.from !== undefined) {
          nice.push({ ...id, before: result.before });
          changes.push({ pid: id.pid, from: result.from, to: value });
        }
      }
      return { outcome: outcomes.length === 0 ? { result: 'ok' } : worst(outcomes.map((o) => (o.result === 'gone' ? { result: 'ok' } : o))), changes };
    },
    restorePriority: () => worst([{ result: 'ok' }, ...nice.splice(0).map((n) => restoreNice(n, n.before, ops)).map((o): Outcome => (o.result === 'gone' ? { result: 'ok' } : o))]),
    sendSignal: (signal) => {
      const outcomes = members(dirs, ops.procRoot).map((id) => signalProcess(id, signal, ops));
      return outcomes.length === 0 ? { result: 'gone' } : worst(outcomes);
    },
    observe: (nowMs) => {
      target.memoryBytes = readCgroupUsageBytes(dirs) ?? members(dirs, ops.procRoot).reduce((sum, id) => sum + (readPidStat(id.pid, ops.procRoot)?.rssPages ?? 0) * pageSize, 0);
      const us = readCpuUsageUs(dirs);
      if (us === undefined) return;
      // Measured only while running freely: a throttled cgroup's use says nothing of its demand.
      if (quotaRaw !== undefined || target.switch.isStopped() === true) {
        lastUsage = undefined;
        return;
      }
      if (lastUsage && nowMs - lastUsage.atMs >= USAGE_WINDOW_MS) {
        const cpus = (us - lastUsage.us) / ((nowMs - lastUsage.atMs) * 1000);
        demandCpus = Math.max(demandCpus ?? 0, cpus);
        lastUsage = { atMs: nowMs, us };
      } else if (!lastUsage) lastUsage = { atMs: nowMs, us };
    },
    ledgerEntry: () => ({
      kind: 'cgroup',
      path: dirs.path,
      name: dirs.path,
      version: dirs.version,
      mayBeFrozen: target.mayBeStopped && dirs.freezerDir !== undefined,
      ...(dirs.freezerDir !== undefined ? { freezerDir: dirs.freezerDir } : {}),
      ...(dirs.cpuDir !== undefined ? { cpuDir: dirs.cpuDir } : {}),
      ...(quotaRaw !== undefined ? { quotaRaw } : {}),
      stoppedMembers: target.mayBeStopped && dirs.freezerDir === undefined ? members(dirs, ops.procRoot) : [],
      nice: nice.map((n) => ({ ...n })),
    }),
    containsPid: (pid) => readCgroupPids(dirs.procsDir).includes(pid),
  };
  return target;
}
