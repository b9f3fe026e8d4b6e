// [log]: how much the daemon logs (structured JSON lines on stderr) and in which form.
import { z } from 'zod';
import { LOG_FORMATS, LOG_LEVELS, type LogSettings } from '../log/logger.ts';

export const logSchema = z
  .strictObject({
    level: z.enum(LOG_LEVELS).default('info').describe('least severe level logged; each request is logged at debug; also --log-level, HOSTGUARD_LOG_LEVEL'),
    format: z.enum(LOG_FORMATS).default('json').describe('json: one JSON object per line (pino); pretty: time, level and message for a person at a terminal; also --log-format'),
  })
  .transform((log): LogSettings => ({ level: log.level, format: log.format }));
