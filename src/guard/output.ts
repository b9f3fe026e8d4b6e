// Where the guard's events go: earlyoom-style text on stdout/stderr, or JSON lines on stdout.
import { type Emit, type GuardEvent, jsonOf, textOf } from './events.ts';

export interface OutputOptions {
  json: boolean;
  debug: boolean;
  nowMs: () => number;
  // A text sink other than the std streams (--syslog).
  textSink?: (line: string, warning: boolean) => void;
}

export function createOutput(options: OutputOptions): Emit {
  // A reader that went away (EPIPE) must not stop the guard: it keeps guarding, unheard.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  const writeText = options.textSink ?? ((line: string, warning: boolean) => (warning ? process.stderr : process.stdout).write(`${line}\n`));
  return (event: GuardEvent) => {
    if (event.type === 'debug' && !options.debug) return;
    if (options.json) {
      process.stdout.write(`${jsonOf(event, options.nowMs())}\n`);
      // People watching stderr still see warnings in JSON mode.
      const text = textOf(event);
      if (text?.warning && !options.textSink) process.stderr.write(`${text.line}\n`);
      else if (text?.warning) writeText(text.line, true);
      return;
    }
    const text = textOf(event);
    if (text) writeText(text.line, text.warning);
  };
}
