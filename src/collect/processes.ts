// Process collector: counts by state, and the top N processes by CPU, memory and I/O with their details.
import { join } from 'node:path';
import { parseOomScore, parseOomScoreAdj } from '../sys/parsePidFiles.ts';
import { parsePasswd } from '../sys/parsePasswd.ts';
import { readMeminfo } from '../sys/readProc.ts';
import { readProcStat } from '../sys/readHost.ts';
import { readSmallFile } from '../sys/readFile.ts';
import type { Collector, CollectorDefinition, CollectorEnvironment, Tick } from './collector.ts';
import { formatBytes, formatPercent, formatRate } from './format.ts';
import { readStaticDetails, refreshIo } from './processDetails.ts';
import { ProcessTable, type TrackedProcess } from './processTable.ts';
import { RowFiles } from './rowFiles.ts';
import { defined, round } from './rates.ts';
import type { ProcessInfo, ProcessMetrics } from './types.ts';

// A process's /proc/PID/io is considered once per this many ticks (the rows shown every tick), and
// read only if the process ran since: reading it for 1,000 processes every tick would cost more
// than the rest of the collection.
const IO_REFRESH_TICKS = 10;

// OOM scores of the rows shown are re-read when the process's RSS moved, and at least this often
// (oom_score_adj is set by others: the guard, systemd, the process itself).
const OOM_REFRESH_TICKS = 10;

// The count entries with the largest positive key, largest first (ties by pid): one pass with a
// small sorted array, cheaper than sorting a thousand entries three times a tick.
export function topBy<T extends { pid: number }>(entries: Iterable<T>, count: number, key: (e: T) => number | undefined): T[] {
  const top: Array<{ entry: T; value: number }> = [];
  for (const entry of entries) {
    const value = key(entry) ?? 0;
    if (!(value > 0)) continue;
    const last = top[top.length - 1];
    if (top.length >= count && last && (value < last.value || (value === last.value && entry.pid > last.entry.pid))) continue;
    let at = top.length;
    while (at > 0) {
      const before = top[at - 1] as { entry: T; value: number };
      if (before.value > value || (before.value === value && before.entry.pid < entry.pid)) break;
      at--;
    }
    top.splice(at, 0, { entry, value });
    if (top.length > count) top.pop();
  }
  return top.map((t) => t.entry);
}

const ioRate = (e: TrackedProcess): number | undefined =>
  e.readBytesPerSecond === undefined ? undefined : e.readBytesPerSecond + (e.writtenBytesPerSecond ?? 0);

class ProcessCollector implements Collector<'processes'> {
  private readonly env: CollectorEnvironment;
  private readonly table: ProcessTable;
  private readonly users: Map<number, string>;
  private readonly totalMemoryBytes: number;
  private readonly bootTimeSeconds: number;
  private readonly rowFiles: RowFiles;
  private ioCursor = 0;
  private previousTopIo: TrackedProcess[] = [];

  constructor(env: CollectorEnvironment) {
    this.env = env;
    this.table = new ProcessTable(env.procRoot, env.clockTicksPerSecond, env.processTable);
    this.rowFiles = new RowFiles(env.procRoot);
    this.users = parsePasswd(readSmallFile(join(env.etcRoot, 'passwd')) ?? '');
    const meminfo = readMeminfo(env.procRoot);
    this.totalMemoryBytes = meminfo.ok ? meminfo.value.totalBytes : 0;
    const stat = readProcStat(env.procRoot, env.clockTicksPerSecond);
    this.bootTimeSeconds = stat.ok ? stat.value.bootTimeSeconds : 0;
  }

  // The rows shown (through held descriptors), and a rotating slice of the rest, get their io re-read this tick.
  private refreshIo(entries: TrackedProcess[], rows: Iterable<TrackedProcess>, monotonicMs: number): void {
    const due = new Set(rows);
    for (const entry of due) {
      if (!entry.kernelThread) refreshIo(this.env.procRoot, entry, this.table.currentTick, monotonicMs, (path) => this.rowFiles.readPath(entry.pid, path));
    }
    const slice = Math.ceil(entries.length / IO_REFRESH_TICKS);
    for (let i = 0; i < slice && entries.length > 0; i++) {
      const entry = entries[(this.ioCursor + i) % entries.length] as TrackedProcess;
      if (!entry.kernelThread && !due.has(entry)) refreshIo(this.env.procRoot, entry, this.table.currentTick, monotonicMs);
    }
    this.ioCursor = entries.length === 0 ? 0 : (this.ioCursor + slice) % entries.length;
  }

  // oom_score follows the process's memory (RSS, swap, page tables) against the host's: re-read for
  // the rows shown when their RSS moved, and both files when stale.
  private refreshOom(entry: TrackedProcess): void {
    const tick = this.table.currentTick;
    const rssPages = entry.stat.rssPages;
    if (entry.oom && entry.oom.rssPages === rssPages && tick - entry.oom.tick < OOM_REFRESH_TICKS) return;
    const score = parseOomScore(this.rowFiles.read(entry.pid, 'oom_score') ?? '');
    const adj = parseOomScoreAdj(this.rowFiles.read(entry.pid, 'oom_score_adj') ?? '');
    entry.oom = { tick, rssPages, ...(score.ok ? { score: score.value } : {}), ...(adj.ok ? { adj: adj.value } : {}) };
  }

