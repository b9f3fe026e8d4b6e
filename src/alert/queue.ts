// A per-channel work queue: a bounded number of deliveries in flight and a bounded backlog, so an
// alert storm neither opens thousands of connections nor lets a dead channel grow without limit.
export interface QueueLimits {
  concurrency: number;
  maxQueued: number;
}

export const DEFAULT_QUEUE: QueueLimits = { concurrency: 4, maxQueued: 20_000 };

export class WorkQueue {
  private readonly limits: QueueLimits;
  // A FIFO as an array and a head index: shift() on a 20,000-entry backlog could copy it each time.
  private waiting: Array<() => void> = [];
  private head = 0;
  private running = 0;

  constructor(limits: QueueLimits = DEFAULT_QUEUE) {
    this.limits = limits;
  }

  get backlog(): number {
    return this.waiting.length - this.head;
  }

  // Runs work when a slot is free; resolves with `overflow()` at once when the backlog is full.
  run<T>(work: () => Promise<T>, overflow: () => T): Promise<T> {
    if (this.running >= this.limits.concurrency && this.backlog >= this.limits.maxQueued) return Promise.resolve(overflow());
    return new Promise<T>((resolve, reject) => {
      const start = (): void => {
        this.running++;
        work()
          .then(resolve, reject)
          .finally(() => {
            this.running--;
            this.next()?.();
          });
      };
      if (this.running < this.limits.concurrency) start();
      else this.waiting.push(start);
    });
  }

  private next(): (() => void) | undefined {
    if (this.head >= this.waiting.length) return undefined;
    const start = this.waiting[this.head++];
    // compact once the consumed part is most of the array
    if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.head);
      this.head = 0;
    }
    return start;
  }
}
