// The typed result every parser returns: a value, or an error that says what was wrong.
export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

export function ok<T>(value: T): ParseResult<T> {
  return { ok: true, value };
}

export function fail<T>(error: string): ParseResult<T> {
  return { ok: false, error };
}

// Parses a non-negative or signed decimal integer that must be the whole string.
export function parseInteger(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^-?\d+$/.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isSafeInteger(value) ? value : undefined;
}

// Splits "key value" or "key: value" lines into a map; lines without a key are skipped.
export function parseKeyValueLines(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([^\s:]+):?\s+(.*)$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) entries.set(match[1], match[2].trim());
  }
  return entries;
}
