// Writes simulated history into a SQLite store through the store's own API, for the browser tests
// and bench/web.ts: count snapshots, intervalMs apart, from startMs; and optionally episodes.
import type { Episode } from '../../src/detect/rules.ts';
import { SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import { SnapshotSimulator } from '../helpers/simulatedSnapshots.ts';

export interface SeedOptions {
  path: string;
  hostId: string;
  startMs: number;
  intervalMs: number;
  count: number;
  episodes?: Episode[];
}

export async function seedStore(options: SeedOptions): Promise<void> {
  const simulator = new SnapshotSimulator({ startMs: options.startMs, intervalMs: options.intervalMs });
  const store = new SqliteStore({ path: options.path, hostId: options.hostId, clock: { now: () => options.startMs + options.count * options.intervalMs } });
  try {
    for (let index = 0; index < options.count; index += 1800) {
      await store.insertSnapshots(Array.from({ length: Math.min(1800, options.count - index) }, (_, i) => simulator.snapshot(index + i)));
    }
    for (const episode of options.episodes ?? []) await store.saveEpisode(episode);
  } finally {
    await store.close();
  }
}
