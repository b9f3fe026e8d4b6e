// The /proc fallback: every interval, stat of every process (new ones become exec events, vanished
// ones exit events), /proc/PID/io deltas, and OOM kills from /proc/vmstat and the memory cgroups.
// Everything it emits is marked sampled: what lived less than an interval is never seen.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../collect/clock.ts';
import { HeldFileReader } from '../sys/heldFiles.ts';
import { isKernelThread } from '../sys/parsePidStat.ts';
import { parsePidIo } from '../sys/parsePidIo.ts';
import { parseVmstat } from '../sys/parseVmstat.ts';
import { cgroupVersion, readCgroupMemory } from '../sys/readCgroup.ts';
import { readSmallFile } from '../sys/readFile.ts';
import { listPids, readCmdline } from '../sys/readProc.ts';
import { scanPidStat } from '../sys/scanPidStat.ts';
import type { BackendSink } from './ebpfSource.ts';
import type { IoProcessRow } from './events.ts';
import type { ProbeSelection } from './program.ts';
import { monotonicEpochOffsetMs } from './time.ts';

export interface SamplerOptions {
  probes: ProbeSelection;
  procRoot: string;
  // the memory cgroup hierarchy to look for OOM kills in (v1 memory/ or the v2 root)
  cgroupRoot?: string;
  intervalMs: number;
  clock: Clock;
  ticksPerSecond?: number;
}

interface Seen {
  startTicks: number;
  comm: string;
  ppid: number;
  readChars?: number;
  writtenChars?: number;
}

export function defaultMemoryCgroupRoot(): string | undefined {
  if (existsSync('/sys/fs/cgroup/memory/memory.limit_in_bytes')) return '/sys/fs/cgroup/memory';
  if (existsSync('/sys/fs/cgroup/cgroup.controllers')) return '/sys/fs/cgroup';
  return undefined;
}

// OOM kill counters of every memory cgroup under root, by path relative to it.
function cgroupOomKills(root: string): Map<string, number> {
  const counts = new Map<string, number>();
  const visit = (dir: string, path: string): void => {
    const memory = readCgroupMemory(dir, cgroupVersion(dir));
    if (memory.ok) counts.set(path, memory.value.oomKills);
    let entries: string[];
    try {
      entries = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    } catch {
      return;
    }
    for (const name of entries) visit(join(dir, name), path === '/' ? `/${name}` : `${path}/${name}`);
  };
  visit(root, '/');
  return counts;
}

function parentPath(path: string): string | undefined {
  if (path === '/') return undefined;
  return path.slice(0, path.lastIndexOf('/')) || '/';
}

export class SamplerBackend {
  private readonly options: SamplerOptions;
  private readonly sink: BackendSink;
  private readonly reader = new HeldFileReader();
  private seen = new Map<number, Seen>();
  private timer: unknown;
  private paused = false;
  private lastTickMs = 0;
  private hostOomKills = 0;
  private cgroupKills = new Map<string, number>();

  constructor(options: SamplerOptions, sink: BackendSink) {
    this.options = options;
    this.sink = sink;
  }

  private readHostOomKills(): number {
    const text = readSmallFile(join(this.options.procRoot, 'vmstat'));
    const parsed = text === undefined ? undefined : parseVmstat(text);
    return parsed?.ok ? (parsed.value.get('oom_kill') ?? 0) : 0;
  }

  async start(): Promise<void> {
    const { procRoot, clock } = this.options;
    this.sink.tree.loadSnapshot(procRoot, monotonicEpochOffsetMs(), this.options.ticksPerSecond);
    this.seen = this.scan();
    this.hostOomKills = this.readHostOomKills();
    if (this.options.cgroupRoot) this.cgroupKills = cgroupOomKills(this.options.cgroupRoot);
    this.lastTickMs = clock.now();
    this.sink.live();
    this.schedule();
  }

  private schedule(): void {
    this.timer = this.options.clock.setTimeout(() => {
      if (!this.paused) this.tick();
      this.schedule();
    }, this.options.intervalMs);
  }

  private wantsIo(): boolean {
    return this.options.probes.io || this.options.probes.ioFiles;
  }

