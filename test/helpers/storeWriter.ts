// A child process for the crash test: writes simulated snapshots into a SQLite store as fast as
// it can and prints "committed TIME" after each insert returns, until it is killed.
// Usage: node test/helpers/storeWriter.ts DB_PATH FIRST_INDEX
import { writeSync } from 'node:fs';
import { SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import { SnapshotSimulator } from './simulatedSnapshots.ts';

const [path, first] = process.argv.slice(2);
if (path === undefined) throw new Error('usage: storeWriter.ts DB_PATH FIRST_INDEX');
const simulator = new SnapshotSimulator({ startMs: Date.UTC(2026, 0, 5), intervalMs: 2000, seed: Number(first) });
const store = new SqliteStore({ path, hostId: 'crash-test' });
writeSync(1, 'ready\n');
for (let index = Number(first ?? 0); ; index++) {
  const snapshot = simulator.snapshot(index);
  await store.insertSnapshot(snapshot);
  writeSync(1, `committed ${snapshot.timestampMs}\n`);
}
