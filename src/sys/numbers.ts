// Lenient numeric field parsing for kernel counters, which may exceed 2^53 (64-bit) and lose precision harmlessly.

// A run of decimal digits as a Number; undefined for anything else. Large values round, which is
// fine for counters that only feed rates.
export function parseCounter(text: string): number | undefined {
  if (text.length === 0 || text.length > 20) return undefined;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return undefined;
  }
  return Number(text);
}

// A finite decimal number such as "0.58" or "-3"; undefined for anything else.
export function parseDecimal(text: string): number | undefined {
  if (!/^-?\d+(?:\.\d+)?$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}
