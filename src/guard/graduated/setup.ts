// Assembles the graduated response for a running guard: settings (flags over --config over
// defaults), the memory budget, the scope of targets, the ledger (repaired first), the controller.
import { availableParallelism } from 'node:os';
import { listPids, readMeminfo } from '../../sys/readProc.ts';
import { detectPageSize } from '../../sys/pageSize.ts';
import { readSmallFile } from '../../sys/readFile.ts';
import type { Emit } from '../events.ts';
import type { GraduatedHook } from '../guard.ts';
import type { MemorySample } from '../memory.ts';
import type { GuardOptions } from '../options.ts';
import { type CgroupDirs, isWithin, resolveCgroupDirs } from './cgroupOps.ts';
import { cgroupTarget } from './cgroupTarget.ts';
import { type FileSections, type GraduatedConfig, resolveGraduatedConfig } from './config.ts';
import { GraduatedController } from './controller.ts';
import { type Timers, realTimers } from './dutyCycle.ts';
import { Ledger, defaultLedgerPath } from './ledger.ts';
import { type ProcessOps, realProcessOps } from './processOps.ts';
import { ResourceProtector } from './protector.ts';
import { EMPTY_PROTECTED, type ExclusionRules, parsePasswd, resolveProtected } from './protectedList.ts';
import { repairFromLedger } from './repair.ts';
import { type LedgerEntry, type Target, processTarget } from './target.ts';
import { type ProcessInfo, ProcessWatch, type ScanScope } from './targets.ts';

const MiB = 1024 * 1024;
const CGROUP_ROOT = '/sys/fs/cgroup';
// The seed's automatic budget on the host: 75 % of the machine's memory.
const HOST_BUDGET_SHARE = 0.75;

export interface GraduatedRuntime {
  hook: GraduatedHook;
  controller: GraduatedController;
  protector?: ResourceProtector;
  restoreAll: (reason: string) => void;
  notices: string[];
}

export type SetupResult = { ok: true; runtime: GraduatedRuntime | undefined } | { ok: false; message: string };

export interface Scope {
  cgroupDir?: string;
  pids: () => number[];
}

async function loadFile(path: string | undefined): Promise<{ ok: true; sections: FileSections } | { ok: false; message: string }> {
  if (path === undefined) return { ok: true, sections: {} };
  const { loadGuardSections } = await import('../../config/guardSections.ts');
  const loaded = loadGuardSections(path);
  return loaded.ok ? { ok: true, sections: loaded.value as FileSections } : { ok: false, message: loaded.error };
}

// Budget and used bytes: the cgroup's limit and working set, or MemTotal (75 % of it by default)
// and MemTotal - MemAvailable on the host.
interface Budget {
  budget: (s: MemorySample) => number;
  used: (s: MemorySample) => number;
  what: string;
}

function budgetOf(config: GraduatedConfig, scope: Scope, procRoot: string): Budget | string {
  const cap = config.maxMemoryBytes;
  if (scope.cgroupDir !== undefined) {
    return {
      budget: (s) => (cap > 0 ? Math.min(cap, s.totalBytes) : s.totalBytes),
      used: (s) => s.totalBytes - s.availableBytes,
      what: cap > 0 ? `max_memory_mb ${cap / MiB} (or the cgroup limit if lower)` : 'the cgroup limit',
    };
  }
  const meminfo = readMeminfo(procRoot);
  if (!meminfo.ok) return meminfo.error;
  const memTotal = meminfo.value.totalBytes;
  const budget = cap > 0 ? cap : Math.floor(memTotal * HOST_BUDGET_SHARE);
  return { budget: () => budget, used: (s) => memTotal - s.availableBytes, what: cap > 0 ? 'max_memory_mb' : '75 % of MemTotal' };
}

// Wraps a target so that nothing is stopped, throttled or reniced: --dryrun only reports.
function dryRun(target: Target): Target {
  const okOutcome = () => ({ result: 'ok' as const });
  return {
    ...target,
    switch: { stop: okOutcome, cont: okOutcome, isStopped: () => undefined },
    ...(target.quota ? { quota: { method: target.quota.method, set: okOutcome, restore: okOutcome } } : {}),
    lowerPriority: () => ({ outcome: okOutcome(), changes: [] }),
    restorePriority: okOutcome,
    sendSignal: okOutcome,
    ledgerEntry: () => ({ ...target.ledgerEntry(), ...(target.ref.kind === 'process' ? { mayBeStopped: false } : { mayBeFrozen: false }) }) as ReturnType<Target['ledgerEntry']>,
  };
}

