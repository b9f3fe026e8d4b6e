// The daemon's logger: pino, one JSON object per line on stderr (or a line for a person with
// format "pretty"), written synchronously so that nothing is lost when the process exits.
import { hostname } from 'node:os';
import pino, { type DestinationStream, type Logger } from 'pino';
import { prettyStream } from './pretty.ts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LogSettings {
  level: LogLevel;
  format: LogFormat;
}

export type { Logger };

// destination: where lines go (tests pass a stream); default stderr.
export function createLogger(settings: LogSettings, destination?: DestinationStream): Logger {
  const sink = destination ?? (settings.format === 'pretty' ? prettyStream(process.stderr) : pino.destination({ dest: 2, sync: true }));
  return pino(
    {
      level: settings.level,
      base: { pid: process.pid, hostname: hostname(), name: 'hostguard' },
      // "level":"info" rather than 30: readable with grep and by people
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    sink,
  );
}
