import { describe, expect, it } from 'vitest';
import type { MemorySample } from './memory.ts';
import { parseGuardOptions } from './options.ts';
import { resolveThresholds, startupLines, verdict } from './thresholds.ts';

const GiB = 1024 ** 3;

function options(args: string[]) {
  const parsed = parseGuardOptions(args, {});
  if (parsed.action !== 'run') throw new Error('bad args');
  return parsed.options;
}

function sample(availablePercent: number, swapFreePercent: number, psiFullAvg10?: number): MemorySample {
  return {
    timeMs: 0,
    totalBytes: 100,
    availableBytes: availablePercent,
    availablePercent,
    swapTotalBytes: 100,
    swapFreeBytes: swapFreePercent,
    swapFreePercent,
    ...(psiFullAvg10 === undefined ? {} : { psiFullAvg10 }),
  };
}

describe('resolveThresholds', () => {
  it('converts -M KiB into a percentage of the total', () => {
    const r = resolveThresholds(options(['-M', '1048576,524288']), 8 * GiB, 0);
    expect(r.ok && [r.thresholds.memTermPercent, r.thresholds.memKillPercent]).toEqual([12.5, 6.25]);
  });

  it('uses the lower of -m and -M', () => {
    const r = resolveThresholds(options(['-m', '10,5', '-M', '1048576,262144']), 8 * GiB, 0);
    expect(r.ok && [r.thresholds.memTermPercent, r.thresholds.memKillPercent]).toEqual([10, 3.125]);
  });

  it('rejects -M above the total with exit 15 and ignores -S without swap', () => {
    const bad = resolveThresholds(options(['-M', '99999999']), 1 * GiB, 0);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect([bad.exitCode, bad.message]).toEqual([15, expect.stringContaining('-M: value 99999999 exceeds limit')]);
    const noSwap = resolveThresholds(options(['-S', '1000']), GiB, 0);
    expect(noSwap.ok && noSwap.notices).toEqual(['warning: -S: total swap is zero, using default percentages']);
    const tooMuchSwap = resolveThresholds(options(['-S', '99999999']), GiB, GiB);
    expect(!tooMuchSwap.ok && tooMuchSwap.exitCode).toBe(16);
  });

  it('prints the startup lines in earlyoom form', () => {
    const r = resolveThresholds(options([]), GiB, 0);
    if (!r.ok) throw new Error('unexpected');
    expect(startupLines(r.thresholds)).toEqual([
      'sending SIGTERM when mem avail <= 10.00% and swap free <= 10.00%,',
      '        SIGKILL when mem avail <=  5.00% and swap free <=  5.00%',
    ]);
  });
});

describe('verdict', () => {
  const t = { memTermPercent: 10, memKillPercent: 5, swapTermPercent: 10, swapKillPercent: 5 };
  it('needs memory AND swap at or below the limits', () => {
    expect(verdict(t, sample(10, 50))).toBe('none');
    expect(verdict(t, sample(50, 0))).toBe('none');
    expect(verdict(t, sample(10, 10))).toBe('term');
    expect(verdict(t, sample(5, 5))).toBe('kill');
    expect(verdict(t, sample(4, 8))).toBe('term');
  });

  it('treats PSI as a trigger of its own', () => {
    const withPsi = { ...t, psi: { term: 20, kill: 40 } };
    expect(verdict(withPsi, sample(80, 80, 19.9))).toBe('none');
    expect(verdict(withPsi, sample(80, 80, 20))).toBe('term');
    expect(verdict(withPsi, sample(80, 80, 45))).toBe('kill');
    expect(verdict(t, sample(80, 80, 99))).toBe('none');
  });
});
