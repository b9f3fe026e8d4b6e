// --events-file: every event but debug lines and periodic reports, as one JSON line each, appended
// to a file the daemon follows (it stores them, serves them and raises alerts). The file is rotated
// to PATH.1 at a size cap, so it never grows without bound; a failed write is counted, never fatal.
import { closeSync, fstatSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { type GuardEvent, jsonOf } from './events.ts';

export const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

export interface EventsFile {
  write(event: GuardEvent, timeMs: number): void;
  close(): void;
  // lines that could not be written (disk full, file removed under us and not re-creatable, ...)
  readonly failed: number;
}

// Events the daemon has no use for: chatty and already visible on the guard's own output.
const SKIPPED: ReadonlySet<GuardEvent['type']> = new Set(['debug', 'report']);

function openAppend(path: string): { fd: number; sizeBytes: number } {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'a', 0o640);
  return { fd, sizeBytes: fstatSync(fd).size };
}

// Throws (with the path in the message) when the file cannot be opened at start: a bad flag.
export function openEventsFile(path: string, maxBytes = DEFAULT_MAX_BYTES): EventsFile {
  let file: { fd: number; sizeBytes: number } | undefined;
  try {
    file = openAppend(path);
  } catch (error) {
    throw new Error(`--events-file ${path}: cannot open for appending: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
  let failed = 0;
  const rotate = (): void => {
    if (file) closeSync(file.fd);
    file = undefined;
    renameSync(path, `${path}.1`);
    file = openAppend(path);
  };
  return {
    write(event, timeMs) {
      if (SKIPPED.has(event.type)) return;
      const line = Buffer.from(`${jsonOf(event, timeMs)}\n`);
      try {
        if (file && file.sizeBytes + line.length > maxBytes && file.sizeBytes > 0) rotate();
        file ??= openAppend(path);
        for (let offset = 0; offset < line.length; ) offset += writeSync(file.fd, line, offset);
        file.sizeBytes += line.length;
      } catch {
        failed++;
      }
    },
    close() {
      if (file) closeSync(file.fd);
      file = undefined;
    },
    get failed() {
      return failed;
    },
  };
}
