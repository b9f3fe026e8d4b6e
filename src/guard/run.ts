// Assembles a running guard from parsed options: memory source, thresholds, startup notices,
// the candidate table, signalling and hooks; resolves with the exit code when it stops.
import { readFileSync } from 'node:fs';
import { readCgroupPids } from '../sys/readCgroup.ts';
import { listPids, readCmdline, readPidStat } from '../sys/readProc.ts';
import { catchStopSignals } from '../sys/stopSignals.ts';
import { resolveCgroupPath } from './cgroupPath.ts';
import type { Emit, VictimInfo } from './events.ts';
import { type GraduatedHook, Guard } from './guard.ts';
import { crashHandler, setupGraduated } from './graduated/setup.ts';
import { PRE_HOOK_WAIT_MS, checkHook, runHook } from './hooks.ts';
import { type MemorySample, type MemorySource, cgroupMemorySource, hostMemorySource } from './memory.ts';
import { EXIT, type GuardOptions } from './options.ts';
import { ProcessTable } from './processTable.ts';
import { memoryLockStatus, raisePriority } from './selfProtect.ts';
import { isSameLiveProcess, signalVictim } from './signal.ts';
import { type Thresholds, resolveThresholds, startupLines } from './thresholds.ts';
import type { Candidate } from './victim.ts';

export function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

export function fatal(exitCode: number, message: string): number {
  process.stderr.write(`fatal: ${message}\n`);
  return exitCode;
}

function describeVictim(procRoot: string) {
  return (c: Candidate): VictimInfo => ({
    pid: c.pid,
    uid: c.uid,
    name: c.comm,
    cmdline: (readCmdline(c.pid, procRoot) ?? []).join(' '),
    oomScore: c.oomScore,
    oomScoreAdj: c.oomScoreAdj,
    rssBytes: c.rssBytes,
  });
}

interface Source {
  readMemory: MemorySource;
  cgroupDir?: string;
  pids: () => number[];
}

function setupSource(options: GuardOptions): Source | { exitCode: number; message: string } {
  const withPsi = options.psi !== undefined;
  if (options.cgroup === undefined) {
    return { readMemory: hostMemorySource(options.procRoot, withPsi), pids: () => listPids(options.procRoot) };
  }
  const resolved = resolveCgroupPath(options.cgroup);
  if (!resolved.ok) return { exitCode: EXIT.badCgroup, message: resolved.error };
  const dir = resolved.dir;
  return { readMemory: cgroupMemorySource(dir, resolved.version, options.procRoot, withPsi), cgroupDir: dir, pids: () => readCgroupPids(dir) };
}

async function notifyKill(victim: VictimInfo, emit: Emit): Promise<void> {
  const { notifyProcessKilled } = await import('./notify.ts');
  await notifyProcessKilled(victim, emit);
}

interface Hooks {
  pre?: string;
  post?: string;
}

function startupNotices(options: GuardOptions, source: Source, first: MemorySample, thresholds: Thresholds, extra: string[]): string[] {
  const notices = [...options.notices, ...extra];
  if (options.dryRun) notices.push('dryrun mode enabled, will not kill anything');
  if (options.notify) notices.push('Notifying through D-Bus');
  if (options.raisePriority) notices.push(...raisePriority(options.procRoot));
  notices.push(memoryLockStatus(options.procRoot).message);
  const scope = source.cgroupDir === undefined ? 'host' : `cgroup ${source.cgroupDir}`;
  const mib = (bytes: number): number => Math.floor(bytes / 1048576);
  notices.push(`hostguard guard ${packageVersion()}: watching ${scope}`);
  notices.push(`mem total: ${mib(first.totalBytes)} MiB, swap total: ${mib(first.swapTotalBytes)} MiB`);
  notices.push(...startupLines(thresholds));
  return notices;
}