  private scan(): Map<number, Seen> {
    const { procRoot } = this.options;
    const seen = new Map<number, Seen>();
    for (const pid of listPids(procRoot)) {
      const text = this.reader.read(`${procRoot}/${pid}/stat`);
      const stat = text === undefined ? undefined : scanPidStat(text);
      if (!stat?.ok || stat.value.state === 'Z' || isKernelThread(stat.value)) continue;
      const entry: Seen = { startTicks: stat.value.startTimeTicks, comm: stat.value.comm, ppid: stat.value.ppid };
      if (this.wantsIo()) {
        const io = this.reader.read(`${procRoot}/${pid}/io`);
        const parsed = io === undefined ? undefined : parsePidIo(io);
        if (parsed?.ok) {
          entry.readChars = parsed.value.readCharsBytes;
          entry.writtenChars = parsed.value.writtenCharsBytes;
        }
      }
      seen.set(pid, entry);
    }
    return seen;
  }

  private startMs(seen: Seen): number {
    return monotonicEpochOffsetMs() + (seen.startTicks * 1000) / (this.options.ticksPerSecond ?? 100);
  }

  tick(): void {
    const nowMs = this.options.clock.now();
    const current = this.scan();
    this.lifecycle(current, nowMs);
    if (this.wantsIo()) this.io(current, nowMs);
    this.oom(nowMs);
    this.seen = current;
    this.lastTickMs = nowMs;
  }

  private lifecycle(current: Map<number, Seen>, nowMs: number): void {
    for (const [pid, before] of this.seen) {
      const now = current.get(pid);
      if (now && now.startTicks === before.startTicks) continue;
      this.reader.release(`${this.options.procRoot}/${pid}/stat`);
      this.reader.release(`${this.options.procRoot}/${pid}/io`);
      this.sink.emit({ type: 'exit', timeMs: nowMs, pid, ppid: before.ppid, comm: before.comm, startTimeMs: this.startMs(before), sampled: true });
    }
    for (const [pid, now] of current) {
      const before = this.seen.get(pid);
      if (before && before.startTicks === now.startTicks) continue;
      const argv = readCmdline(pid, this.options.procRoot);
      this.sink.emit({
        type: 'exec',
        timeMs: nowMs,
        pid,
        ppid: now.ppid,
        comm: now.comm,
        ...(argv && argv.length > 0 ? { argv } : {}),
        startTimeMs: this.startMs(now),
        sampled: true,
      });
    }
  }

  private io(current: Map<number, Seen>, nowMs: number): void {
    const rows: IoProcessRow[] = [];
    for (const [pid, now] of current) {
      if (now.readChars === undefined || now.writtenChars === undefined) continue;
      const before = this.seen.get(pid);
      const same = before !== undefined && before.startTicks === now.startTicks;
      const readBytes = now.readChars - (same ? (before.readChars ?? now.readChars) : 0);
      const writtenBytes = now.writtenChars - (same ? (before.writtenChars ?? now.writtenChars) : 0);
      if (readBytes > 0 || writtenBytes > 0) rows.push({ pid, comm: now.comm, readBytes, writtenBytes });
    }
    rows.sort((a, b) => b.readBytes + b.writtenBytes - (a.readBytes + a.writtenBytes) || a.pid - b.pid);
    this.sink.emit({ type: 'io', timeMs: nowMs, startMs: this.lastTickMs, processes: rows, sampled: true });
  }

  // Kills show in /proc/vmstat; only then are the cgroups walked, to say where.
  private oom(nowMs: number): void {
    const hostKills = this.readHostOomKills();
    const delta = hostKills - this.hostOomKills;
    this.hostOomKills = hostKills;
    if (delta <= 0) return;
    let attributed = 0;
    if (this.options.cgroupRoot) {
      const counts = cgroupOomKills(this.options.cgroupRoot);
      const deltas = new Map([...counts].map(([path, kills]) => [path, kills - (this.cgroupKills.get(path) ?? 0)]));
      this.cgroupKills = counts;
      // v2 counts are hierarchical: a cgroup is reported only for kills its children do not explain.
      const childrenKills = new Map<string, number>();
      for (const [path, kills] of deltas) {
        const parent = parentPath(path);
        if (parent !== undefined) childrenKills.set(parent, (childrenKills.get(parent) ?? 0) + kills);
      }
      for (const [path, kills] of deltas) {
        const own = kills - (childrenKills.get(path) ?? 0);
        if (own > 0) {
          attributed += own;
          this.sink.emit({ type: 'oom-count', timeMs: nowMs, kills: own, cgroup: path, sampled: true });
        }
      }
    }
    if (delta > attributed) this.sink.emit({ type: 'oom-count', timeMs: nowMs, kills: delta - attributed, sampled: true });
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.reader.close();
  }
}
