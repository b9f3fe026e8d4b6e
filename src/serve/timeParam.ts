// Time query parameters: an instant (ISO 8601, "now", or relative to now such as "-1h") and a span ("30s", "5m", or seconds).
import { type ParseResult, fail, ok } from '../sys/result.ts';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const SPAN = /^(\d{1,9}(?:\.\d{1,6})?)(ms|s|m|h|d|w)?$/;
// A date, or a date and time with a zone (a time without a zone would depend on the server's).
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i;

export const INSTANT_FORMS = 'ISO 8601 such as "2025-01-31T03:12:00Z" or "2025-01-31", "now", or relative to now such as "-1h", "-30m", "-7d"';
export const SPAN_FORMS = 'a duration such as "30s", "5m", "1h" or a number of seconds';

// Milliseconds from "30s", "5m", "1.5h", "2d", "1w", or a bare number of seconds.
export function parseSpan(text: string): ParseResult<number> {
  const match = SPAN.exec(text.trim());
  if (!match?.[1]) return fail(`'${text.slice(0, 40)}' is not ${SPAN_FORMS}`);
  return ok(Math.round(Number(match[1]) * (UNIT_MS[match[2] ?? 's'] ?? 1000)));
}

export function parseInstant(text: string, nowMs: number): ParseResult<number> {
  const trimmed = text.trim();
  if (trimmed === 'now') return ok(nowMs);
  if (trimmed.startsWith('-')) {
    const span = parseSpan(trimmed.slice(1));
    return span.ok && /[a-z]$/.test(trimmed) ? ok(nowMs - span.value) : fail(`'${text.slice(0, 40)}' is not ${INSTANT_FORMS}`);
  }
  const match = ISO.exec(trimmed);
  if (!match) return fail(`'${text.slice(0, 40)}' is not ${INSTANT_FORMS}`);
  // Date.parse rolls February 30 over into March; the calendar date must exist as written.
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  const ms = Date.parse(trimmed.length === 10 ? `${trimmed}T00:00:00Z` : trimmed);
  if (!Number.isFinite(ms) || calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) return fail(`'${text.slice(0, 40)}' is not a real date; expected ${INSTANT_FORMS}`);
  return ok(ms);
}
