// A cgroup as a target: paused with the freezer (or SIGSTOP to each member where there is none),
// throttled with a CPU quota sized from the CPU it was using, its members reniced one by one.
import { existsSync } from 'node:fs';
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

// What a cgroup target changed, to undo it and to write in the ledger.
interface Changes {
  stoppedMembers: ProcessIdentity[];
  nice: MemberNice[];
  quotaRaw?: string;
  demandCpus?: number;
  lastUsage?: { atMs: number; us: number };
}

const goneIsFine = (o: Outcome): Outcome => (o.result === 'gone' ? { result: 'ok' } : o);

function quotaOf(dirs: CgroupDirs, changes: Changes): Target['quota'] {
  if (dirs.cpuDir === undefined) return undefined;
  return {
    method: dirs.version === 2 ? 'cpu.max' : 'cpu.cfs_quota_us',
    set: (dutyPercent) => {
      const read = readBandwidth(dirs);
      if (!read.ok) return { result: 'failed', error: read.error };
      changes.quotaRaw ??= read.value.raw;
      const { periodUs } = read.value.bandwidth;
      const cpus = Math.max(MIN_DEMAND_CPUS, changes.demandCpus ?? 1);
      return writeQuota(dirs, (dutyPercent / 100) * cpus * periodUs, periodUs);
    },
    restore: () => {
      const raw = changes.quotaRaw;
      delete changes.quotaRaw;
      return raw === undefined ? { result: 'ok' } : restoreQuota(dirs, raw);
    },
  };
}

function lowerMembers(dirs: CgroupDirs, ops: ProcessOps, changes: Changes, value: number): ReturnType<Target['lowerPriority']> {
  const result: ReturnType<Target['lowerPriority']> = { outcome: { result: 'ok' }, changes: [] };
  const outcomes: Outcome[] = [];
  for (const id of members(dirs, ops.procRoot)) {
    if (changes.nice.some((n) => n.pid === id.pid && n.startTimeTicks === id.startTimeTicks)) continue;
    const lowered = lowerOne(id, value, ops);
    outcomes.push(goneIsFine(lowered.outcome));
    if (lowered.before && lowered.from !== undefined) {
      changes.nice.push({ ...id, before: lowered.before });
      result.changes.push({ pid: id.pid, from: lowered.from, to: value });
    }
  }
  if (outcomes.length > 0) result.outcome = worst(outcomes);
  return result;
}

// Memory in use, and the CPU the cgroup takes while it runs freely: a throttled or frozen
// cgroup's use says nothing of its demand, which sizes the quota.
function observeCgroup(target: Target, dirs: CgroupDirs, ops: ProcessOps, pageSize: number, changes: Changes, nowMs: number): void {
  target.memoryBytes = readCgroupUsageBytes(dirs) ?? members(dirs, ops.procRoot).reduce((sum, id) => sum + (readPidStat(id.pid, ops.procRoot)?.rssPages ?? 0) * pageSize, 0);
  const us = readCpuUsageUs(dirs);
  if (us === undefined) return;
  if (changes.quotaRaw !== undefined || target.switch.isStopped() === true) {
    delete changes.lastUsage;
    return;
  }
  const last = changes.lastUsage;
  if (!last) changes.lastUsage = { atMs: nowMs, us };
  else if (nowMs - last.atMs >= USAGE_WINDOW_MS) {
    changes.demandCpus = Math.max(changes.demandCpus ?? 0, (us - last.us) / ((nowMs - last.atMs) * 1000));
    changes.lastUsage = { atMs: nowMs, us };
  }
}

export function cgroupTarget(dirs: CgroupDirs, ops: ProcessOps, pageSize: number): Target {
  const changes: Changes = { stoppedMembers: [], nice: [] };
  const quota = quotaOf(dirs, changes);
  const frozen = dirs.freezerDir !== undefined;
  const target: Target = {
    ref: { key: `cgroup:${dirs.path}`, kind: 'cgroup', name: dirs.path, cgroup: dirs.path },
    switch: frozen ? freezerSwitch(dirs) : signalSwitch(dirs, ops, changes.stoppedMembers),
    ...(quota ? { quota } : {}),
    pauseMethod: frozen ? 'freezer' : 'sigstop',
    memoryBytes: 0,
    mayBeStopped: false,
    lowerPriority: (value) => lowerMembers(dirs, ops, changes, value),
    restorePriority: () => worst([{ result: 'ok' }, ...changes.nice.splice(0).map((n) => goneIsFine(restoreNice(n, n.before, ops)))]),
    sendSignal: (signal) => {
      const outcomes = members(dirs, ops.procRoot).map((id) => signalProcess(id, signal, ops));
      return outcomes.length === 0 ? { result: 'gone' } : worst(outcomes);
    },
    observe: (nowMs) => observeCgroup(target, dirs, ops, pageSize, changes, nowMs),
    ledgerEntry: () => ({
      kind: 'cgroup',
      path: dirs.path,
      name: dirs.path,
      version: dirs.version,
      mayBeFrozen: target.mayBeStopped && frozen,
      ...(dirs.freezerDir !== undefined ? { freezerDir: dirs.freezerDir } : {}),
      ...(dirs.cpuDir !== undefined ? { cpuDir: dirs.cpuDir } : {}),
      ...(changes.quotaRaw !== undefined ? { quotaRaw: changes.quotaRaw } : {}),
      stoppedMembers: target.mayBeStopped && !frozen ? members(dirs, ops.procRoot) : [],
      nice: changes.nice.map((n) => ({ ...n })),
    }),
    containsPid: (pid) => readCgroupPids(dirs.procsDir).includes(pid),
    isGone: () => !existsSync(dirs.procsDir),
  };
  return target;
}
