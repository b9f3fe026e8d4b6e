// Durations in configuration: "500ms", "30s", "5m", "1h", or a number of seconds.
import { z } from 'zod';
import { type ParseResult, fail, ok } from '../sys/result.ts';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(text: string): ParseResult<number> {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/.exec(text.trim());
  const unit = match?.[2];
  if (!match?.[1] || unit === undefined) return fail(`'${text.slice(0, 40)}' is not a duration such as "500ms", "30s", "5m" or "1h"`);
  return ok(Number(match[1]) * (UNIT_MS[unit] ?? 1));
}

// Milliseconds from either form; maxMs bounds it (a typo like "5h" for an interval is caught).
export function durationSchema(description: string, maxMs = 86_400_000): z.ZodType<number, string | number> {
  return z
    .union([z.number(), z.string()])
    .transform((value, context) => {
      const result = typeof value === 'number' ? (value >= 0 && Number.isFinite(value) ? ok(value * 1000) : fail<number>(`${value} is not a non-negative number of seconds`)) : parseDuration(value);
      if (!result.ok) {
        context.addIssue({ code: 'custom', message: result.error });
        return z.NEVER;
      }
      if (result.value > maxMs) {
        context.addIssue({ code: 'custom', message: `${typeof value === 'number' ? `${value} s` : value} is longer than the ${maxMs / 1000} s allowed` });
        return z.NEVER;
      }
      return result.value;
    })
    .describe(description);
}

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
