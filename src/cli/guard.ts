// `hostguard guard` (and `oom-guard`): parses earlyoom's command line and runs the OOM guard.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { resolveCgroupPath } from '../guard/cgroupPath.ts';
import type { Emit, VictimInfo } from '../guard/events.ts';
import { Guard } from '../guard/guard.ts';
import { PRE_HOOK_WAIT_MS, checkHook, runHook } from '../guard/hooks.ts';
import { guardHelp } from '../guard/help.ts';
import { type MemorySource, cgroupMemorySource, hostMemorySource } from '../guard/memory.ts';
import { EXIT, type GuardOptions, parseGuardOptions } from '../guard/options.ts';
import { createOutput } from '../guard/output.ts';
import { ProcessTable } from '../guard/processTable.ts';
import { memoryLockStatus, raisePriority } from '../guard/selfProtect.ts';
import { isSameLiveProcess, signalVictim } from '../guard/signal.ts';
import { resolveThresholds, startupLines } from '../guard/thresholds.ts';
import type { Candidate } from '../guard/victim.ts';
import { readCgroupPids } from '../sys/readCgroup.ts';
import { listPids, readCmdline, readPidStat } from '../sys/readProc.ts';

function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

function fatal(exitCode: number, message: string): number {
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

interface Setup {
  readMemory: MemorySource;
  cgroupDir?: string;
  pids: () => number[];
}

function setupSource(options: GuardOptions): Setup | { exitCode: number; message: string } {
  const withPsi = options.psi !== undefined;
  if (options.cgroup === undefined) {
    return { readMemory: hostMemorySource(options.procRoot, withPsi), pids: () => listPids(options.procRoot) };
  }
  const resolved = resolveCgroupPath(options.cgroup);
  if (!resolved.ok) return { exitCode: EXIT.badCgroup, message: resolved.error };
  const dir = resolved.dir;
  return { readMemory: cgroupMemorySource(dir, resolved.version, options.procRoot, withPsi), cgroupDir: dir, pids: () => readCgroupPids(dir) };
}

function postKillActions(options: GuardOptions, emit: Emit): ((victim: VictimInfo) => void) | undefined {
  const post = options.postKillHook;
  if (post === undefined && !options.notify) return undefined;
  return (victim) => {
    if (post !== undefined) void runHook('post-kill', post, victim, emit, 0);
    if (options.notify) void notifyKill(victim, emit);
  };
}

async function notifyKill(victim: VictimInfo, emit: Emit): Promise<void> {
  const { notifyProcessKilled } = await import('../guard/notify.ts');
  await notifyProcessKilled(victim, emit);
}

export async function main(args: string[]): Promise<number> {
  const parsed = parseGuardOptions(args, process.env);
  if (parsed.action === 'help') {
    process.stdout.write(guardHelp());
    return 0;
  }
  if (parsed.action === 'version') {
    process.stdout.write(`hostguard guard ${packageVersion()} (earlyoom-compatible)\n`);
    return 0;
  }
  if (parsed.action === 'fail') return fatal(parsed.exitCode, parsed.message);
  const options = parsed.options;
  // The pids of a fake /proc may be real processes on this machine: never signal them.
  if (options.procRoot !== '/proc' && !options.dryRun) {
    return fatal(EXIT.usage, `--proc-root ${options.procRoot}: reading a /proc other than /proc requires --dryrun, so that no real process is signalled`);
  }
  const nowMs = (): number => performance.timeOrigin + performance.now();
  const emit = createOutput({ json: options.json, debug: options.debug, nowMs });
  const setup = setupSource(options);
  if ('exitCode' in setup) return fatal(setup.exitCode, setup.message);
  const first = setup.readMemory(nowMs());
  if (!first.ok) return fatal(EXIT.fatal, first.error);
  const resolved = resolveThresholds(options, first.value.totalBytes, first.value.swapTotalBytes);
  if (!resolved.ok) return fatal(resolved.exitCode, resolved.message);

  const notices = [...options.notices, ...resolved.notices];
  if (options.dryRun) notices.push('dryrun mode enabled, will not kill anything');
  if (options.raisePriority) notices.push(...raisePriority(options.procRoot));
  notices.push(memoryLockStatus(options.procRoot).message);
  const pre = checkHook('-P', options.preKillHook);
  const post = checkHook('-N', options.postKillHook);
  for (const warning of [pre.warning, post.warning]) if (warning) notices.push(warning);
  const scope = setup.cgroupDir === undefined ? 'host' : `cgroup ${setup.cgroupDir}`;
  const mib = (bytes: number): number => Math.floor(bytes / 1048576);
  notices.push(`hostguard guard ${packageVersion()}: watching ${scope}`);
  notices.push(`mem total: ${mib(first.value.totalBytes)} MiB, swap total: ${mib(first.value.swapTotalBytes)} MiB`);
  notices.push(...startupLines(resolved.thresholds));
  for (const line of notices) emit({ type: 'notice', message: line });
  emit({ type: 'start', pid: process.pid, version: packageVersion(), thresholds: resolved.thresholds, dryRun: options.dryRun, sample: first.value, ...(setup.cgroupDir ? { cgroup: setup.cgroupDir } : {}) });

  const policy = {
    sortByRss: options.sortByRss,
    ignoreRootUser: options.ignoreRootUser,
    selfPid: process.pid,
    ...(options.prefer ? { prefer: options.prefer } : {}),
    ...(options.avoid ? { avoid: options.avoid } : {}),
    ...(options.ignore ? { ignore: options.ignore } : {}),
  };
  const table = new ProcessTable({ procRoot: options.procRoot, policy, listPids: setup.pids });
  const ownPgid = readPidStat(process.pid, options.procRoot)?.pgid ?? process.pid;
  const preKillHook = pre.path;
  const postKill = postKillActions({ ...options, ...(post.path === undefined ? { postKillHook: undefined } : {}) }, emit);
  const guard = new Guard(
    {
      nowMs,
      sleep: (ms) => sleep(ms),
      readMemory: setup.readMemory,
      candidates: table,
      isAlive: (victim) => isSameLiveProcess(victim, options.procRoot),
      signal: (victim, signal) =>
        signalVictim(victim, signal, {
          procRoot: options.procRoot,
          kill: (pid, sig) => process.kill(pid, sig),
          processGroup: options.killProcessGroup,
          ownPgid,
          ...(setup.cgroupDir ? { cgroupPids: setup.pids } : {}),
        }),
      describe: describeVictim(options.procRoot),
      emit,
      ...(preKillHook ? { preKill: (victim: VictimInfo) => runHook('pre-kill', preKillHook, victim, emit, PRE_HOOK_WAIT_MS) } : {}),
      ...(postKill ? { postKill } : {}),
    },
    {
      thresholds: resolved.thresholds,
      termTimeoutMs: options.termTimeoutMs,
      reportIntervalMs: options.reportIntervalMs,
      dryRun: options.dryRun,
      processGroup: options.killProcessGroup,
      debug: options.debug,
    },
  );
  const stop = (signal: string): void => {
    emit({ type: 'stop', reason: `received ${signal}` });
    guard.stop();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  await guard.run();
  return 0;
}
