// [sampler]: the adaptive sampler's levels (interval, report throttling, step-down delay) and margins.
import { z } from 'zod';
import { DEFAULT_LEVELS, LEVELS, type LevelName, type LevelSettings } from '../collect/sampler.ts';
import { durationSchema, formatDuration } from './duration.ts';

function levelSchema(level: LevelName) {
  const defaults = DEFAULT_LEVELS[level];
  return z
    .strictObject({
      interval: durationSchema(`time between samples at ${level.toUpperCase()}`, 3_600_000).prefault(formatDuration(defaults.intervalMs)),
      report_every: durationSchema(`at most one report per this period at ${level.toUpperCase()}`).prefault(formatDuration(defaults.reportEveryMs)),
      lower_after: durationSchema(level === 'idle' ? 'unused: IDLE is the lowest level' : `how long the host must call for a lower level before ${level.toUpperCase()} steps down one level`).prefault(formatDuration(defaults.lowerAfterMs)),
    })
    .refine((l) => l.interval > 0, { message: 'interval must be longer than 0', path: ['interval'] })
    .transform((l): LevelSettings => ({ intervalMs: l.interval, reportEveryMs: l.report_every, lowerAfterMs: l.lower_after }))
    .prefault({});
}

export const samplerSchema = z
  .strictObject({
    initial_level: z.enum(LEVELS).default('normal').describe('the level sampling starts at'),
    intensive_margin: z.number().min(0).max(100).default(10).describe('a percentage or temperature within this of a warning or critical threshold raises sampling to INTENSIVE'),
    normal_margin: z.number().min(0).max(100).default(25).describe('... within this of a threshold keeps sampling at least NORMAL (else it may fall to IDLE)'),
    idle: levelSchema('idle'),
    normal: levelSchema('normal'),
    intensive: levelSchema('intensive'),
    critical: levelSchema('critical'),
  })
  .superRefine((s, context) => {
    // A higher level must not sample less often than a lower one.
    for (let i = 1; i < LEVELS.length; i++) {
      const lower = LEVELS[i - 1] as LevelName;
      const upper = LEVELS[i] as LevelName;
      if (s[upper].intervalMs > s[lower].intervalMs) {
        context.addIssue({ code: 'custom', path: [upper, 'interval'], message: `${formatDuration(s[upper].intervalMs)} is longer than the ${lower} interval (${formatDuration(s[lower].intervalMs)}); higher levels sample at least as often` });
      }
    }
  });

export type SamplerConfig = z.output<typeof samplerSchema>;
