// A child process for the crash test: writes batches of host events into a SQLite store as fast
// as it can, starting at batch FIRST_BATCH (a restart replays the last batch it was told was
// committed, as a producer that cannot know whether its last batch landed would). It prints
// "begin N" before each batch and "committed N" after it returns, until it is killed. Batches are
// large (about 0.1 s each here) so that a kill soon after "begin" lands inside the transaction.
// Usage: node test/helpers/eventWriter.ts DB_PATH FIRST_BATCH
import { writeSync } from 'node:fs';
import { SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import { simulatedEvents } from './simulatedEvents.ts';

export const BATCH_EVENTS = 20_000;
export const batchStream = (batch: number) => ({ startMs: Date.UTC(2026, 0, 5) + batch * 60_000, host: 'crash-test', prefix: `b${batch}` });

if (import.meta.main) {
  const [path, first] = process.argv.slice(2);
  if (path === undefined || first === undefined) throw new Error('usage: eventWriter.ts DB_PATH FIRST_BATCH');
  const store = new SqliteStore({ path, hostId: 'crash-test' });
  writeSync(1, 'ready\n');
  for (let batch = Number(first); ; batch++) {
    const events = simulatedEvents(0, BATCH_EVENTS, batchStream(batch));
    writeSync(1, `begin ${batch}\n`);
    await store.saveEvents(events);
    writeSync(1, `committed ${batch}\n`);
  }
}
