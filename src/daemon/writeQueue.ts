// Store writes in order, one at a time, off the sampling path: a slow or failing store is counted
// and reported, never waited for by the sampler. A store that falls far behind loses the oldest
// queued snapshots rather than the daemon's memory.
export interface WriteQueueStatus {
  writesPending: number;
  writeErrorsTotal: number;
  lastError?: string;
}

export class WriteQueue {
  private readonly status: WriteQueueStatus;
  private readonly maxPending: number;
  private readonly log: (line: string) => void;
  private readonly pending: Array<() => Promise<void>> = [];
  private running: Promise<void> | undefined;

  constructor(status: WriteQueueStatus, options: { maxPending: number; log: (line: string) => void }) {
    this.status = status;
    this.maxPending = options.maxPending;
    this.log = options.log;
  }

  push(write: () => Promise<void>): void {
    if (this.pending.length >= this.maxPending) {
      this.pending.shift();
      this.fail(`the store is ${this.maxPending} writes behind; the oldest queued write was dropped`);
    }
    this.pending.push(write);
    this.status.writesPending = this.pending.length;
    this.running ??= this.drain();
  }

  // Resolves when everything queued so far is written, or after timeoutMs (then false).
  async flush(timeoutMs: number): Promise<boolean> {
    if (!this.running) return true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const done = this.running.then(() => true as const);
    const result = await Promise.race([done, timedOut]);
    clearTimeout(timer);
    return result;
  }

  private async drain(): Promise<void> {
    for (let write = this.pending.shift(); write; write = this.pending.shift()) {
      this.status.writesPending = this.pending.length + 1;
      try {
        await write();
      } catch (error) {
        this.fail(error instanceof Error ? error.message : String(error));
      }
    }
    this.status.writesPending = 0;
    this.running = undefined;
  }

  private fail(message: string): void {
    this.status.writeErrorsTotal += 1;
    // One line per distinct problem, not one per snapshot.
    if (this.status.lastError !== message) this.log(`store: ${message}`);
    this.status.lastError = message;
  }
}
