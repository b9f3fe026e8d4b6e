// A per-channel work queue: a bounded number of deliveries in flight and a bounded backlog, so an
// alert storm neither opens thousands of connections nor lets a dead channel grow without limit.
export interface QueueLimits {
  concurrency: number;
  maxQueued: number;
}

export const DEFAULT_QUEUE: QueueLimits = { concurrency: 4, maxQueued: 20_000 };

export class WorkQueue {
  private readonly limits: QueueLimits;
  private readonly waiting: Array<() => void> = [];
  private running = 0;

  constructor(limits: QueueLimits = DEFAULT_QUEUE) {
    this.limits = limits;
  }

  get backlog(): number {
    return this.waiting.length;
  }

  // Runs work when a slot is free; resolves with `overflow()` at once when the backlog is full.
  run<T>(work: () => Promise<T>, overflow: () => T): Promise<T> {
    if (this.running >= this.limits.concurrency && this.waiting.length >= this.limits.maxQueued) return Promise.resolve(overflow());
    return new Promise<T>((resolve, reject) => {
      const start = (): void => {
        this.running++;
        work()
          .then(resolve, reject)
          .finally(() => {
            this.running--;
            this.waiting.shift()?.();
          });
      };
      if (this.running < this.limits.concurrency) start();
      else this.waiting.push(start);
    });
  }
}
