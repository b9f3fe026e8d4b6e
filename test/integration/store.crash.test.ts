// SIGKILL a process in the middle of writing snapshots, reopen the file: SQLite's integrity
// check passes and every snapshot the writer saw committed is there, three times over.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';

const writerScript = fileURLToPath(new URL('../helpers/storeWriter.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'hostguard-crash-'));
const path = join(dir, 'crash.db');
let child: ChildProcess | undefined;

afterAll(() => {
  if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

// Starts the writer, lets it commit at least `commits` snapshots, then SIGKILLs it at a random
// moment of its loop; resolves with the times it reported committed.
function writeThenKill(firstIndex: number, commits: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const committed: number[] = [];
    let buffered = '';
    let killed = false;
    child = spawn(process.execPath, [writerScript, path, String(firstIndex)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (data: Buffer) => (stderr += data.toString()));
    child.stdout?.on('data', (data: Buffer) => {
      buffered += data.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith('committed ')) committed.push(Number(line.slice(10)));
      if (!killed && committed.length >= commits) {
        killed = true;
        setTimeout(() => child?.pid !== undefined && process.kill(child.pid, 'SIGKILL'), Math.random() * 20);
      }
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      // lines the child wrote before the kill are still in the pipe: take them
      for (const line of buffered.split('\n')) if (line.startsWith('committed ')) committed.push(Number(line.slice(10)));
      if (signal === 'SIGKILL') resolve(committed);
      else reject(new Error(`writer exited with code ${code}: ${stderr}`));
    });
  });
}

describe('a writer killed with SIGKILL mid-write', () => {
  it('leaves a file that passes integrity_check with every reported commit in it', async () => {
    const reported: number[] = [];
    for (let round = 0; round < 3; round++) {
      reported.push(...(await writeThenKill(round * 100_000, 300)));
      const db = new DatabaseSync(path);
      expect(db.prepare('PRAGMA integrity_check').all()).toEqual([{ integrity_check: 'ok' }]);
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
});
