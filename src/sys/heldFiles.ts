// Re-reads of files kept open: for /proc/PID/stat every tick, pread at offset 0 on a held
// descriptor makes the kernel regenerate the text and costs half of open+read+close.
import { closeSync, openSync, readSync } from 'node:fs';
import { readSmallFile } from './readFile.ts';

const SHRINK_STEP = 64;
// Half of the smallest page (4 KiB): see readToEnd below.
const SEQ_FILE_SURE_END_BYTES = 2048;

function isOutOfDescriptors(error: unknown): boolean {
  return error instanceof Error && 'code' in error && (error.code === 'EMFILE' || error.code === 'ENFILE');
}

export class HeldFileReader {
  private readonly fds = new Map<string, number>();
  private maxHeld: number;
  private readonly readToEnd: boolean;
  private buffer = Buffer.allocUnsafe(16 * 1024);
  // Whether the last read() came from a descriptor opened before it: for /proc/PID files that
  // proves the process is the same one (a held descriptor of an exited process fails with ESRCH).
  lastReadWasHeld = false;

  // Past maxHeld open descriptors, further files are read the ordinary way (open, read, close).
  // maxHeld 0 holds nothing: for files that are replaced or deleted, where a held descriptor would
  // keep reading the old file (a fixture tree, unlike /proc).
  // readToEnd reads until end of file: a seq_file with one record per line (mountinfo, diskstats,
  // net/dev) returns at most a page per read, so a short read is not always the end. It is when
  // fewer than SEQ_FILE_SURE_END_BYTES came back: the kernel fills its page-sized buffer with
  // records until the next one does not fit, and these records are far shorter than half a page.
  // That saves the read that returns 0, on nearly every kernel file. Without readToEnd one short
  // read ends the text, as for single-record files such as /proc/PID/stat.
  constructor(maxHeld = 4096, options: { readToEnd?: boolean } = {}) {
    this.maxHeld = maxHeld;
    this.readToEnd = options.readToEnd ?? false;
  }

  get heldCount(): number {
    return this.fds.size;
  }

  // The file's text, or undefined when it cannot be opened or read (a process that exited).
  read(path: string): string | undefined {
    const held = this.fds.get(path);
    if (held !== undefined) {
      const text = this.readAll(held);
      this.lastReadWasHeld = text !== undefined;
      if (text !== undefined) return text;
      // ESRCH: the process exited; its pid may already belong to a new one, so open afresh.
      this.release(path);
    }
    this.lastReadWasHeld = false;
    if (this.fds.size >= this.maxHeld) return readSmallFile(path);
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (error) {
      if (!isOutOfDescriptors(error)) return undefined;
      this.shrink();
      return readSmallFile(path);
    }
    const text = this.readAll(fd);
    if (text === undefined) closeSync(fd);
    else this.fds.set(path, fd);
    return text;
  }

  // Out of descriptors (RLIMIT_NOFILE): hold fewer from now on and free some for everyone else.
  private shrink(): void {
    this.maxHeld = Math.max(0, this.fds.size - SHRINK_STEP);
    for (const path of [...this.fds.keys()].slice(this.maxHeld)) this.release(path);
  }

  release(path: string): void {
    const fd = this.fds.get(path);
    if (fd === undefined) return;
    this.fds.delete(path);
    closeSync(fd);
  }

  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }

  private readAll(fd: number): string | undefined {
    let length = 0;
    try {
      for (;;) {
        if (length === this.buffer.length) {
          const bigger = Buffer.allocUnsafe(this.buffer.length * 2);
          this.buffer.copy(bigger);
          this.buffer = bigger;
        }
        const wanted = this.buffer.length - length;
        const read = readSync(fd, this.buffer, length, wanted, length);
        if (read === 0) break;
        length += read;
        if (read < wanted && (!this.readToEnd || read < SEQ_FILE_SURE_END_BYTES)) break;
      }
    } catch {
      return undefined;
    }
    return this.buffer.toString('utf8', 0, length);
  }
}
