// Parser for earlyoom's "TERM[,KILL]" threshold tuples (-m, -s, -M, -S), with earlyoom's rules.
export interface TermKillTuple {
  term: number;
  kill: number;
  // Set when TERM was below KILL and was raised to it.
  warning?: string;
}

export type TupleResult = { ok: true; value: TermKillTuple } | { ok: false; error: string };

// Like strtod: a leading decimal number, then whatever is left is garbage.
const NUMBER_PREFIX = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;

function formatValue(value: number): string {
  return value.toFixed(6);
}

// One number in 0..upperLimit with strtod's leniency (empty is 0) and earlyoom's messages.
export function parseBoundedNumber(part: string, upperLimit: number): { value: number } | { error: string } {
  const match = NUMBER_PREFIX.exec(part);
  const consumed = match ? match[0].length : 0;
  // strtod of an empty string is 0 with nothing left over; earlyoom accepts "-m ,5" that way.
  const rest = part.slice(consumed);
  if (rest !== '') return { error: `trailing garbage '${rest}'` };
  const value = match ? Number(match[0]) : 0;
  if (!Number.isFinite(value)) return { error: `conversion error: '${part}' is out of range` };
  if (value > upperLimit) return { error: `value ${formatValue(value)} exceeds limit ${Math.floor(upperLimit)}` };
  if (value < 0) return { error: `value ${formatValue(value)} below zero` };
  return { value };
}

// upperLimit is 99 for -m, 100 for -s, and a KiB size for -M/-S.
export function parseTermKillTuple(text: string, upperLimit: number): TupleResult {
  if (text.length > 1000) return { ok: false, error: `argument too long (${text.length} bytes)` };
  const comma = text.indexOf(',');
  const termPart = comma < 0 ? text : text.slice(0, comma);
  const term = parseBoundedNumber(termPart, upperLimit);
  if ('error' in term) return { ok: false, error: term.error };
  let kill: number;
  if (comma < 0) {
    kill = term.value / 2;
  } else {
    const parsed = parseBoundedNumber(text.slice(comma + 1), upperLimit);
    if ('error' in parsed) return { ok: false, error: parsed.error };
    kill = parsed.value;
  }
  let termValue = term.value;
  let warning: string | undefined;
  if (termValue < kill) {
    warning = `warning: SIGTERM value ${termValue.toFixed(2)} is below SIGKILL value ${kill.toFixed(2)}, setting SIGTERM = SIGKILL = ${kill.toFixed(2)}`;
    termValue = kill;
  }
  if (termValue === 0 && kill === 0) return { ok: false, error: 'both SIGTERM and SIGKILL values are zero' };
  return { ok: true, value: warning ? { term: termValue, kill, warning } : { term: termValue, kill } };
}
