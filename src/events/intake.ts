// Where host events enter the daemon: each gets its id and host, is published live at once, and is
// written to the store in batches. A cap per minute bounds what a fork storm can cost the store;
// what the cap holds back is counted and recorded as one "events_dropped" event per minute.
import type { NewAlert } from '../alert/model.ts';
import type { HostEvent } from './model.ts';

export interface Outcome {
  event?: Omit<HostEvent, 'id' | 'host'>;
  raise?: NewAlert;
  resolveKey?: string;
}

export interface AlertSink {
  raise(alert: NewAlert): void;
  resolve(dedupKey: string): void;
}

export interface EventIntakeOptions {
  host: string;
  // events stored per minute at most; the rest are counted
  maxPerMinute: number;
  // a batch is written when it has this many events, or flushEveryMs after its first one
  batchSize: number;
  flushEveryMs: number;
  write: (events: HostEvent[]) => void;
  publish: (event: HostEvent) => void;
  alerts?: AlertSink;
  nowMs: () => number;
}

export interface IntakeCounts {
  received: number;
  stored: number;
  dropped: number;
  alertsRaised: number;
}

export class EventIntake {
  private readonly options: EventIntakeOptions;
  private readonly idPrefix: string;
  private sequence = 0;
  private batch: HostEvent[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private minute = -1;
  private inMinute = 0;
  private droppedInMinute = 0;
  readonly counts: IntakeCounts = { received: 0, stored: 0, dropped: 0, alertsRaised: 0 };

  constructor(options: EventIntakeOptions) {
    this.options = options;
    this.idPrefix = options.nowMs().toString(36);
  }

  // id: the source's own (a guard line's file position); else one is made. alertsFromMs: an
  // event older than this raises no alert (a replay of the guard's file after a restart).
  accept(outcome: Outcome, id?: string, alertsFromMs = Number.NEGATIVE_INFINITY): void {
    const { event } = outcome;
    const timeMs = event?.timeMs ?? this.options.nowMs();
    if (this.options.alerts && timeMs >= alertsFromMs) {
      if (outcome.raise) {
        this.options.alerts.raise(outcome.raise);
        this.counts.alertsRaised++;
      }
      if (outcome.resolveKey !== undefined) this.options.alerts.resolve(outcome.resolveKey);
    }
    if (!event) return;
    this.counts.received++;
    // sources keep sub-millisecond times; history keeps whole milliseconds
    const full: HostEvent = { ...event, timeMs: Math.round(timeMs), id: id ?? `${this.idPrefix}-${(this.sequence++).toString(36)}`, host: this.options.host };
    this.options.publish(full);
    if (!this.admit()) return;
    this.push(full);
  }

  // Writes what is batched now (shutdown, tests).
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.closeMinuteIfOver(Math.floor(this.options.nowMs() / 60_000), true);
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    this.counts.stored += batch.length;
    this.options.write(batch);
  }

  private admit(): boolean {
    const minute = Math.floor(this.options.nowMs() / 60_000);
    this.closeMinuteIfOver(minute, false);
    if (this.inMinute < this.options.maxPerMinute) {
      this.inMinute++;
      return true;
    }
    this.droppedInMinute++;
    this.counts.dropped++;
    return false;
  }

  private closeMinuteIfOver(minute: number, force: boolean): void {
    if (minute === this.minute && !force) return;
    if (this.droppedInMinute > 0) {
      const fromMs = this.minute * 60_000;
      const count = this.droppedInMinute;
      this.droppedInMinute = 0;
      this.push({
        id: `${this.idPrefix}-${(this.sequence++).toString(36)}`,
        host: this.options.host,
        timeMs: this.options.nowMs(),
        type: 'events_dropped',
        source: 'daemon',
        message: `${count} events not stored: more than ${this.options.maxPerMinute} in the minute from ${new Date(fromMs).toISOString()}`,
        data: { count, fromMs, maxPerMinute: this.options.maxPerMinute },
      });
    }
    if (minute !== this.minute) {
      this.minute = minute;
      this.inMinute = 0;
    }
  }

  private push(event: HostEvent): void {
    this.batch.push(event);
    if (this.batch.length >= this.options.batchSize) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.options.flushEveryMs);
      this.timer.unref();
    }
  }
}
