// Which target leads (holds the most memory, so it is closest to finishing and giving memory back),
// whether it still grows, and, while it does not, which one is next: under leader-first the next
// may grow at WARNING, so its allocation overlaps the leader's hold instead of waiting for it.
import type { TargetState } from './targetState.ts';

// Another target displaces the leader only when it holds this much more memory.
const LEADER_MARGIN_BYTES = 8 * 1024 * 1024;
const LEADER_MARGIN_SHARE = 0.02;
// The leader counts as growing while it gained this much (1 % of the budget, at least 4 MiB)
// within the last LEADER_IDLE_MS. A quarter of a second without growth is many scans (one every
// few tens of ms above NORMAL) and many scheduler slices even on a loaded machine, so a leader
// merely waiting for a CPU is not taken for one that holds its peak.
const GROWTH_MIN_BYTES = 4 * 1024 * 1024;
const GROWTH_SHARE = 0.01;
export const LEADER_IDLE_MS = 250;

export interface Leadership {
  leaderKey?: string;
  // The leader has not grown for LEADER_IDLE_MS: it holds its peak.
  leaderIdle: boolean;
  nextKey?: string;
}

export class LeaderTracker {
  private leaderKey: string | undefined;
  private nextKey: string | undefined;
  // The leader's memory when it last grew, and when.
  private referenceBytes = 0;
  private grewAtMs = 0;

  // Chooses the leader and the next among `states` (keyed by target key).
  choose(states: Map<string, TargetState>, budgetBytes: number, nowMs: number): Leadership {
    const leader = this.sticky(states, this.leaderKey, undefined, Math.max(LEADER_MARGIN_BYTES, LEADER_MARGIN_SHARE * budgetBytes));
    if (leader !== this.leaderKey || leader === undefined) {
      this.leaderKey = leader;
      this.referenceBytes = leader === undefined ? 0 : (states.get(leader)?.target.memoryBytes ?? 0);
      this.grewAtMs = nowMs;
    } else {
      const bytes = states.get(leader)?.target.memoryBytes ?? 0;
      if (bytes >= this.referenceBytes + Math.max(GROWTH_MIN_BYTES, GROWTH_SHARE * budgetBytes)) {
        this.referenceBytes = bytes;
        this.grewAtMs = nowMs;
      } else if (bytes < this.referenceBytes) this.referenceBytes = bytes;
    }
    const idle = leader !== undefined && nowMs - this.grewAtMs >= LEADER_IDLE_MS;
    this.nextKey = idle ? this.sticky(states, this.nextKey, leader, 0) : undefined;
    return { ...(this.leaderKey ? { leaderKey: this.leaderKey } : {}), leaderIdle: idle, ...(this.nextKey ? { nextKey: this.nextKey } : {}) };
  }

  forget(key: string): void {
    if (this.leaderKey === key) this.leaderKey = undefined;
    if (this.nextKey === key) this.nextKey = undefined;
  }

  // The target holding the most memory (but `except`); `current` keeps the role unless another
  // holds more than `marginBytes` more, so two near-equal targets do not swap on every poll.
  private sticky(states: Map<string, TargetState>, current: string | undefined, except: string | undefined, marginBytes: number): string | undefined {
    let best: TargetState | undefined;
    for (const [key, state] of states) if (key !== except && (!best || state.target.memoryBytes > best.target.memoryBytes)) best = state;
    const kept = current === undefined || current === except ? undefined : states.get(current);
    if (kept && best && best.target.memoryBytes <= kept.target.memoryBytes + marginBytes) return current;
    return best?.target.ref.key;
  }
}
