// The configuration file's sections, one schema each; the daemon adds its own here.
import { z } from 'zod';
import { anomalySchema } from './anomaly.ts';
import { collectorsSchema } from './collectors.ts';
import { samplerSchema } from './sampler.ts';

export const configSections = {
  collectors: collectorsSchema,
  sampler: samplerSchema,
  anomaly: anomalySchema,
} as const;

export const configSchema = z.strictObject({
  collectors: collectorsSchema.prefault({}),
  sampler: samplerSchema.prefault({}),
  anomaly: anomalySchema.prefault({}),
});

export type Config = z.output<typeof configSchema>;
