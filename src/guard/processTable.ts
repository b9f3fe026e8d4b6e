// The warm candidate table: while memory is low the guard keeps every candidate's oom_score file
// open and re-reads it with one pread, so choosing a victim costs a directory listing and a few
// reads instead of a full /proc scan at the worst moment.
import { HeldFileReader } from '../sys/heldFiles.ts';
import { parseOomScore } from '../sys/parsePidFiles.ts';
import { isKernelThread, parsePidStat, type PidStat } from '../sys/parsePidStat.ts';
import { detectPageSize } from '../sys/pageSize.ts';
import { readOomScoreAdj, readPidStatus } from '../sys/readProc.ts';
import { type Candidate, type VictimPolicy, rankKey, selectVictim } from './victim.ts';

interface Entry {
  candidate: Candidate;
  previousScore: number;
}

export interface ProcessTableOptions {
  procRoot: string;
  policy: VictimPolicy;
  // The pids to consider: every process, or the members of a cgroup.
  listPids: () => number[];
  // How many of the best-ranked and fastest-growing entries selection re-reads.
  recheckCount?: number;
}

export class ProcessTable {
  private readonly entries = new Map<number, Entry>();
  // /proc/PID/oom_score and stat stay open: a held descriptor of a process that exited fails with
  // ESRCH even when its pid has been reused, so a stale entry can never pass for a new process.
  private readonly files = new HeldFileReader();
  private readonly options: ProcessTableOptions;
  private readonly pageSize: number;

  constructor(options: ProcessTableOptions) {
    this.options = options;
    this.pageSize = detectPageSize(options.procRoot);
  }

  get size(): number {
    return this.entries.size;
  }

  // Adds new processes, drops vanished ones; with rescoreAll, re-reads every score.
  sync(rescoreAll: boolean): void {
    const seen = new Set<number>();
    for (const pid of this.options.listPids()) {
      seen.add(pid);
      const entry = this.entries.get(pid);
      if (!entry) this.add(pid);
      else if (rescoreAll && !this.rescore(entry)) this.remove(pid);
    }
    for (const pid of this.entries.keys()) if (!seen.has(pid)) this.remove(pid);
  }

  // Picks the victim: sync the pid list, re-read the entries that could win, then rank.
  select(): Candidate | undefined {
    this.sync(false);
    const recheck = this.options.recheckCount ?? 16;
    const policy = this.options.policy;
    const all = [...this.entries.values()];
    const byRank = [...all].sort((a, b) => compareDescending(rankKey(a.candidate, policy), rankKey(b.candidate, policy)));
    const byGrowth = [...all].sort((a, b) => growth(b) - growth(a));
    for (const entry of new Set([...byRank.slice(0, recheck), ...byGrowth.slice(0, recheck)])) {
      if (!this.rescore(entry)) this.remove(entry.candidate.pid);
    }
    return selectVictim(
      [...this.entries.values()].map((e) => e.candidate),
      policy,
    );
  }

  // Re-reads one candidate's score and stat; false when the process is gone or its pid reused.
  private rescore(entry: Entry): boolean {
    const c = entry.candidate;
    const score = this.readScore(c.pid);
    const stat = score === undefined ? undefined : this.readStat(c.pid);
    if (score === undefined || !stat || stat.startTimeTicks !== c.startTimeTicks) return false;
    entry.previousScore = c.oomScore;
    c.oomScore = score;
    c.state = stat.state;
    c.rssBytes = stat.rssPages * this.pageSize;
    return true;
  }

  private readScore(pid: number): number | undefined {
    const text = this.files.read(`${this.options.procRoot}/${pid}/oom_score`);
    const parsed = text === undefined ? undefined : parseOomScore(text);
    return parsed?.ok ? parsed.value : undefined;
  }

  private readStat(pid: number): PidStat | undefined {
    const text = this.files.read(`${this.options.procRoot}/${pid}/stat`);
    const parsed = text === undefined ? undefined : parsePidStat(text);
    return parsed?.ok ? parsed.value : undefined;
  }

  private add(pid: number): void {
    const root = this.options.procRoot;
    const stat = this.readStat(pid);
    const status = stat && readPidStatus(pid, root);
    const score = status && this.readScore(pid);
    const adj = score !== undefined ? readOomScoreAdj(pid, root) : undefined;
    if (!stat || !status || score === undefined || adj === undefined) {
      this.release(pid);
      return;
    }
    const candidate: Candidate = {
      pid,
      startTimeTicks: stat.startTimeTicks,
      comm: stat.comm,
      uid: status.effectiveUid,
      pgid: stat.pgid,
      state: stat.state,
      kernelThread: isKernelThread(stat),
      oomScore: score,
      oomScoreAdj: adj,
      rssBytes: stat.rssPages * this.pageSize,
    };
    // Kernel threads never become victims: no need to keep their files open.
    if (candidate.kernelThread || pid <= 2) this.release(pid);
    this.entries.set(pid, { candidate, previousScore: score });
  }

  private release(pid: number): void {
    this.files.release(`${this.options.procRoot}/${pid}/oom_score`);
    this.files.release(`${this.options.procRoot}/${pid}/stat`);
  }

  private remove(pid: number): void {
    this.release(pid);
    this.entries.delete(pid);
  }

  close(): void {
    this.files.close();
    this.entries.clear();
  }
}

function growth(entry: Entry): number {
  return entry.candidate.oomScore - entry.previousScore;
}

function compareDescending(a: [number, number], b: [number, number]): number {
  return b[0] - a[0] || b[1] - a[1];
}
