// The live process tree: a /proc snapshot at start, then kept by exec and exit events. A process
// is its pid plus its start time (a reused pid is another process); exited ones stay in bounded
// recent lists, the short-lived (< 1 s) in their own.
import { listPids, readCmdline, readPidStat, readPidStatus } from '../sys/readProc.ts';
import { isKernelThread } from '../sys/parsePidStat.ts';
import type { ExecEvent, ExitEvent } from './events.ts';

export interface ProcessNode {
  pid: number;
  ppid?: number;
  startTimeMs?: number;
  comm: string;
  filename?: string;
  argv?: string[];
  uid?: number;
  // how it became known: alive in the /proc snapshot, by its exec, or only by its exit
  origin: 'snapshot' | 'exec' | 'exit';
  exitTimeMs?: number;
  exitCode?: number;
  signal?: string;
  lifetimeSeconds?: number;
}

export interface TreeOptions {
  // exited processes kept, and short-lived ones kept apart
  recentLimit?: number;
  shortLivedSeconds?: number;
}

// Start times from /proc are in clock ticks; fork times from the kernel in nanoseconds.
const SAME_START_MS = 50;

function sameStart(a: number | undefined, b: number | undefined): boolean {
  return a === undefined || b === undefined || Math.abs(a - b) <= SAME_START_MS;
}

class Ring<T> {
  private readonly items: T[] = [];
  private readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  push(item: T): void {
    this.items.push(item);
    if (this.items.length > this.limit) this.items.splice(0, this.items.length - this.limit);
  }

  list(): T[] {
    return [...this.items];
  }
}

export class ProcessTree {
  private readonly live = new Map<number, ProcessNode>();
  private readonly exitedByPid = new Map<number, ProcessNode>();
  private readonly exited: Ring<ProcessNode>;
  private readonly shortLived: Ring<ProcessNode>;
  private readonly recentLimit: number;
  private readonly shortLivedSeconds: number;

  constructor(options: TreeOptions = {}) {
    this.recentLimit = options.recentLimit ?? 1000;
    this.shortLivedSeconds = options.shortLivedSeconds ?? 1;
    this.exited = new Ring(this.recentLimit);
    this.shortLived = new Ring(this.recentLimit);
  }

  get size(): number {
    return this.live.size;
  }

  // Every user process in /proc (kernel threads and zombies left out: a zombie has exited); a
  // process the tree holds under a reused pid is replaced. bootEpochMs converts start times
  // (ticks since boot) to epoch milliseconds. Returns how many it added.
  loadSnapshot(procRoot: string, bootEpochMs: number, ticksPerSecond = 100): number {
    let added = 0;
    for (const pid of listPids(procRoot)) {
      const stat = readPidStat(pid, procRoot);
      if (!stat || stat.state === 'Z' || isKernelThread(stat)) continue;
      const startTimeMs = bootEpochMs + (stat.startTimeTicks * 1000) / ticksPerSecond;
      if (this.live.has(pid) && sameStart(this.live.get(pid)?.startTimeMs, startTimeMs)) continue;
      const argv = readCmdline(pid, procRoot);
      const uid = readPidStatus(pid, procRoot)?.realUid;
      this.live.set(pid, {
        pid,
        ppid: stat.ppid,
        startTimeMs,
        comm: stat.comm,
        ...(argv && argv.length > 0 ? { argv } : {}),
        ...(uid === undefined ? {} : { uid }),
        origin: 'snapshot',
      });
      added++;
    }
    return added;
  }

  // After a time without events: processes the tree holds but /proc no longer does have exited
  // unseen; they leave without an exit record. Returns how many.
  forgetVanished(procRoot: string): number {
    const present = new Set(listPids(procRoot));
    let removed = 0;
    for (const pid of [...this.live.keys()]) {
      if (!present.has(pid)) {
        this.live.delete(pid);
        removed++;
      }
    }
    return removed;
  }