function createGuard(options: GuardOptions, source: Source, thresholds: Thresholds, hooks: Hooks, emit: Emit, nowMs: () => number, graduated?: GraduatedHook): Guard {
  const policy = {
    sortByRss: options.sortByRss,
    ignoreRootUser: options.ignoreRootUser,
    selfPid: process.pid,
    ...(options.prefer ? { prefer: options.prefer } : {}),
    ...(options.avoid ? { avoid: options.avoid } : {}),
    ...(options.ignore ? { ignore: options.ignore } : {}),
  };
  const signalContext = {
    procRoot: options.procRoot,
    kill: (pid: number, signal: NodeJS.Signals) => process.kill(pid, signal),
    processGroup: options.killProcessGroup,
    ownPgid: readPidStat(process.pid, options.procRoot)?.pgid ?? process.pid,
    ...(source.cgroupDir ? { cgroupPids: source.pids } : {}),
  };
  const { pre, post } = hooks;
  const postKill = (victim: VictimInfo): void => {
    if (post !== undefined) void runHook('post-kill', post, victim, emit, 0);
    if (options.notify) void notifyKill(victim, emit);
  };
  return new Guard(
    {
      nowMs,
      readMemory: source.readMemory,
      candidates: new ProcessTable({ procRoot: options.procRoot, policy, listPids: source.pids }),
      isAlive: (victim) => isSameLiveProcess(victim, options.procRoot),
      signal: (victim, signal) => signalVictim(victim, signal, signalContext),
      describe: describeVictim(options.procRoot),
      emit,
      ...(pre ? { preKill: (victim: VictimInfo) => runHook('pre-kill', pre, victim, emit, PRE_HOOK_WAIT_MS) } : {}),
      ...(post !== undefined || options.notify ? { postKill } : {}),
      ...(graduated ? { graduated } : {}),
    },
    {
      thresholds,
      termTimeoutMs: options.termTimeoutMs,
      reportIntervalMs: options.reportIntervalMs,
      dryRun: options.dryRun,
      processGroup: options.killProcessGroup,
      debug: options.debug,
    },
  );
}

// SIGTERM and SIGINT are caught before the first line (see catchStopSignals): a guard ended by
// their default action would leave slowed or paused targets as they are. One that comes before
// the loop exists stops it as soon as it does; the stop line is printed when the loop has ended.
export async function runGuard(options: GuardOptions, emit: Emit, nowMs: () => number): Promise<number> {
  const stopSignals = catchStopSignals();
  try {
    return await guardUntilStopped(options, emit, nowMs, stopSignals.received);
  } finally {
    stopSignals.release();
  }
}

async function guardUntilStopped(options: GuardOptions, emit: Emit, nowMs: () => number, stopSignal: Promise<NodeJS.Signals>): Promise<number> {
  const source = setupSource(options);
  if ('exitCode' in source) return fatal(source.exitCode, source.message);
  const first = source.readMemory(nowMs());
  if (!first.ok) return fatal(EXIT.fatal, first.error);
  const resolved = resolveThresholds(options, first.value.totalBytes, first.value.swapTotalBytes);
  if (!resolved.ok) return fatal(resolved.exitCode, resolved.message);
  const pre = checkHook('-P', options.preKillHook);
  const post = checkHook('-N', options.postKillHook);
  const hookWarnings = [pre.warning, post.warning].filter((w): w is string => w !== undefined);
  // Settings are checked (and a previous guard's ledger repaired) before anything is announced.
  const graduated = await setupGraduated(options, source, first.value, emit, nowMs);
  if (!graduated.ok) return fatal(EXIT.badGraduated, graduated.message);
  const runtime = graduated.runtime;
  const notices = [...startupNotices(options, source, first.value, resolved.thresholds, [...resolved.notices, ...hookWarnings]), ...(runtime?.notices ?? [])];
  for (const line of notices) emit({ type: 'notice', message: line });
  emit({ type: 'start', pid: process.pid, version: packageVersion(), thresholds: resolved.thresholds, dryRun: options.dryRun, sample: first.value, ...(source.cgroupDir ? { cgroup: source.cgroupDir } : {}) });
  const hooks = { ...(pre.path ? { pre: pre.path } : {}), ...(post.path ? { post: post.path } : {}) };
  const guard = createGuard(options, source, resolved.thresholds, hooks, emit, nowMs, runtime?.hook);
  let signal: NodeJS.Signals | undefined;
  void stopSignal.then((received) => {
    signal = received;
    guard.stop();
  });
  if (runtime) process.once('uncaughtException', crashHandler(runtime, emit));
  try {
    await guard.run();
    if (signal !== undefined) emit({ type: 'stop', reason: `received ${signal}` });
  } finally {
    runtime?.restoreAll('guard stopping');
  }
  return 0;
}

