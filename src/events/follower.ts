// Follows a file of lines another process appends to (the guard's --events-file), the way
// `tail -F` does: from its start, across rotation (a new inode at the path) and truncation, polling
// so that it needs no inotify and survives the file not existing yet. Each line gets an id from
// the file's inode and the line's byte offset, so reading the same line twice yields the same id.
import { type FileHandle, open, stat } from 'node:fs/promises';

export interface FollowedLine {
  id: string;
  text: string;
}

export interface FollowerOptions {
  path: string;
  pollMs: number;
  onLines: (lines: FollowedLine[]) => void;
  // a problem worth a log line (once per distinct message)
  onProblem: (message: string) => void;
}

// Read at most this much per poll, so a huge backlog is taken in slices, never in one block.
const MAX_READ_BYTES = 1024 * 1024;
// A "line" longer than this is not one of ours: it is skipped.
const MAX_LINE_BYTES = 256 * 1024;

interface Open {
  handle: FileHandle;
  ino: number;
  offset: number;
  // bytes of an unfinished last line, and the offset it started at
  partial: Buffer;
  partialOffset: number;
}

export class FileFollower {
  private readonly options: FollowerOptions;
  private current: Open | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private lastProblem: string | undefined;

  constructor(options: FollowerOptions) {
    this.options = options;
  }

  start(): void {
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await this.current?.handle.close();
    this.current = undefined;
  }

  // One poll now (tests, shutdown): reads whatever is there.
  async poll(): Promise<void> {
    await this.running;
    this.running = this.step();
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.step().finally(() => this.schedule(this.options.pollMs));
    }, ms);
    this.timer.unref();
  }

  private problem(message: string): void {
    if (message === this.lastProblem) return;
    this.lastProblem = message;
    this.options.onProblem(message);
  }

  private async step(): Promise<void> {
    try {
      const atPath = await stat(this.options.path).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') this.problem(`cannot read ${this.options.path}: ${error.code ?? error.message}`);
        return undefined;
      });
      if (this.current && (!atPath || atPath.ino !== this.current.ino)) {
        // rotated or removed: finish the old file, then move to the new one
        await this.readAvailable(this.current, Number.POSITIVE_INFINITY);
        await this.current.handle.close();
        this.current = undefined;
      }
      if (!atPath) return;
      this.current ??= { handle: await open(this.options.path, 'r'), ino: atPath.ino, offset: 0, partial: Buffer.alloc(0), partialOffset: 0 };
      if (atPath.size < this.current.offset) Object.assign(this.current, { offset: 0, partial: Buffer.alloc(0), partialOffset: 0 });
      await this.readAvailable(this.current, MAX_READ_BYTES);
      this.lastProblem = undefined;
    } catch (error) {
      this.problem(`cannot follow ${this.options.path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }

  private async readAvailable(file: Open, budgetBytes: number): Promise<void> {
    const chunk = Buffer.alloc(64 * 1024);
    let readBytes = 0;
    while (readBytes < budgetBytes) {
      const { bytesRead } = await file.handle.read(chunk, 0, chunk.length, file.offset);
      if (bytesRead === 0) return;
      readBytes += bytesRead;
      this.split(file, chunk.subarray(0, bytesRead));
      file.offset += bytesRead;
    }
  }

  private split(file: Open, bytes: Buffer): void {
    const lines: FollowedLine[] = [];
    let data = file.partial.length > 0 ? Buffer.concat([file.partial, bytes]) : bytes;
    let base = file.partial.length > 0 ? file.partialOffset : file.offset;
    for (let newline = data.indexOf(10); newline >= 0; newline = data.indexOf(10)) {
      const text = data.subarray(0, newline).toString('utf8').trim();
      if (text !== '') lines.push({ id: `${file.ino}:${base}`, text });
      base += newline + 1;
      data = data.subarray(newline + 1);
    }
    if (data.length > MAX_LINE_BYTES) {
      this.problem(`${this.options.path}: a line over ${MAX_LINE_BYTES} bytes at offset ${base} skipped`);
      base += data.length;
      data = Buffer.alloc(0);
    }
    file.partial = Buffer.from(data);
    file.partialOffset = base;
    if (lines.length > 0) this.options.onLines(lines);
  }
}
