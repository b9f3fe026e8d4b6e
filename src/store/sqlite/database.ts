// Opens the SQLite file with the settings the store relies on (WAL, synchronous=NORMAL) and
// brings its schema up to date; docs/store.md says why these settings are crash-safe.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { migrate } from './migrations.ts';

export const DEFAULT_SQLITE_PATH = './data/hostguard.db';

// The writer checkpoints on its own only past this many WAL pages (64 MiB); normally the query
// worker checkpoints every few seconds, so the sampling thread never waits for an fsync.
const WRITER_AUTOCHECKPOINT_PAGES = 16_384;

function withPath(path: string, error: unknown): Error {
  if (error instanceof Error && error.message.startsWith(path)) return error;
  return new Error(`${path}: cannot be opened as the hostguard database: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}

export function openWriter(path: string): DatabaseSync {
  let db: DatabaseSync;
  try {
    mkdirSync(dirname(path), { recursive: true });
    db = new DatabaseSync(path, { timeout: 5000 });
  } catch (error) {
    throw withPath(path, error);
  }
  try {
    // WAL: readers (the query worker) never block the writer and a commit is one append.
    const mode = db.prepare('PRAGMA journal_mode = WAL').get() as { journal_mode: string } | undefined;
    if (mode?.journal_mode !== 'wal') throw new Error(`${path}: cannot switch to WAL mode (journal_mode is ${mode?.journal_mode ?? 'unknown'})`);
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec(`PRAGMA wal_autocheckpoint = ${WRITER_AUTOCHECKPOINT_PAGES}`);
    db.exec('PRAGMA journal_size_limit = 67108864');
    migrate(db, path);
    return db;
  } catch (error) {
    db.close();
    throw withPath(path, error);
  }
}

// The query worker's connection: reads, and checkpoints the WAL (which needs write access).
export function openReader(path: string): DatabaseSync {
  const db = new DatabaseSync(path, { timeout: 5000 });
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec('PRAGMA wal_autocheckpoint = 0');
  db.exec('PRAGMA cache_size = -16384');
  return db;
}
