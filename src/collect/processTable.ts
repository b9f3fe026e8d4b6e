// The process table behind the process collector: CPU time, state, threads and RSS of every
// process each tick; status, cmdline and cgroup only for a process shown (processDetails.ts).
//
// Cost, measured on this 2-CPU VM at a 1 s interval (cold caches), per process: stat 13 us,
// schedstat 5 us, and listing /proc 2 us. Reading every stat every tick costs 1.5 % of a core at
// 1,000 processes, over the 1 % target, so (where schedstat exists):
// - a single-threaded process whose schedstat run time did not move has not run: its stat is
//   reused (only RSS shrinking under reclaim and S->R on wake-up can change it without running)
//   and re-read at least every STAT_REFRESH_TICKS;
// - a process seen idle k checks in a row is next checked after min(2^(k-1), MAX_BACKOFF_TICKS) ticks,
//   unless the CPU time /proc/stat reports is not explained by the processes checked (a deferred
//   one woke up): then every deferred process is checked at once. Children that ran and exited
//   within the interval are explained by their parent's cutime/cstime;
// - /proc is listed only when loadavg's last pid or task count moved (a task was created or exited).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HeldFileReader } from '../sys/heldFiles.ts';
import { parseLoadavg } from '../sys/parseLoadavg.ts';
import { parseSchedstatRuntime } from '../sys/parsePidSchedstat.ts';
import { isKernelThread } from '../sys/parsePidStat.ts';
import { parseProcStat } from '../sys/parseProcStat.ts';
import { listPids } from '../sys/readProc.ts';
import { kernelFileReader } from '../sys/kernelFiles.ts';
import { type ScannedPidStat, scanPidStat } from '../sys/scanPidStat.ts';
import { isProcfs } from '../sys/readHost.ts';

// An idle process is checked at most MAX_BACKOFF_TICKS apart, and every check past
// STAT_REFRESH_TICKS since its stat was read reads it again (for RSS shrinking under reclaim).
const STAT_REFRESH_TICKS = 32;
const MAX_BACKOFF_TICKS = 16;
const LISTING_REFRESH_TICKS = 10;
// CPU time per second of interval that may go unexplained before deferred processes are checked:
// the two clocks differ by a few ticks (process times are scaled from the scheduler's run time).
const UNEXPLAINED_CPU_PERCENT = 5;

export interface TrackedProcess {
  pid: number;
  stat: ScannedPidStat;
  kernelThread: boolean;
  // uid, cmdline and cgroup, read when the process is first shown and again after an exec:
  // most processes never make a top list, and short-lived ones would cost three opens each
  detailsRead: boolean;
  cmdline: string;
  uid?: number;
  cgroup?: string;
  // utime + stime at the last stat read, and the CPU % over the last interval (100 = one CPU)
  cpuTicks: number;
  // cutime + cstime at the last stat read: reaped children's time, which explains host CPU too
  childrenTicks: number;
  cpuPercent?: number;
  // schedstat run time at the last check (single-threaded processes: it covers the leader only)
  runtimeNs?: number;
  // tick numbers: last stat read, last seen running, last io read, last seen at all, next check
  statTick: number;
  ranTick: number;
  ioTick: number;
  seenTick: number;
  nextCheckTick: number;
  idleChecks: number;
  io?: { readBytes: number; writtenBytes: number; atMs: number };
  ioUnreadable?: boolean;
  // oom_score and oom_score_adj, read for the rows shown, the tick they were read at and the RSS then
  oom?: { score?: number; adj?: number; tick: number; rssPages: number };
  readBytesPerSecond?: number;
  writtenBytesPerSecond?: number;
}

// After k idle checks the next comes within 2^(k-1) ticks (at most MAX_BACKOFF_TICKS), phased by
// pid so that processes started together are not all checked on the same tick.
function nextCheck(tick: number, pid: number, idleChecks: number): number {
  const delay = Math.min(2 ** Math.max(0, idleChecks - 1), MAX_BACKOFF_TICKS);
  return tick + delay - ((tick + pid) % delay);
}

export interface ProcessTableOptions {
  // Reuse unchanged stat files and defer idle processes (default: on a procfs with schedstat).
  schedstatGate?: boolean;
  maxHeldFiles?: number;
}

export class ProcessTable {
  private readonly procRoot: string;
  private readonly ticksPerSecond: number;
  private readonly statFiles: HeldFileReader;
  private readonly schedstatFiles: HeldFileReader;
  // loadavg and /proc/stat, read every tick
  private readonly hostFiles: HeldFileReader;
  private readonly gate: boolean;
  private readonly procfs: boolean;
  private readonly entries = new Map<number, TrackedProcess>();
  private previousMs: number | undefined;
  private tick = 0;
  private listing: { key: string; tick: number } | undefined;
  private previousHostCpuTicks: number | undefined;
  // what the last scan read, for the benchmark and tests
  readonly lastScan = { statReads: 0, checks: 0, deferred: 0, listed: false, secondPass: false };

