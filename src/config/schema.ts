// The configuration file's sections, one schema each; the daemon adds its own here.
import { z } from 'zod';
import { alertsSchema } from './alerts.ts';
import { anomalySchema } from './anomaly.ts';
import { apiSchema } from './api.ts';
import { collectorsSchema } from './collectors.ts';
import { logSchema } from './log.ts';
import { samplerSchema } from './sampler.ts';
import { retentionSettingsSchema, storeSchema } from './store.ts';

export const configSections = {
  collectors: collectorsSchema,
  sampler: samplerSchema,
  anomaly: anomalySchema,
  api: apiSchema,
  store: storeSchema,
  retention: retentionSettingsSchema,
  log: logSchema,
  alerts: alertsSchema,
} as const;

export const configSchema = z.strictObject({
  collectors: collectorsSchema.prefault({}),
  sampler: samplerSchema.prefault({}),
  anomaly: anomalySchema.prefault({}),
  api: apiSchema.prefault({}),
  store: storeSchema.prefault({}),
  retention: retentionSettingsSchema.prefault({}),
  log: logSchema.prefault({}),
  alerts: alertsSchema.prefault({}),
});

export type Config = z.output<typeof configSchema>;
