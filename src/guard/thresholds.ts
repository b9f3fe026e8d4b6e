// Effective thresholds and the decision earlyoom makes each poll: nothing, SIGTERM or SIGKILL.
import { EXIT, type GuardOptions } from './options.ts';
import type { MemorySample } from './memory.ts';
import type { TermKillTuple } from './tuple.ts';

export interface Thresholds {
  memTermPercent: number;
  memKillPercent: number;
  swapTermPercent: number;
  swapKillPercent: number;
  psi?: { term: number; kill: number };
}

export type Verdict = 'none' | 'term' | 'kill';

export type ThresholdsResult = { ok: true; thresholds: Thresholds; notices: string[] } | { ok: false; exitCode: number; message: string };

// -M/-S in KiB become percentages of the total; with both -m and -M the lower value wins (earlyoom).
function mergeSize(
  percent: TermKillTuple,
  percentGiven: boolean,
  kib: TermKillTuple | undefined,
  totalKiB: number,
): TermKillTuple {
  if (!kib) return percent;
  const fromSize = { term: (100 * kib.term) / totalKiB, kill: (100 * kib.kill) / totalKiB };
  if (!percentGiven) return fromSize;
  return { term: Math.min(percent.term, fromSize.term), kill: Math.min(percent.kill, fromSize.kill) };
}

export function resolveThresholds(options: GuardOptions, memTotalBytes: number, swapTotalBytes: number): ThresholdsResult {
  const notices: string[] = [];
  const memTotalKiB = memTotalBytes / 1024;
  const swapTotalKiB = swapTotalBytes / 1024;
  if (options.memKiB && options.memKiB.term > (memTotalKiB * 100) / 99) {
    return { ok: false, exitCode: EXIT.badMemThreshold, message: `-M: value ${options.memKiB.term} exceeds limit ${Math.floor((memTotalKiB * 100) / 99)}` };
  }
  let swapKiB = options.swapKiB;
  if (swapKiB && swapTotalKiB === 0) {
    notices.push('warning: -S: total swap is zero, using default percentages');
    swapKiB = undefined;
  } else if (swapKiB && swapKiB.term > (swapTotalKiB * 100) / 99) {
    return { ok: false, exitCode: EXIT.badSwapThreshold, message: `-S: value ${swapKiB.term} exceeds limit ${Math.floor((swapTotalKiB * 100) / 99)}` };
  }
  const mem = mergeSize(options.memPercent, options.memPercentGiven, options.memKiB, memTotalKiB);
  const swap = mergeSize(options.swapPercent, options.swapPercentGiven, swapKiB, swapTotalKiB);
  const thresholds: Thresholds = {
    memTermPercent: mem.term,
    memKillPercent: mem.kill,
    swapTermPercent: swap.term,
    swapKillPercent: swap.kill,
    ...(options.psi ? { psi: options.psi } : {}),
  };
  return { ok: true, thresholds, notices };
}

// Memory AND swap must both be at or below their limits; PSI, when set, is a trigger of its own.
export function verdict(thresholds: Thresholds, sample: MemorySample): Verdict {
  const mem = sample.availablePercent;
  const swap = sample.swapFreePercent;
  const psi = sample.psiFullAvg10;
  if (mem <= thresholds.memKillPercent && swap <= thresholds.swapKillPercent) return 'kill';
  if (thresholds.psi && psi !== undefined && psi >= thresholds.psi.kill) return 'kill';
  if (mem <= thresholds.memTermPercent && swap <= thresholds.swapTermPercent) return 'term';
  if (thresholds.psi && psi !== undefined && psi >= thresholds.psi.term) return 'term';
  return 'none';
}

export function formatPercent(value: number): string {
  return `${value.toFixed(2).padStart(5)}%`;
}

export function startupLines(t: Thresholds): string[] {
  const lines = [
    `sending SIGTERM when mem avail <= ${formatPercent(t.memTermPercent)} and swap free <= ${formatPercent(t.swapTermPercent)},`,
    `        SIGKILL when mem avail <= ${formatPercent(t.memKillPercent)} and swap free <= ${formatPercent(t.swapKillPercent)}`,
  ];
  if (t.psi) {
    lines.push(`also SIGTERM when memory pressure full avg10 >= ${formatPercent(t.psi.term)}, SIGKILL when >= ${formatPercent(t.psi.kill)}`);
  }
  return lines;
}
