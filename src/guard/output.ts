// Where the guard's events go: earlyoom-style text on stdout/stderr, or JSON lines on stdout.
import { writeSync } from 'node:fs';
import { type Emit, type GuardEvent, jsonOf, textOf } from './events.ts';

export interface OutputOptions {
  json: boolean;
  debug: boolean;
  nowMs: () => number;
  // A text sink other than the std streams (--syslog).
  textSink?: (line: string, warning: boolean) => void;
}

const STDOUT = 1;
const STDERR = 2;

// Plain write(2)s: no stream machinery on every report line, and a reader that went away (EPIPE)
// costs the line, never the guard.
function writeLine(fd: number, line: string): void {
  const bytes = Buffer.from(`${line}\n`);
  try {
    for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset);
  } catch {
    // dropped: the guard keeps guarding, unheard
  }
}

export function createOutput(options: OutputOptions): Emit {
  const writeText = options.textSink ?? ((line: string, warning: boolean) => writeLine(warning ? STDERR : STDOUT, line));
  return (event: GuardEvent) => {
    if (event.type === 'debug' && !options.debug) return;
    const text = textOf(event);
    if (options.json) {
      writeLine(STDOUT, jsonOf(event, options.nowMs()));
      // People watching stderr (or syslog) still see warnings in JSON mode.
      if (text?.warning) writeText(text.line, true);
      return;
    }
    if (text) writeText(text.line, text.warning);
  };
}
