// [store]: where history is kept (a SQLite file, or PostgreSQL for fleets) and for how long.
import { z } from 'zod';
import type { RetentionSettings } from '../store/store.ts';
import { durationSchema, formatDuration } from './duration.ts';

const YEARS_10_MS = 10 * 365 * 86_400_000;

const retentionSchema = z
  .strictObject({
    raw: durationSchema('how long every raw snapshot is kept', YEARS_10_MS).prefault('7d'),
    minute: durationSchema('how long the 1-minute rollups (avg/min/max) are kept', YEARS_10_MS).prefault('30d'),
    hour: durationSchema('how long the 1-hour rollups are kept', YEARS_10_MS).prefault('365d'),
    every: durationSchema('how often expired rows are deleted and due rollups built', 86_400_000).prefault('1m'),
    budget: durationSchema('each retention run stops after this long (it continues at the next run), so sampling never waits', 10_000).prefault('50ms'),
  })
  .superRefine((r, context) => {
    if (r.minute < r.raw) context.addIssue({ code: 'custom', path: ['minute'], message: `${formatDuration(r.minute)} is shorter than raw (${formatDuration(r.raw)}); rollups are kept at least as long as raw data` });
    if (r.hour < r.minute) context.addIssue({ code: 'custom', path: ['hour'], message: `${formatDuration(r.hour)} is shorter than minute (${formatDuration(r.minute)})` });
    for (const key of ['raw', 'every', 'budget'] as const) {
      if (r[key] <= 0) context.addIssue({ code: 'custom', path: [key], message: `${key} must be longer than 0` });
    }
  })
  .prefault({});

export interface StoreSettings {
  // a SQLite file path (relative to the working directory) or a postgres:// URL
  db: string;
  kind: 'sqlite' | 'postgres';
  // empty: the store uses the hostname
  hostId?: string;
  retention: RetentionSettings;
  retentionEveryMs: number;
  retentionBudgetMs: number;
}

export const storeSchema = z
  .strictObject({
    db: z.string().min(1, 'give a file path or a postgres:// URL').default('data/hostguard.db').describe('SQLite file (relative to the working directory), or postgres://user:password@host/database for a fleet'),
    host_id: z.string().regex(/^[A-Za-z0-9._-]{0,128}$/, 'use letters, digits, ".", "_" and "-" (at most 128)').default('').describe('this host in the store; empty = the hostname'),
    retention: retentionSchema,
  })
  .transform(
    (store): StoreSettings => ({
      db: store.db,
      kind: /^postgres(ql)?:\/\//.test(store.db) ? 'postgres' : 'sqlite',
      ...(store.host_id === '' ? {} : { hostId: store.host_id }),
      retention: { rawSeconds: store.retention.raw / 1000, minuteSeconds: store.retention.minute / 1000, hourSeconds: store.retention.hour / 1000 },
      retentionEveryMs: store.retention.every,
      retentionBudgetMs: store.retention.budget,
    }),
  );
