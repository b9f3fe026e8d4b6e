// One thing the graduated response slows: a process (SIGSTOP/SIGCONT, nice) or a cgroup (freezer,
// CPU quota, its members' nice), with what it takes to put it back exactly as it was.
import type { Switch } from './dutyCycle.ts';
import { type NiceRecord, type Outcome, type ProcessIdentity, type ProcessOps, currentStat, readNice, renice, restoreNice, runState, signalProcess } from './processOps.ts';

export interface TargetRef {
  key: string;
  kind: 'process' | 'cgroup';
  name: string;
  pid?: number;
  cgroup?: string;
}

export interface MemberNice {
  pid: number;
  startTimeTicks: number;
  before: NiceRecord;
}

// What the ledger keeps about a target so that a later start can undo what this guard did.
export type LedgerEntry =
  | { kind: 'process'; pid: number; startTimeTicks: number; name: string; mayBeStopped: boolean; nice?: NiceRecord }
  | { kind: 'cgroup'; path: string; name: string; mayBeFrozen: boolean; freezerDir?: string; version: 1 | 2; cpuDir?: string; quotaRaw?: string; stoppedMembers: ProcessIdentity[]; nice: MemberNice[] };

export interface Target {
  readonly ref: TargetRef;
  readonly switch: Switch;
  // CPU quota, for cgroups with a cpu controller: processes are throttled by duty cycle instead.
  readonly quota?: { set: (dutyPercent: number) => Outcome; restore: () => Outcome; method: string };
  readonly pauseMethod: string;
  memoryBytes: number;
  // The switch may stop it: set before the first stop so the ledger knows first.
  mayBeStopped: boolean;
  lowerPriority: (nice: number) => { outcome: Outcome; changes: Array<{ pid: number; from: number; to: number }> };
  restorePriority: () => Outcome;
  sendSignal: (signal: NodeJS.Signals) => Outcome;
  // Tracks CPU use between calls (cgroups: for the quota).
  observe: (nowMs: number) => void;
  ledgerEntry: () => LedgerEntry;
  containsPid: (pid: number) => boolean;
  // The process exited (or its pid now names another), or the cgroup was removed.
  isGone: () => boolean;
}

// Lowers priority only: a process already nicer than `nice` keeps its value.
export function lowerOne(id: ProcessIdentity, nice: number, ops: ProcessOps): { outcome: Outcome; before?: NiceRecord; from?: number } {
  const current = readNice(id, ops);
  if (current === undefined) return { outcome: { result: 'gone' } };
  if (current >= nice) return { outcome: { result: 'ok' } };
  const { outcome, before } = renice(id, nice, ops);
  return { outcome, before, from: current };
}

export function processTarget(id: ProcessIdentity, name: string, ops: ProcessOps): Target {
  let niceBefore: NiceRecord | undefined;
  const target: Target = {
    ref: { key: `${id.pid}@${id.startTimeTicks}`, kind: 'process', name: `${name}[${id.pid}]`, pid: id.pid },
    switch: {
      stop: () => signalProcess(id, 'SIGSTOP', ops),
      cont: () => signalProcess(id, 'SIGCONT', ops),
      isStopped: () => runState(id, ops.procRoot),
    },
    pauseMethod: 'sigstop',
    memoryBytes: 0,
    mayBeStopped: false,
    lowerPriority: (nice) => {
      if (niceBefore) return { outcome: { result: 'ok' }, changes: [] };
      const result = lowerOne(id, nice, ops);
      if (result.before) niceBefore = result.before;
      return { outcome: result.outcome, changes: result.from === undefined ? [] : [{ pid: id.pid, from: result.from, to: nice }] };
    },
    restorePriority: () => {
      const before = niceBefore;
      niceBefore = undefined;
      return before ? restoreNice(id, before, ops) : { result: 'ok' };
    },
    sendSignal: (signal) => signalProcess(id, signal, ops),
    observe: () => undefined,
    ledgerEntry: () => ({ kind: 'process', pid: id.pid, startTimeTicks: id.startTimeTicks, name, mayBeStopped: target.mayBeStopped, ...(niceBefore ? { nice: niceBefore } : {}) }),
    containsPid: (pid) => pid === id.pid,
    isGone: () => currentStat(id, ops.procRoot) === undefined,
  };
  return target;
}