  constructor(procRoot: string, ticksPerSecond: number, options: ProcessTableOptions = {}) {
    this.procRoot = procRoot;
    this.ticksPerSecond = ticksPerSecond;
    this.procfs = isProcfs(procRoot);
    const maxHeld = this.procfs ? options.maxHeldFiles : 0;
    this.statFiles = new HeldFileReader(maxHeld);
    this.schedstatFiles = new HeldFileReader(maxHeld);
    this.hostFiles = kernelFileReader(procRoot, 2);
    this.gate = this.procfs && (options.schedstatGate ?? existsSync(join(procRoot, 'self', 'schedstat')));
  }

  get processes(): Iterable<TrackedProcess> {
    return this.entries.values();
  }

  get currentTick(): number {
    return this.tick;
  }

  // Updates every process. A process that exits mid-scan is dropped, never an error.
  scan(monotonicMs: number): void {
    const seconds = this.previousMs === undefined ? undefined : (monotonicMs - this.previousMs) / 1000;
    this.previousMs = monotonicMs;
    this.tick++;
    Object.assign(this.lastScan, { statReads: 0, checks: 0, deferred: 0, listed: false, secondPass: false });
    const deferred: TrackedProcess[] = [];
    let explainedTicks = 0;
    for (const pid of this.pids()) {
      const known = this.entries.get(pid);
      if (known && this.gate && this.tick < known.nextCheckTick) {
        deferred.push(known);
        known.seenTick = this.tick;
        if (seconds !== undefined) known.cpuPercent = 0;
        continue;
      }
      explainedTicks += this.visit(pid, known, seconds);
    }
    this.lastScan.deferred = deferred.length;
    // A process that exited is reaped into its parent's cutime/cstime with its whole life's CPU
    // time, most of which was counted tick by tick already: take that back out where the parent's
    // stat was read this tick (a deferred parent's cutime was not counted). Its parent is checked
    // next tick: a process that forks and reaps (a shell running a script) is not idle.
    for (const entry of this.entries.values()) {
      if (entry.seenTick === this.tick) continue;
      const parent = this.entries.get(entry.stat.ppid);
      if (parent?.statTick === this.tick) explainedTicks -= entry.cpuTicks + entry.childrenTicks;
      this.checkSoon(parent);
    }
    if (deferred.length > 0 && this.cpuUnexplained(explainedTicks, seconds)) {
      this.lastScan.secondPass = true;
      for (const entry of deferred) this.visit(entry.pid, entry, seconds);
    }
    for (const [pid, entry] of this.entries) {
      if (entry.seenTick === this.tick) continue;
      this.entries.delete(pid);
      this.statFiles.release(`${this.procRoot}/${pid}/stat`);
      this.schedstatFiles.release(`${this.procRoot}/${pid}/schedstat`);
    }
  }

  // All pids, or the known ones when no task was created or reaped since the last listing.
  private pids(): Iterable<number> {
    const loadavg = this.hostFiles.read(join(this.procRoot, 'loadavg'));
    const parsed = loadavg === undefined ? undefined : parseLoadavg(loadavg);
    const key = parsed?.ok && this.procfs ? `${parsed.value.lastPid}/${parsed.value.totalEntities}` : undefined;
    if (key !== undefined && this.listing?.key === key && this.tick - this.listing.tick < LISTING_REFRESH_TICKS) {
      return [...this.entries.keys()];
    }
    this.lastScan.listed = true;
    this.listing = key === undefined ? undefined : { key, tick: this.tick };
    return listPids(this.procRoot);
  }

  // Whether /proc/stat's user+nice+system time grew by more than the processes checked account for.
  private cpuUnexplained(explainedTicks: number, seconds: number | undefined): boolean {
    const text = this.hostFiles.read(join(this.procRoot, 'stat'));
    const parsed = text === undefined ? undefined : parseProcStat(text, 1);
    if (!parsed?.ok) return true;
    const { userSeconds, niceSeconds, systemSeconds } = parsed.value.total;
    // With ticksPerSecond 1 the "seconds" are ticks, summed over all CPUs.
    const hostTicks = userSeconds + niceSeconds + systemSeconds;
    const previous = this.previousHostCpuTicks;
    this.previousHostCpuTicks = hostTicks;
    if (previous === undefined || seconds === undefined) return true;
    const allowed = (UNEXPLAINED_CPU_PERCENT / 100) * this.ticksPerSecond * seconds;
    return hostTicks - previous - explainedTicks > allowed;
  }

