// Re-reads of files kept open: for /proc/PID/stat every tick, pread at offset 0 on a held
// descriptor makes the kernel regenerate the text and costs half of open+read+close.
import { closeSync, openSync, readSync } from 'node:fs';
import { readSmallFile } from './readFile.ts';

export class HeldFileReader {
  private readonly fds = new Map<string, number>();
  private readonly maxHeld: number;
  private buffer = Buffer.allocUnsafe(16 * 1024);

  // Past maxHeld open descriptors, further files are read the ordinary way (open, read, close).
  constructor(maxHeld = 4096) {
    this.maxHeld = maxHeld;
  }

  get heldCount(): number {
    return this.fds.size;
  }

  // The file's text, or undefined when it cannot be opened or read (a process that exited).
  read(path: string): string | undefined {
    const held = this.fds.get(path);
    if (held !== undefined) {
      const text = this.readAll(held);
      if (text !== undefined) return text;
      // ESRCH: the process exited; its pid may already belong to a new one, so open afresh.
      this.release(path);
    }
    if (this.fds.size >= this.maxHeld) return readSmallFile(path);
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      return undefined;
    }
    const text = this.readAll(fd);
    if (text === undefined) closeSync(fd);
    else this.fds.set(path, fd);
    return text;
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
        const read = readSync(fd, this.buffer, length, this.buffer.length - length, length);
        length += read;
        if (read === 0 || length < this.buffer.length) break;
        const bigger = Buffer.allocUnsafe(this.buffer.length * 2);
        this.buffer.copy(bigger);
        this.buffer = bigger;
      }
    } catch {
      return undefined;
    }
    return this.buffer.toString('utf8', 0, length);
  }
}