  // Records the exec and returns the event with what the tree knew and the kernel did not.
  applyExec(event: ExecEvent): ExecEvent {
    const known = this.live.get(event.pid);
    const same = known !== undefined && sameStart(known.startTimeMs, event.startTimeMs);
    const ppid = event.ppid ?? (same ? known.ppid : undefined);
    const startTimeMs = event.startTimeMs ?? (same ? known.startTimeMs : undefined);
    this.live.set(event.pid, {
      pid: event.pid,
      ...(ppid === undefined ? {} : { ppid }),
      ...(startTimeMs === undefined ? {} : { startTimeMs }),
      comm: event.comm,
      ...(event.filename === undefined ? {} : { filename: event.filename }),
      ...(event.argv === undefined ? {} : { argv: event.argv }),
      ...(event.uid === undefined ? {} : { uid: event.uid }),
      origin: 'exec',
    });
    return { ...event, ...(ppid === undefined ? {} : { ppid }), ...(startTimeMs === undefined ? {} : { startTimeMs }) };
  }

  // Records the exit; the event gets the process's own command (the kernel reports the last
  // thread's), its parent and lifetime where the tree knew them.
  applyExit(event: ExitEvent): ExitEvent {
    const known = this.live.get(event.pid);
    const node = known !== undefined && sameStart(known.startTimeMs, event.startTimeMs) ? known : undefined;
    if (known) this.live.delete(event.pid);
    const ppid = event.ppid ?? node?.ppid;
    const startTimeMs = event.startTimeMs ?? node?.startTimeMs;
    const lifetimeSeconds = event.lifetimeSeconds ?? (startTimeMs === undefined ? undefined : Math.max(0, (event.timeMs - startTimeMs) / 1000));
    const enriched: ExitEvent = {
      ...event,
      comm: node?.comm ?? event.comm,
      ...(ppid === undefined ? {} : { ppid }),
      ...(startTimeMs === undefined ? {} : { startTimeMs }),
      ...(lifetimeSeconds === undefined ? {} : { lifetimeSeconds }),
    };
    const exited: ProcessNode = {
      ...(node ?? { pid: event.pid, origin: 'exit' as const }),
      comm: enriched.comm,
      ...(ppid === undefined ? {} : { ppid }),
      ...(startTimeMs === undefined ? {} : { startTimeMs }),
      exitTimeMs: event.timeMs,
      ...(event.exitCode === undefined ? {} : { exitCode: event.exitCode }),
      ...(event.signal === undefined ? {} : { signal: event.signal }),
      ...(lifetimeSeconds === undefined ? {} : { lifetimeSeconds }),
    };
    this.rememberExited(exited);
    return enriched;
  }

  private rememberExited(node: ProcessNode): void {
    this.exited.push(node);
    this.exitedByPid.delete(node.pid);
    this.exitedByPid.set(node.pid, node);
    if (this.exitedByPid.size > this.recentLimit) {
      const oldest = this.exitedByPid.keys().next().value;
      if (oldest !== undefined) this.exitedByPid.delete(oldest);
    }
    if (node.lifetimeSeconds !== undefined && node.lifetimeSeconds < this.shortLivedSeconds) this.shortLived.push(node);
  }

  // A live process, or else the last one with that pid to exit recently.
  get(pid: number): ProcessNode | undefined {
    return this.live.get(pid) ?? this.exitedByPid.get(pid);
  }

  isLive(pid: number): boolean {
    return this.live.has(pid);
  }

  // The process and its ancestors, nearest first, as far as the tree knows them.
  chain(pid: number): ProcessNode[] {
    const nodes: ProcessNode[] = [];
    const seen = new Set<number>();
    let node = this.get(pid);
    while (node && !seen.has(node.pid)) {
      nodes.push(node);
      seen.add(node.pid);
      node = node.ppid === undefined || node.ppid === 0 ? undefined : this.get(node.ppid);
    }
    return nodes;
  }

  children(pid: number): ProcessNode[] {
    return [...this.live.values()].filter((node) => node.ppid === pid);
  }

  liveProcesses(): ProcessNode[] {
    return [...this.live.values()];
  }

  recentExits(): ProcessNode[] {
    return this.exited.list();
  }

  recentShortLived(): ProcessNode[] {
    return this.shortLived.list();
  }
}
