// Counts lost bpftrace records exactly: each record carries its per-CPU, per-type sequence number,
// and each CPU's heartbeat carries what it sent. A CPU's perf buffer is read in order, so when its
// heartbeat arrives every earlier record of that CPU has arrived or is gone for good.
import { RECORD_TYPES, type RecordType } from './events.ts';

export interface Loss {
  record: RecordType;
  cpu: number;
  count: number;
  fromNs: number;
  toNs: number;
}

interface Stream {
  // the sequence number the next record should carry (numbers start at 1)
  next: number;
  // when the last record of this stream was seen (or tracing started)
  lastNs: number;
  received: number;
}

export interface RecordTotals {
  lost: Record<RecordType, number>;
  received: Record<RecordType, number>;
  sent: Record<RecordType, number>;
  repeated: number;
  cpusWithoutHeartbeat: number[];
}

// The heartbeat's counters, in this order (programs/base.bt).
export const HEARTBEAT_COUNTERS: RecordType[] = ['exec', 'argv', 'exit', 'oom', 'tick'];

export class LossTracker {
  private streams = new Map<string, Stream>();
  private startNs = 0;
  private readonly lostTotals = new Map<RecordType, number>();
  private readonly receivedTotals = new Map<RecordType, number>();
  // per CPU and type: the sent counter of the latest heartbeat of this bpftrace run
  private readonly sentByStream = new Map<string, number>();
  // what earlier runs sent
  private readonly sentBefore = new Map<RecordType, number>();
  // records whose number was not above the last one of their stream: never expected (bpftrace
  // counts per CPU with preemption off), so each one says the counters cannot be trusted
  private repeated = 0;
  // CPUs of this run heard from by heartbeat (with the time of the last one) / by any sequenced record
  private readonly heartbeatCpus = new Map<number, number>();
  private readonly recordCpus = new Set<number>();

  // A fresh bpftrace starts its counters at 0; totals survive restarts.
  reset(startNs: number): void {
    for (const record of RECORD_TYPES) this.sentBefore.set(record, this.sentInRun(record) + (this.sentBefore.get(record) ?? 0));
    this.streams.clear();
    this.sentByStream.clear();
    this.heartbeatCpus.clear();
    this.recordCpus.clear();
    this.startNs = startNs;
  }

  private sentInRun(record: RecordType): number {
    let total = 0;
    for (const [key, count] of this.sentByStream) if (key.endsWith(`:${record}`)) total += count;
    return total;
  }

  private stream(record: RecordType, cpu: number): Stream {
    const key = `${cpu}:${record}`;
    let stream = this.streams.get(key);
    if (!stream) {
      stream = { next: 1, lastNs: this.startNs, received: 0 };
      this.streams.set(key, stream);
    }
    return stream;
  }

  private lose(record: RecordType, cpu: number, count: number, stream: Stream, toNs: number): Loss {
    this.lostTotals.set(record, (this.lostTotals.get(record) ?? 0) + count);
    return { record, cpu, count, fromNs: stream.lastNs, toNs };
  }

  // A record with its sequence number: a jump means the records in between were lost.
  onRecord(record: RecordType, cpu: number, seq: number, nsecs: number): Loss | undefined {
    const stream = this.stream(record, cpu);
    this.receivedTotals.set(record, (this.receivedTotals.get(record) ?? 0) + 1);
    stream.received++;
    this.recordCpus.add(cpu);
    if (seq < stream.next) this.repeated++;
    const loss = seq > stream.next ? this.lose(record, cpu, seq - stream.next, stream, nsecs) : undefined;
    stream.next = Math.max(stream.next, seq + 1);
    stream.lastNs = nsecs;
    return loss;
  }

  // A heartbeat: sent[i] records of type HEARTBEAT_COUNTERS[i] were sent on this CPU so far.
  onHeartbeat(cpu: number, seq: number, nsecs: number, sent: number[]): Loss[] {
    const losses: Loss[] = [];
    const own = this.onRecord('hb', cpu, seq, nsecs);
    if (own) losses.push(own);
    this.heartbeatCpus.set(cpu, Math.max(nsecs, this.heartbeatCpus.get(cpu) ?? 0));
    this.sentByStream.set(`${cpu}:hb`, seq);
    HEARTBEAT_COUNTERS.forEach((record, i) => {
      const count = sent[i] ?? 0;
      this.sentByStream.set(`${cpu}:${record}`, count);
      const stream = this.stream(record, cpu);
      if (count >= stream.next) {
        losses.push(this.lose(record, cpu, count - stream.next + 1, stream, nsecs));
        stream.next = count + 1;
        stream.lastNs = nsecs;
      }
    });
    return losses;
  }

  // Until when every record sent is known to have arrived or been counted lost: the oldest of the
  // CPUs' last heartbeats (the start of the run before any). What bpftrace sent after it and never
  // delivered is unknown if bpftrace dies now.
  coveredUntilNs(): number {
    let oldest = Number.POSITIVE_INFINITY;
    for (const cpu of new Set([...this.heartbeatCpus.keys(), ...this.recordCpus])) oldest = Math.min(oldest, this.heartbeatCpus.get(cpu) ?? this.startNs);
    return Number.isFinite(oldest) ? oldest : this.startNs;
  }

  totals(): RecordTotals {
    const table = (get: (record: RecordType) => number): Record<RecordType, number> =>
      Object.fromEntries(RECORD_TYPES.map((record) => [record, get(record)])) as Record<RecordType, number>;
    return {
      lost: table((record) => this.lostTotals.get(record) ?? 0),
      received: table((record) => this.receivedTotals.get(record) ?? 0),
      // as of each CPU's latest heartbeat
      sent: table((record) => this.sentInRun(record) + (this.sentBefore.get(record) ?? 0)),
      repeated: this.repeated,
      // records from these CPUs are not covered by any heartbeat of this run: their losses after
      // the last record received cannot be known
      cpusWithoutHeartbeat: [...this.recordCpus].filter((cpu) => !this.heartbeatCpus.has(cpu)).sort((a, b) => a - b),
    };
  }
}
