// Small-file reads into one shared buffer: /proc files are read many times a second,
// and openSync/readSync into a reused buffer costs less than a third of readFileSync.
import { closeSync, openSync, readSync } from 'node:fs';

let shared = Buffer.allocUnsafe(64 * 1024);

// How a reader gets a file's text: readSmallFile, or a HeldFileReader's read for files re-read every tick.
export type ReadText = (path: string) => string | undefined;

// Returns the file's text, or undefined when it does not exist or vanished (a process that exited).
export function readSmallFile(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    let length = 0;
    for (;;) {
      if (length === shared.length) {
        const bigger = Buffer.allocUnsafe(shared.length * 2);
        shared.copy(bigger);
        shared = bigger;
      }
      const read = readSync(fd, shared, length, shared.length - length, null);
      if (read === 0) break;
      length += read;
    }
    return shared.toString('utf8', 0, length);
  } catch {
    // ESRCH/ENOENT while reading: the process exited between open and read.
    return undefined;
  } finally {
    closeSync(fd);
  }
}