function cgroupTargets(names: string[], scope: Scope, ops: ProcessOps, pageSize: number): Target[] | string {
  const scopePath = scope.cgroupDir === undefined ? undefined : resolveCgroupDirs(scope.cgroupDir, CGROUP_ROOT);
  const targets: Target[] = [];
  for (const name of names) {
    const resolved = resolveCgroupDirs(name, CGROUP_ROOT);
    if (!resolved.ok) return `--throttle-cgroup: ${resolved.error}`;
    const dirs: CgroupDirs = resolved.value;
    if (scopePath?.ok && !isWithin(dirs.path, scopePath.value.path)) {
      return `--throttle-cgroup: '${name}' (${dirs.path}) is outside the guarded cgroup ${scopePath.value.path}; in cgroup mode targets must lie inside it`;
    }
    targets.push(cgroupTarget(dirs, ops, pageSize));
  }
  return targets;
}

function describe(config: GraduatedConfig, budgetWhat: string, budgetBytes: number, ledgerPath: string | undefined): string[] {
  const t = config.thresholds;
  const targets = config.throttleCgroups.length > 0 ? `cgroups ${config.throttleCgroups.join(', ')}` : config.throttle ? `processes matching /${config.throttle.source}/` : `the top ${config.topGrowers} memory growers`;
  return [
    `graduated response: WARNING ${t.warningPercent} %, CRITICAL ${t.criticalPercent} %, EMERGENCY ${t.emergencyPercent} % of ${Math.round(budgetBytes / MiB)} MiB (${budgetWhat}), hysteresis ${t.hysteresisPercent} %`,
    `graduated response: slows ${targets}; throttle ${config.throttleStepsPercent.join(' then ')} % run time, pauses of at most ${config.maxPauseMs} ms with ${config.minDutyPercent} % run time between; policy ${config.policy}; check interval ${config.checkIntervalMs} ms`,
    ledgerPath ? `graduated response: ledger ${ledgerPath}` : 'graduated response: no writable place for a ledger (/run/hostguard or the temp dir): a guard killed with SIGKILL could leave targets stopped',
  ];
}

// The pieces both parts are built from.
interface Parts {
  config: GraduatedConfig;
  emit: Emit;
  timers: Timers;
  scanScope: ScanScope;
  rules: ExclusionRules;
  makeProcessTarget: (info: ProcessInfo) => Target;
  dryRun: boolean;
  journal: () => void;
  // Filled in once built: each part asks the other whose a process is.
  controller?: GraduatedController;
  protector?: ResourceProtector;
}

function buildProtector(parts: Parts): ResourceProtector | undefined {
  const protect = parts.config.protect;
  if (!protect) return undefined;
  const watch = new ProcessWatch(parts.scanScope, parts.rules, parts.config.checkIntervalMs);
  return new ResourceProtector(
    {
      timers: parts.timers,
      emit: parts.emit,
      scan: (now) => watch.scan(now),
      processTarget: parts.makeProcessTarget,
      cpuCount: availableParallelism(),
      checkIntervalMs: parts.config.checkIntervalMs,
      dryRun: parts.dryRun,
      isGraduatedTarget: (key) => parts.controller?.hasTarget(key) ?? false,
      journal: parts.journal,
    },
    protect,
  );
}

function buildController(parts: Parts, budget: Budget, cgroupTargets: Target[], minGrowthBytes: number): GraduatedController {
  const { config } = parts;
  const watch = new ProcessWatch(parts.scanScope, parts.rules, config.checkIntervalMs);
  const protector = parts.protector;
  return new GraduatedController(
    {
      timers: parts.timers,
      emit: parts.emit,
      scan: (now) => watch.scan(now),
      cmdline: (info) => watch.cmdline(info),
      processTarget: parts.makeProcessTarget,
      cgroupTargets,
      ...(protector ? { forcedTargets: protector.forcedTargets, isClaimed: (key: string) => protector.isClaimed(key) } : {}),
      journal: parts.journal,
      usedBytes: budget.used,
      budgetBytes: budget.budget,
    },
    {
      thresholds: config.thresholds,
      policy: { name: config.policy, throttleStepsPercent: config.throttleStepsPercent, stepMs: config.checkIntervalMs, minDutyPercent: config.minDutyPercent },
      checkIntervalMs: config.checkIntervalMs,
      maxPauseMs: config.maxPauseMs,
      select: { topGrowers: config.topGrowers, minGrowthBytes, ...(config.throttle ? { throttle: config.throttle } : {}) },
      niceValue: config.niceValue,
      ...(config.releaseSignal ? { releaseSignal: config.releaseSignal } : {}),
    },
  );
}

function repairNotices(ledgerPath: string | undefined, ops: ProcessOps, emit: Emit): string[] {
  const repaired = ledgerPath === undefined ? undefined : repairFromLedger(ledgerPath, ops, emit);
  if (!repaired) return [];
  return [`ledger ${ledgerPath}: resumed ${repaired.resumed} and reniced ${repaired.reniced} targets left by a previous guard`, ...repaired.problems.map((p) => `ledger: ${p}`)];
}

