// Runs the store's retention every so often within a time budget, continuing soon after when a run
// could not finish; also refreshes the store's size and health for /metrics and the status.
import type { RetentionSettings, Store } from '../store/store.ts';
import type { DaemonStatus } from '../serve/status.ts';

const CONTINUE_AFTER_MS = 1000;
const REFRESH_EVERY_MS = 10_000;

export interface RetentionOptions {
  settings: RetentionSettings;
  everyMs: number;
  budgetMs: number;
  log: (line: string) => void;
}

export class RetentionLoop {
  private readonly store: Store;
  private readonly status: DaemonStatus['store'];
  private readonly options: RetentionOptions;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private refreshTimer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(store: Store, status: DaemonStatus['store'], options: RetentionOptions) {
    this.store = store;
    this.status = status;
    this.options = options;
  }

  start(): void {
    this.stopped = false;
    // The size is known from the start; the first retention run waits a full period.
    this.running = this.refresh();
    this.schedule(this.options.everyMs);
    this.refreshTimer = setInterval(() => void this.refresh(), REFRESH_EVERY_MS);
    this.refreshTimer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.refreshTimer);
  }

  // Resolves when no run is under way (shutdown waits for it before closing the store).
  async idle(): Promise<void> {
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.run();
    }, delayMs);
    this.timer.unref();
  }

  private async run(): Promise<void> {
    let complete = true;
    try {
      const report = await this.store.runRetention(this.options.settings, this.options.budgetMs);
      this.status.retentionRunsTotal += 1;
      this.status.retentionDeletedRowsTotal += report.deletedRows;
      complete = report.complete;
    } catch (error) {
      this.options.log(`store: retention failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    await this.refresh();
    this.schedule(complete ? this.options.everyMs : CONTINUE_AFTER_MS);
  }

  private async refresh(): Promise<void> {
    try {
      this.status.healthy = await this.store.healthy();
      this.status.sizeBytes = await this.store.sizeBytes();
    } catch {
      this.status.healthy = false;
    }
  }
}
