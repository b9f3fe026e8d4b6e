// Where the guard's events go: earlyoom-style text on stdout/stderr, or JSON lines on stdout,
// through sinks that drop lines rather than block when a reader stalls.
import { type Emit, type GuardEvent, jsonOf, textOf } from './events.ts';
import type { EventsFile } from './eventsFile.ts';
import { openLineSink } from './lineSink.ts';

export interface OutputOptions {
  json: boolean;
  debug: boolean;
  nowMs: () => number;
  // A text sink other than the std streams (--syslog).
  textSink?: (line: string, warning: boolean) => void;
  // --events-file
  eventsFile?: EventsFile;
}

export function createOutput(options: OutputOptions): Emit {
  const stdout = openLineSink(1);
  const stderr = openLineSink(2);
  const writeText = options.textSink ?? ((line: string, warning: boolean) => (warning ? stderr : stdout).write(line));
  return (event: GuardEvent) => {
    options.eventsFile?.write(event, options.nowMs());
    if (event.type === 'debug' && !options.debug) return;
    const text = textOf(event);
    if (options.json) {
      stdout.write(jsonOf(event, options.nowMs()));
      // People watching stderr (or syslog) still see warnings in JSON mode.
      if (text?.warning) writeText(text.line, true);
      return;
    }
    if (text) writeText(text.line, text.warning);
  };
}
