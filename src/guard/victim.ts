// Victim choice, as earlyoom makes it: highest oom_score (ties: larger RSS), or largest RSS with
// --sort-by-rss; --prefer/--avoid shift the ranking, --ignore and protected processes drop out.
export interface Candidate {
  pid: number;
  startTimeTicks: number;
  comm: string;
  uid: number;
  pgid: number;
  state: string;
  kernelThread: boolean;
  oomScore: number;
  oomScoreAdj: number;
  rssBytes: number;
}

export interface VictimPolicy {
  sortByRss: boolean;
  prefer?: RegExp;
  avoid?: RegExp;
  ignore?: RegExp;
  ignoreRootUser: boolean;
  selfPid: number;
}

// earlyoom's shifts: +-300 oom_score points, or +-3 GiB of RSS with --sort-by-rss.
const SCORE_SHIFT = 300;
const RSS_SHIFT_BYTES = 3 * 1024 * 1024 * 1024;

export function isProtected(c: Candidate, policy: VictimPolicy): boolean {
  return (
    c.pid <= 2 ||
    c.kernelThread ||
    c.pid === policy.selfPid ||
    c.oomScoreAdj === -1000 ||
    c.state === 'Z' ||
    c.state === 'X' ||
    (policy.ignoreRootUser && c.uid === 0) ||
    (policy.ignore?.test(c.comm) ?? false)
  );
}

function shift(c: Candidate, policy: VictimPolicy): number {
  let direction = 0;
  if (policy.prefer?.test(c.comm)) direction += 1;
  if (policy.avoid?.test(c.comm)) direction -= 1;
  return direction;
}

// The ranking key: [primary, tie-breaker], larger is a better victim.
export function rankKey(c: Candidate, policy: VictimPolicy): [number, number] {
  const direction = shift(c, policy);
  if (policy.sortByRss) {
    // A zombie main thread shows rss 0: rank it by oom_score instead, as earlyoom does.
    const rss = c.rssBytes > 0 ? c.rssBytes + direction * RSS_SHIFT_BYTES : c.oomScore;
    return [rss, c.oomScore];
  }
  return [c.oomScore + direction * SCORE_SHIFT, c.rssBytes];
}

export function isBetterVictim(a: Candidate, b: Candidate, policy: VictimPolicy): boolean {
  const [a1, a2] = rankKey(a, policy);
  const [b1, b2] = rankKey(b, policy);
  return a1 > b1 || (a1 === b1 && a2 > b2);
}

export function selectVictim(candidates: Iterable<Candidate>, policy: VictimPolicy): Candidate | undefined {
  let best: Candidate | undefined;
  for (const c of candidates) {
    if (isProtected(c, policy)) continue;
    if (!best || isBetterVictim(c, best, policy)) best = c;
  }
  return best;
}
