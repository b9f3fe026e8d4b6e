// Sparklines: the last values of a series as a row of eighth-block characters.

// U+2581 LOWER ONE EIGHTH BLOCK .. U+2588 FULL BLOCK; written as escapes, sources are ASCII.
const BARS = ['\u2581', '\u2582', '\u2583', '\u2584', '\u2585', '\u2586', '\u2587', '\u2588'];

// The newest values fill the right end; older slots with no value yet are blank. Values are
// clamped to [0, max], so a percentage series uses max 100 and its height means the same everywhere.
export function sparkline(values: readonly (number | undefined)[], width: number, max = 100): string {
  if (width <= 0) return '';
  const recent = values.slice(-width);
  const cells = recent.map((value) => {
    if (value === undefined || !Number.isFinite(value) || max <= 0) return ' ';
    const share = Math.min(1, Math.max(0, value / max));
    return BARS[Math.min(BARS.length - 1, Math.floor(share * BARS.length))] ?? ' ';
  });
  return ' '.repeat(width - cells.length) + cells.join('');
}
