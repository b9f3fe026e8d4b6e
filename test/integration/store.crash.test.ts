// SIGKILL a process in the middle of writing, reopen the file: SQLite's integrity check passes and
// everything the writer saw committed is there, three times over; for snapshots one by one, and
// for batches of host events, which are all or nothing.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import { BATCH_EVENTS } from '../helpers/eventWriter.ts';

const snapshotWriter = fileURLToPath(new URL('../helpers/storeWriter.ts', import.meta.url));
const eventWriter = fileURLToPath(new URL('../helpers/eventWriter.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'hostguard-crash-'));
const path = join(dir, 'crash.db');
const eventsPath = join(dir, 'events.db');
let child: ChildProcess | undefined;

afterAll(() => {
  if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

interface Lines {
  committed: number[];
  begun: number[];
}

// Starts a writer script, SIGKILLs it at a random moment (0 to 20 ms) after `killAfter` says so,
// and resolves with the numbers it printed as "committed N" and "begin N".
function writeThenKill(script: string, db: string, first: number, killAfter: (lines: Lines) => boolean): Promise<Lines> {
  return new Promise((resolve, reject) => {
    const lines: Lines = { committed: [], begun: [] };
    const take = (line: string): void => {
      if (line.startsWith('committed ')) lines.committed.push(Number(line.slice(10)));
      if (line.startsWith('begin ')) lines.begun.push(Number(line.slice(6)));
    };
    let buffered = '';
    let killed = false;
    child = spawn(process.execPath, [script, db, String(first)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (data: Buffer) => (stderr += data.toString()));
    child.stdout?.on('data', (data: Buffer) => {
      buffered += data.toString();
      const complete = buffered.split('\n');
      buffered = complete.pop() ?? '';
      complete.forEach(take);
      if (!killed && killAfter(lines)) {
        killed = true;
        setTimeout(() => child?.pid !== undefined && process.kill(child.pid, 'SIGKILL'), Math.random() * 20);
      }
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      // lines the child wrote before the kill are still in the pipe: take them
      buffered.split('\n').forEach(take);
      if (signal === 'SIGKILL') resolve(lines);
      else reject(new Error(`writer exited with code ${code}: ${stderr}`));
    });
  });
}

function integrity(db: DatabaseSync): unknown {
  return db.prepare('PRAGMA integrity_check').all();
}

describe('a writer killed with SIGKILL mid-write', () => {
  it('leaves a file that passes integrity_check with every reported snapshot in it', async () => {
    const reported: number[] = [];
    for (let round = 0; round < 3; round++) {
      reported.push(...(await writeThenKill(snapshotWriter, path, round * 100_000, (lines) => lines.committed.length >= 300)).committed);
      const db = new DatabaseSync(path);
      expect(integrity(db)).toEqual([{ integrity_check: 'ok' }]);
      const raw = new Set((db.prepare('SELECT time_ms FROM raw').all() as Array<{ time_ms: number }>).map((r) => r.time_ms));
      db.close();
      expect(reported.filter((t) => !raw.has(t))).toEqual([]);
    }
    expect(reported.length).toBeGreaterThanOrEqual(900);
    // and the store opens on it again and serves the last one whole
    const store = new SqliteStore({ path, hostId: 'crash-test' });
    try {
      const latest = await store.latestSnapshot();
      expect(latest?.timestampMs).toBeGreaterThanOrEqual(Math.max(...reported.slice(-300)));
    } finally {
      await store.close();
    }
  });

  it('keeps each batch of events whole or not at all, and a replayed batch once', { timeout: 120_000 }, async () => {
    let first = 0;
    let killedInsideABatch = 0;
    for (let round = 0; round < 3; round++) {
      // kill soon after the third batch of the round begins
      const lines = await writeThenKill(eventWriter, eventsPath, first, (l) => l.begun.length >= 3);
      const lastCommitted = Math.max(...lines.committed);
      const db = new DatabaseSync(eventsPath);
      expect(integrity(db)).toEqual([{ integrity_check: 'ok' }]);
      const batches = new Map((db.prepare("SELECT substr(id, 2, instr(id, '-') - 2) AS batch, count(*) AS n FROM event GROUP BY batch").all() as Array<{ batch: string; n: number }>).map((r) => [Number(r.batch), r.n]));
      db.close();
      // every batch present is whole (replays added nothing), and every reported one is present
      expect([...batches.values()].filter((n) => n !== BATCH_EVENTS)).toEqual([]);
      for (let batch = 0; batch <= lastCommitted; batch++) expect(batches.has(batch), `batch ${batch}`).toBe(true);
      const begun = Math.max(...lines.begun);
      if (begun > lastCommitted && !batches.has(begun)) killedInsideABatch++;
      // the producer restarts by replaying the last batch it knows committed
      first = lastCommitted;
    }
    // the kills came inside a transaction (the begun batch was rolled back), not only between batches
    expect(killedInsideABatch).toBeGreaterThanOrEqual(1);
  });
});