function runtimeOf(controller: GraduatedController, protector: ResourceProtector | undefined, notices: string[]): GraduatedRuntime {
  const restoreAll = (reason: string): void => {
    controller.restoreAll(reason);
    protector?.restoreAll(reason);
  };
  const onSample = (sample: MemorySample): number => {
    const ms = controller.onSample(sample);
    protector?.onSample(sample);
    return ms;
  };
  return { hook: { onSample, beforeSignal: (pid) => controller.release(pid) }, controller, ...(protector ? { protector } : {}), restoreAll, notices };
}

export async function setupGraduated(options: GuardOptions, scope: Scope, first: MemorySample, emit: Emit, nowMs: () => number): Promise<SetupResult> {
  const file = await loadFile(options.graduated.configPath);
  if (!file.ok) return { ok: false, message: file.message };
  const resolved = resolveGraduatedConfig(options.graduated, file.sections, options.graduated.configPath ?? 'command line');
  if (!resolved.ok) return { ok: false, message: resolved.error };
  const config = resolved.value;
  if (!config) return { ok: true, runtime: undefined };
  const procRoot = options.procRoot;
  const budget = budgetOf(config, scope, procRoot);
  if (typeof budget === 'string') return { ok: false, message: budget };
  const protectedList = resolveProtected(config.protectedSpec, parsePasswd(readSmallFile('/etc/passwd') ?? ''));
  if (!protectedList.ok) return { ok: false, message: protectedList.error };
  // --dryrun: nothing is signalled or reniced, no ledger is kept or repaired.
  const ops = options.dryRun ? { ...realProcessOps(procRoot), kill: () => undefined, setNice: () => undefined } : realProcessOps(procRoot);
  const pageSize = detectPageSize(procRoot);
  const wrap = options.dryRun ? dryRun : (t: Target) => t;
  const cgroups = cgroupTargets(config.throttleCgroups, scope, ops, pageSize);
  if (typeof cgroups === 'string') return { ok: false, message: cgroups };
  const ledgerPath = options.dryRun ? undefined : (config.ledgerPath ?? defaultLedgerPath(scope.cgroupDir));
  const notices = repairNotices(ledgerPath, ops, emit);
  const ledger = ledgerPath === undefined ? undefined : new Ledger(ledgerPath, scope.cgroupDir ?? 'host');
  const parts: Parts = {
    config,
    emit,
    timers: realTimers(nowMs),
    scanScope: { procRoot, pids: scope.cgroupDir === undefined ? () => listPids(procRoot) : scope.pids, pageSize },
    rules: { selfPid: process.pid, ...(options.avoid ? { avoid: options.avoid } : {}), protectedList: protectedList.value ?? EMPTY_PROTECTED },
    makeProcessTarget: (info) => wrap(processTarget(info, info.comm, ops)),
    dryRun: options.dryRun,
    journal: () => undefined,
  };
  parts.journal = journalTo(ledger, () => [...(parts.controller?.ledgerEntries() ?? []), ...(parts.protector?.ledgerEntries() ?? [])], emit);
  parts.protector = buildProtector(parts);
  const budgetBytes = budget.budget(first);
  const minGrowthBytes = config.minGrowthBytes > 0 ? config.minGrowthBytes : Math.max(4 * MiB, 0.01 * budgetBytes);
  parts.controller = buildController(parts, budget, cgroups.map(wrap), minGrowthBytes);
  if (config.protect) notices.push(protectNotice(config));
  notices.push(...describe(config, budget.what, budgetBytes, ledger?.path));
  return { ok: true, runtime: runtimeOf(parts.controller, parts.protector, notices) };
}

// An uncaught error must not leave a target stopped: restore everything, then fail as Node would.
export function crashHandler(runtime: Pick<GraduatedRuntime, 'restoreAll'>, emit: Emit, exit: (code: number) => void = (code) => process.exit(code)): (error: Error) => void {
  return (error) => {
    emit({ type: 'error', message: `uncaught error, restoring every target before exiting: ${error.stack ?? error.message}` });
    runtime.restoreAll('guard crashed');
    exit(1);
  };
}

// Writes what both parts hold to the ledger; says once when it cannot.
function journalTo(ledger: Ledger | undefined, entries: () => LedgerEntry[], emit: Emit): () => void {
  let failed = false;
  return () => {
    if (!ledger) return;
    try {
      ledger.write(entries());
      failed = false;
    } catch (error) {
      if (!failed) emit({ type: 'error', message: `cannot write the ledger ${ledger.path}: ${(error as Error).message}; a guard killed now would leave its targets stopped` });
      failed = true;
    }
  };
}

function protectNotice(config: GraduatedConfig): string {
  const p = config.protect;
  if (!p) return '';
  const cleanup = p.cleanup.length === 0 ? 'no cleanup actions' : `${p.cleanup.length} cleanup actions when a filesystem is over ${p.diskPercent} %`;
  return `resource protector (${p.mode}): renice to 19, then throttle, a process over ${p.cpuPercent} % CPU for ${p.sustainMs / 1000} s; a process over ${p.memoryPercent} % of memory becomes a target; ${cleanup}; at most ${p.maxActionsPerMinute} actions a minute`;
}
