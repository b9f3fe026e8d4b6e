// At start, undoes what a previous guard recorded in its ledger and could not undo itself (it was
// killed with SIGKILL or crashed): continues processes it left stopped (same start time only),
// thaws cgroups, writes back CPU quotas and nice values; then removes the ledger.
import { readFileSync, rmSync } from 'node:fs';
import type { Emit } from '../events.ts';
import { type CgroupDirs, readFrozen, restoreQuota, setFrozen } from './cgroupOps.ts';
import { parseLedger } from './ledger.ts';
import { type Outcome, type ProcessIdentity, type ProcessOps, currentStat, restoreNice, signalProcess } from './processOps.ts';
import type { LedgerEntry, TargetRef } from './target.ts';

export interface RepairSummary {
  resumed: number;
  reniced: number;
  problems: string[];
}

function continueIfStopped(id: ProcessIdentity, ops: ProcessOps): Outcome | undefined {
  const stat = currentStat(id, ops.procRoot);
  if (!stat || stat.state !== 'T') return undefined;
  return signalProcess(id, 'SIGCONT', ops);
}

function repairProcess(entry: Extract<LedgerEntry, { kind: 'process' }>, reason: string, ops: ProcessOps, emit: Emit, summary: RepairSummary): void {
  const ref: TargetRef = { key: `${entry.pid}@${entry.startTimeTicks}`, kind: 'process', name: `${entry.name}[${entry.pid}]`, pid: entry.pid };
  if (!currentStat(entry, ops.procRoot)) return;
  if (entry.mayBeStopped) {
    const outcome = continueIfStopped(entry, ops);
    if (outcome?.result === 'ok') {
      summary.resumed++;
      emit({ type: 'resume', target: ref, reason, throttledMs: 0, pausedMs: 0, source: 'graduated' });
    } else if (outcome?.result === 'failed') summary.problems.push(`${ref.name}: ${outcome.error}`);
  }
  if (entry.nice) restoreNiceOf(entry, entry.nice, ref, reason, ops, emit, summary);
}

function restoreNiceOf(id: ProcessIdentity, before: Array<[number, number]>, ref: TargetRef, reason: string, ops: ProcessOps, emit: Emit, summary: RepairSummary): void {
  let current: number | undefined;
  try {
    current = currentStat(id, ops.procRoot) ? ops.getNice(id.pid) : undefined;
  } catch {
    current = undefined;
  }
  if (current === undefined) return;
  const outcome = restoreNice(id, before, ops);
  const original = new Map(before).get(id.pid) ?? before[0]?.[1] ?? current;
  if (outcome.result === 'ok' && original !== current) {
    summary.reniced++;
    emit({ type: 'renice', target: ref, pid: id.pid, fromNice: current, toNice: original, source: 'graduated', reason });
  } else if (outcome.result === 'failed') summary.problems.push(`${ref.name}: ${outcome.error}`);
}

function repairCgroup(entry: Extract<LedgerEntry, { kind: 'cgroup' }>, reason: string, ops: ProcessOps, emit: Emit, summary: RepairSummary): void {
  const ref: TargetRef = { key: `cgroup:${entry.path}`, kind: 'cgroup', name: entry.path, cgroup: entry.path };
  const dirs: CgroupDirs = {
    path: entry.path,
    version: entry.version,
    procsDir: entry.freezerDir ?? entry.cpuDir ?? '',
    ...(entry.freezerDir ? { freezerDir: entry.freezerDir } : {}),
    ...(entry.cpuDir ? { cpuDir: entry.cpuDir } : {}),
  };
  let resumed = false;
  const problem = (outcome: Outcome | undefined): void => {
    if (outcome?.result === 'failed') summary.problems.push(`${entry.path}: ${outcome.error}`);
  };
  if (entry.mayBeFrozen && readFrozen(dirs) === true) {
    const outcome = setFrozen(dirs, false);
    resumed ||= outcome.result === 'ok';
    problem(outcome);
  }
  if (entry.quotaRaw !== undefined) {
    const outcome = restoreQuota(dirs, entry.quotaRaw);
    resumed ||= outcome.result === 'ok';
    problem(outcome);
  }
  for (const member of entry.stoppedMembers) {
    const outcome = continueIfStopped(member, ops);
    resumed ||= outcome?.result === 'ok';
    problem(outcome);
  }
  if (resumed) {
    summary.resumed++;
    emit({ type: 'resume', target: ref, reason, throttledMs: 0, pausedMs: 0, source: 'graduated' });
  }
  for (const member of entry.nice) restoreNiceOf(member, member.before, { ...ref, pid: member.pid }, reason, ops, emit, summary);
}

// Reads and repairs the ledger at `path`, if there is one. A ledger that cannot be parsed is
// reported and kept for a person to read.
export function repairFromLedger(path: string, ops: ProcessOps, emit: Emit): RepairSummary | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const parsed = parseLedger(text);
  const summary: RepairSummary = { resumed: 0, reniced: 0, problems: [] };
  if (!parsed.ok) {
    summary.problems.push(`${path}: ${parsed.error}; left in place`);
    return summary;
  }
  const reason = `ledger of guard ${parsed.value.guardPid}`;
  for (const entry of parsed.value.entries) {
    if (entry.kind === 'process') repairProcess(entry, reason, ops, emit, summary);
    else repairCgroup(entry, reason, ops, emit, summary);
  }
  rmSync(path, { force: true });
  return summary;
}