  private info(entry: TrackedProcess): ProcessInfo {
    const { stat } = entry;
    const rssBytes = stat.rssPages * this.env.pageSizeBytes;
    if (!entry.detailsRead) readStaticDetails(this.env.procRoot, entry);
    this.refreshOom(entry);
    const rate = (value: number | undefined): number | undefined => (value === undefined ? undefined : round(value));
    return {
      pid: entry.pid,
      ppid: stat.ppid,
      name: stat.comm,
      cmdline: entry.cmdline,
      ...defined('uid', entry.uid),
      ...defined('user', entry.uid === undefined ? undefined : (this.users.get(entry.uid) ?? String(entry.uid))),
      state: stat.state,
      threads: stat.numThreads,
      ...defined('cpuPercent', rate(entry.cpuPercent)),
      rssBytes,
      memoryPercent: this.totalMemoryBytes > 0 ? round((rssBytes / this.totalMemoryBytes) * 100) : 0,
      ...defined('readBytesPerSecond', rate(entry.readBytesPerSecond)),
      ...defined('writtenBytesPerSecond', rate(entry.writtenBytesPerSecond)),
      ...defined('oomScore', entry.oom?.score),
      ...defined('oomScoreAdj', entry.oom?.adj),
      startTimeSeconds: round(this.bootTimeSeconds + stat.startTimeTicks / this.env.clockTicksPerSecond),
      ...defined('cgroup', entry.cgroup),
      kernelThread: entry.kernelThread,
    };
  }

  collect(tick: Tick): ProcessMetrics {
    this.table.scan(tick.monotonicMs);
    const entries = [...this.table.processes];
    const lists = this.topLists(entries, tick.monotonicMs);
    return { ...counts(entries), ...lists };
  }

  // The top lists, each process described once however many lists it is in.
  private topLists(entries: TrackedProcess[], monotonicMs: number): Pick<ProcessMetrics, 'topByCpu' | 'topByMemory' | 'topByIo'> {
    const count = this.env.topProcesses;
    const topCpu = topBy(entries, count, (e) => e.cpuPercent);
    const topMemory = topBy(entries, count, (e) => e.stat.rssPages);
    this.refreshIo(entries, [...topCpu, ...topMemory, ...this.previousTopIo], monotonicMs);
    const topIo = topBy(entries, count, ioRate);
    this.previousTopIo = topIo;
    const described = new Map<number, ProcessInfo>();
    const describe = (e: TrackedProcess): ProcessInfo => {
      let info = described.get(e.pid);
      if (!info) {
        info = this.info(e);
        described.set(e.pid, info);
      }
      return info;
    };
    const lists = { topByCpu: topCpu.map(describe), topByMemory: topMemory.map(describe), topByIo: topIo.map(describe) };
    this.rowFiles.keepOnly(new Set(described.keys()));
    return lists;
  }

  close(): void {
    this.table.close();
    this.rowFiles.close();
  }
}

function counts(entries: TrackedProcess[]): Omit<ProcessMetrics, 'topByCpu' | 'topByMemory' | 'topByIo'> {
  const byState = new Map<string, number>();
  let threads = 0;
  let kernelThreads = 0;
  for (const entry of entries) {
    byState.set(entry.stat.state, (byState.get(entry.stat.state) ?? 0) + 1);
    threads += entry.stat.numThreads;
    if (entry.kernelThread) kernelThreads++;
  }
  const state = (...letters: string[]): number => letters.reduce((sum, letter) => sum + (byState.get(letter) ?? 0), 0);
  return {
    total: entries.length,
    kernelThreads,
    threads,
    running: state('R'),
    sleeping: state('S'),
    uninterruptible: state('D'),
    zombie: state('Z'),
    stopped: state('T', 't'),
    idle: state('I'),
  };
}

function row(p: ProcessInfo): string {
  return `  ${String(p.pid).padStart(7)} ${(p.user ?? '?').padEnd(8).slice(0, 8)} ${p.state} ${formatPercent(p.cpuPercent).padStart(6)} ${formatBytes(p.rssBytes).padStart(10)} ${formatRate(p.readBytesPerSecond).padStart(11)} ${formatRate(p.writtenBytesPerSecond).padStart(11)}  ${p.name}`;
}

export const processCollector: CollectorDefinition<'processes'> = {
  name: 'processes',
  description: 'Process counts by state and the top N by CPU, memory and I/O (pid, user, cmdline, RSS, I/O, OOM score, cgroup)',
  defaultEnabled: true,
  create: (env) => new ProcessCollector(env),
  summarize: (p) => {
    const header = '      PID USER     S    CPU        RSS       READ       WRITE  NAME';
    const table = (title: string, rows: ProcessInfo[]): string[] => (rows.length === 0 ? [] : [`${title}`, header, ...rows.map(row)]);
    return [
      `Processes ${p.total} (${p.kernelThreads} kernel threads), ${p.threads} threads: ${p.running} running, ${p.sleeping} sleeping, ${p.uninterruptible} uninterruptible, ${p.zombie} zombie, ${p.stopped} stopped, ${p.idle} idle`,
      ...table('Top by CPU', p.topByCpu),
      ...table('Top by memory', p.topByMemory),
      ...table('Top by I/O', p.topByIo),
    ];
  },
};
