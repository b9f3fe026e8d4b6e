// Puts records from several per-CPU streams back in kernel time order. Each CPU's stream is in
// order, so once every CPU has been heard from past time T, nothing older than T can still come.
// An exit read from one CPU's buffer before its exec from another's is thus delivered after it.

interface Item<T> {
  nsecs: number;
  order: number;
  value: T;
}

export class ReorderBuffer<T> {
  private readonly heap: Item<T>[] = [];
  private readonly watermarks = new Map<number, number>();
  private order = 0;
  private newestNs = 0;
  private readonly cpuCount: number;
  private readonly maxLatenessNs: number;

  // cpuCount: the CPUs whose streams must be heard from; past maxLatenessNs behind the newest
  // record an item goes out anyway (a CPU that went offline must not hold everything back).
  constructor(cpuCount: number, maxLatenessNs = 2e9) {
    this.cpuCount = cpuCount;
    this.maxLatenessNs = maxLatenessNs;
  }

  get size(): number {
    return this.heap.length;
  }

  // How far a CPU's stream has got (every record of that CPU, kept or not, says so).
  heard(cpu: number, nsecs: number): void {
    if (nsecs > (this.watermarks.get(cpu) ?? 0)) this.watermarks.set(cpu, nsecs);
    if (nsecs > this.newestNs) this.newestNs = nsecs;
  }

  push(nsecs: number, value: T): void {
    this.heap.push({ nsecs, order: this.order++, value });
    this.up(this.heap.length - 1);
  }

  private threshold(): number {
    let lowest = Number.POSITIVE_INFINITY;
    if (this.watermarks.size < this.cpuCount) lowest = 0;
    for (const watermark of this.watermarks.values()) lowest = Math.min(lowest, watermark);
    return Math.max(lowest, this.newestNs - this.maxLatenessNs);
  }

  // The items no record still to come can precede, oldest first.
  release(): T[] {
    const threshold = this.threshold();
    const out: T[] = [];
    while (this.heap.length > 0 && (this.heap[0]?.nsecs ?? 0) <= threshold) out.push(this.pop());
    return out;
  }

  // Everything, oldest first (the stream ended); forgets the watermarks.
  drain(): T[] {
    const out: T[] = [];
    while (this.heap.length > 0) out.push(this.pop());
    this.watermarks.clear();
    this.newestNs = 0;
    return out;
  }

  private less(a: Item<T>, b: Item<T>): boolean {
    return a.nsecs < b.nsecs || (a.nsecs === b.nsecs && a.order < b.order);
  }

  private pop(): T {
    const top = this.heap[0] as Item<T>;
    const last = this.heap.pop() as Item<T>;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.down(0);
    }
    return top.value;
  }

  private up(index: number): void {
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(this.heap[i] as Item<T>, this.heap[parent] as Item<T>)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(index: number): void {
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < this.heap.length && this.less(this.heap[left] as Item<T>, this.heap[smallest] as Item<T>)) smallest = left;
      if (right < this.heap.length && this.less(this.heap[right] as Item<T>, this.heap[smallest] as Item<T>)) smallest = right;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }

  private swap(a: number, b: number): void {
    const item = this.heap[a] as Item<T>;
    this.heap[a] = this.heap[b] as Item<T>;
    this.heap[b] = item;
  }
}