  // Checks one process, reading its stat unless schedstat proves it unchanged. Returns the CPU
  // ticks it used since its previous read (all of them for a process first seen).
  private visit(pid: number, known: TrackedProcess | undefined, seconds: number | undefined): number {
    if (known && this.unchangedSinceLastCheck(known)) {
      known.idleChecks++;
      known.nextCheckTick = nextCheck(this.tick, known.pid, known.idleChecks);
      if (seconds !== undefined) known.cpuPercent = 0;
      known.seenTick = this.tick;
      return 0;
    }
    const text = this.statFiles.read(`${this.procRoot}/${pid}/stat`);
    const parsed = text === undefined ? undefined : scanPidStat(text);
    if (!parsed?.ok) return 0;
    this.lastScan.statReads++;
    const stat = parsed.value;
    const cpuTicks = stat.utimeTicks + stat.stimeTicks;
    // Same pid and start time: the same process. Otherwise the pid was reused.
    if (!known || known.stat.startTimeTicks !== stat.startTimeTicks) {
      this.create(stat);
      return cpuTicks + stat.childrenTicks;
    }
    const used = Math.max(0, cpuTicks - known.cpuTicks);
    // Children that ran and exited within the interval were reaped into cutime/cstime.
    const childrenUsed = Math.max(0, stat.childrenTicks - known.childrenTicks);
    known.childrenTicks = stat.childrenTicks;
    if (seconds !== undefined && seconds > 0) known.cpuPercent = (used / this.ticksPerSecond / seconds) * 100;
    if (used > 0 || stat.state === 'R' || stat.numThreads > 1) {
      known.ranTick = this.tick;
      known.idleChecks = 0;
      known.nextCheckTick = this.tick + 1;
    } else {
      // A refresh of an idle process's stat: it keeps its place in the back-off.
      known.nextCheckTick = nextCheck(this.tick, known.pid, Math.max(1, known.idleChecks));
    }
    // exec() keeps pid and start time but changes comm, cmdline and maybe the uid.
    const execed = known.stat.comm !== stat.comm;
    known.stat = stat;
    if (execed) known.detailsRead = false;
    known.cpuTicks = cpuTicks;
    known.statTick = this.tick;
    known.seenTick = this.tick;
    return used + childrenUsed;
  }

  // A process whose children come and go is checked on the next tick, and its back-off starts over.
  private checkSoon(entry: TrackedProcess | undefined): void {
    if (!entry) return;
    entry.idleChecks = 0;
    entry.nextCheckTick = Math.min(entry.nextCheckTick, this.tick + 1);
  }

  private create(stat: ScannedPidStat): void {
    this.checkSoon(this.entries.get(stat.ppid));
    const entry: TrackedProcess = {
      pid: stat.pid,
      stat,
      kernelThread: isKernelThread(stat),
      detailsRead: false,
      cmdline: '',
      cpuTicks: stat.utimeTicks + stat.stimeTicks,
      childrenTicks: stat.childrenTicks,
      statTick: this.tick,
      ranTick: this.tick,
      ioTick: 0,
      seenTick: this.tick,
      nextCheckTick: this.tick + 1,
      idleChecks: 0,
    };
    // Records the run time the next check compares with.
    if (this.gate && stat.numThreads === 1) this.unchangedSinceLastCheck(entry);
    this.entries.set(stat.pid, entry);
  }

  // True when schedstat proves the process has not run since its run time was last recorded
  // (read through a descriptor held since then, so it is the same process); records the new run
  // time otherwise.
  private unchangedSinceLastCheck(entry: TrackedProcess): boolean {
    if (!this.gate || entry.stat.numThreads !== 1 || entry.stat.state === 'R') return false;
    if (this.tick - entry.statTick >= STAT_REFRESH_TICKS) return false;
    this.lastScan.checks++;
    const text = this.schedstatFiles.read(`${this.procRoot}/${entry.pid}/schedstat`);
    const held = this.schedstatFiles.lastReadWasHeld;
    const runtime = text === undefined ? undefined : parseSchedstatRuntime(text);
    if (!runtime?.ok) return false;
    const same = held && runtime.value === entry.runtimeNs;
    if (!same) {
      // It ran, if only for less than a clock tick (which stat's utime would not show).
      if (held && entry.runtimeNs !== undefined) entry.ranTick = this.tick;
      entry.runtimeNs = runtime.value;
    }
    return same;
  }

  close(): void {
    this.statFiles.close();
    this.schedstatFiles.close();
    this.hostFiles.close();
    this.entries.clear();
  }
}
