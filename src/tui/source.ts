// Where the UI's data comes from: a daemon over REST + WebSocket, or the collectors in this process.
import type { MetricsSnapshot } from '../collect/types.ts';
import type { DataStore } from './model.ts';

export interface DataSource {
  readonly store: DataStore;
  start(): void;
  stop(): void;
  // undefined when the processes of this snapshot run here and may be signalled; else why not
  signalRefusal(snapshot: MetricsSnapshot | undefined): string | undefined;
}
