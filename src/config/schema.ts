// The configuration file's sections, one schema each; the daemon adds its own here.
import { z } from 'zod';
import { alertsSchema } from './alerts.ts';
import { anomalySchema } from './anomaly.ts';
import { collectorsSchema } from './collectors.ts';
import { samplerSchema } from './sampler.ts';

export const configSections = {
  collectors: collectorsSchema,
  sampler: samplerSchema,
  anomaly: anomalySchema,
  alerts: alertsSchema,
} as const;

export const configSchema = z.strictObject({
  collectors: collectorsSchema.prefault({}),
  sampler: samplerSchema.prefault({}),
  anomaly: anomalySchema.prefault({}),
  alerts: alertsSchema.prefault({}),
});

export type Config = z.output<typeof configSchema>;
