// [store] (where history goes: a SQLite file, or a PostgreSQL URL for fleets) and [retention]
// (how long each history tier, host events and alerts are kept). Not yet registered in schema.ts: the daemon does that.
import { z } from 'zod';
import { type ParseResult, fail, ok } from '../sys/result.ts';
import { parseDuration } from './duration.ts';

const DAY_MS = 86_400_000;

// Retention periods: the usual durations plus days ("7d"); a bare number is seconds.
export function parseRetention(text: string): ParseResult<number> {
  const days = /^(\d+(?:\.\d+)?)\s*d$/.exec(text.trim());
  if (days?.[1] !== undefined) return ok(Number(days[1]) * DAY_MS);
  const parsed = parseDuration(text);
  return parsed.ok ? parsed : fail(`'${text.slice(0, 40)}' is not a retention period such as "7d", "36h" or "90m"`);
}

function retentionSchema(description: string, defaultText: string) {
  return z
    .union([z.number(), z.string()])
    .transform((value, context) => {
      const result = typeof value === 'number' ? (value >= 0 && Number.isFinite(value) ? ok(value * 1000) : fail<number>(`${value} is not a non-negative number of seconds`)) : parseRetention(value);
      if (!result.ok) {
        context.addIssue({ code: 'custom', message: result.error });
        return z.NEVER;
      }
      if (result.value < 3_600_000 || result.value > 3650 * DAY_MS) {
        context.addIssue({ code: 'custom', message: `${typeof value === 'number' ? `${value} s` : value} is outside 1h to 3650d` });
        return z.NEVER;
      }
      return result.value;
    })
    .describe(description)
    .prefault(defaultText);
}

export const retentionSettingsSchema = z
  .strictObject({
    raw: retentionSchema('how long every snapshot is kept', '7d'),
    minute: retentionSchema('how long 1-minute rollups (avg, min, max per series) are kept', '30d'),
    hour: retentionSchema('how long 1-hour rollups and closed anomaly episodes are kept', '365d'),
    events: retentionSchema('how long host events (process exec and exit, OOM victims, guard actions, trace losses) are kept', '30d'),
    alerts: retentionSchema('how long alerts are kept (one still firing is kept however old)', '365d'),
  })
  .refine((r) => r.raw <= r.minute && r.minute <= r.hour, { message: 'each tier must be kept at least as long as the finer one: raw <= minute <= hour' })
  .transform((r) => ({ rawSeconds: r.raw / 1000, minuteSeconds: r.minute / 1000, hourSeconds: r.hour / 1000, eventSeconds: r.events / 1000, alertSeconds: r.alerts / 1000 }));

export const storeSchema = z.strictObject({
  path: z.string().min(1).default('./data/hostguard.db').describe('the SQLite file (its folder is created); ignored when url is set'),
  url: z
    .string()
    .refine((u) => /^postgres(ql)?:\/\//.test(u), { message: 'must be a postgres:// or postgresql:// URL' })
    .optional()
    .describe('a PostgreSQL database shared by several hosts, e.g. "postgres://hostguard@db.example/hostguard"'),
  host_id: z.string().min(1).max(200).optional().describe("this host's name in the history (default: the hostname)"),
  recent_window: z
    .union([z.number(), z.string()])
    .transform((value, context) => {
      const result = typeof value === 'number' ? ok(value * 1000) : parseDuration(value);
      if (!result.ok || result.value < 60_000 || result.value > 86_400_000) {
        context.addIssue({ code: 'custom', message: result.ok ? `${value} is outside 1m to 24h` : result.error });
        return z.NEVER;
      }
      return result.value;
    })
    .prefault('15m')
    .describe('how long whole snapshots are kept for "recent snapshots" (the rest keeps numbers only)'),
});

export type StoreConfig = z.output<typeof storeSchema>;
