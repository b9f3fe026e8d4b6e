// The SQLite schema as numbered migrations; PRAGMA user_version records the last one applied.
// Append new migrations, never edit an applied one. docs/store.md explains the layout.
import type { DatabaseSync } from 'node:sqlite';

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'raw snapshots as value blobs, recent full snapshots, minute and hour rollups, episodes, hosts',
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE host (
        host_id TEXT PRIMARY KEY, hostname TEXT NOT NULL,
        first_seen_ms INTEGER NOT NULL, last_seen_ms INTEGER NOT NULL
      ) WITHOUT ROWID;
      -- One row per metric and entity; scale turns stored integers back into values.
      CREATE TABLE series (
        id INTEGER PRIMARY KEY, metric TEXT NOT NULL, entity TEXT NOT NULL, scale REAL NOT NULL,
        UNIQUE (metric, entity)
      );
      -- The ordered series ids a raw row's values belong to ("3,4,9"); shared by every row with the same set.
      CREATE TABLE layout (id INTEGER PRIMARY KEY, series_ids TEXT NOT NULL UNIQUE);
      -- time_ms is the rowid: no separate index; vals holds zigzag varints (src/store/codec.ts).
      CREATE TABLE raw (time_ms INTEGER PRIMARY KEY, layout_id INTEGER NOT NULL, vals BLOB NOT NULL);
      -- The whole snapshot (deflated JSON) for the recent window only.
      CREATE TABLE recent (time_ms INTEGER PRIMARY KEY, body BLOB NOT NULL);
      -- Rollups in the series' stored integers: total / n is the average, exact across tiers.
      CREATE TABLE rollup_minute (
        series_id INTEGER NOT NULL, time_ms INTEGER NOT NULL,
        n INTEGER NOT NULL, total INTEGER NOT NULL, lo INTEGER NOT NULL, hi INTEGER NOT NULL,
        PRIMARY KEY (series_id, time_ms)
      ) WITHOUT ROWID;
      CREATE TABLE rollup_hour (
        series_id INTEGER NOT NULL, time_ms INTEGER NOT NULL,
        n INTEGER NOT NULL, total INTEGER NOT NULL, lo INTEGER NOT NULL, hi INTEGER NOT NULL,
        PRIMARY KEY (series_id, time_ms)
      ) WITHOUT ROWID;
      CREATE TABLE episode (
        id TEXT PRIMARY KEY, host_id TEXT NOT NULL, start_ms INTEGER NOT NULL, end_ms INTEGER,
        severity TEXT NOT NULL, category TEXT NOT NULL, metric TEXT NOT NULL, body TEXT NOT NULL
      );
      CREATE INDEX episode_start ON episode (start_ms);
      CREATE INDEX episode_severity ON episode (severity, start_ms);
      CREATE INDEX episode_category ON episode (category, start_ms);
      CREATE INDEX episode_end ON episode (end_ms);
    `,
  },
  {
    version: 2,
    description: 'alerts (upserted by id, with their deliveries) and host events (unique per host and id)',
    sql: `
      -- body: the whole alert as JSON; deliveries: every delivery outcome so far, as a JSON array.
      CREATE TABLE alert (
        id TEXT PRIMARY KEY, host_id TEXT NOT NULL, time_ms INTEGER NOT NULL, severity TEXT NOT NULL,
        type TEXT NOT NULL, state TEXT NOT NULL, dedup_key TEXT NOT NULL, resolved_ms INTEGER,
        body TEXT NOT NULL, deliveries TEXT NOT NULL
      );
      CREATE INDEX alert_time ON alert (time_ms);
      CREATE INDEX alert_severity ON alert (severity, time_ms);
      CREATE INDEX alert_type ON alert (type, time_ms);
      CREATE INDEX alert_state ON alert (state, time_ms);
      -- A rowid table: the secondary indexes carry the small rowid rather than (host_id, id), and
      -- the rowid orders events of the same millisecond by when they were stored. The pair is
      -- unique with id first: an index led by host_id (the same in every row of a one-host file)
      -- would tempt the planner into reading every event and sorting instead of a time index.
      -- body: source, message and data as JSON (src/store/eventRecords.ts).
      CREATE TABLE event (
        host_id TEXT NOT NULL, id TEXT NOT NULL, time_ms INTEGER NOT NULL, type TEXT NOT NULL,
        pid INTEGER, comm TEXT, body TEXT NOT NULL,
        UNIQUE (id, host_id)
      );
      CREATE INDEX event_time ON event (time_ms);
      CREATE INDEX event_type ON event (type, time_ms);
      CREATE INDEX event_pid ON event (pid, time_ms);
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.reduce((max, migration) => Math.max(max, migration.version), 0);

export class SchemaTooNewError extends Error {}

function userVersion(db: DatabaseSync): number {
  const row = db.prepare('PRAGMA user_version').get() as { user_version: number } | undefined;
  return row?.user_version ?? 0;
}

// Applies every migration newer than the file's version, each in its own transaction.
export function migrate(db: DatabaseSync, path: string, migrations: readonly Migration[] = MIGRATIONS): number {
  const known = migrations.reduce((max, migration) => Math.max(max, migration.version), 0);
  const current = userVersion(db);
  if (current > known) {
    throw new SchemaTooNewError(`${path}: the database has schema version ${current}, newer than the ${known} this hostguard knows; run a newer hostguard, or point the store at another file`);
  }
  for (const migration of migrations.filter((m) => m.version > current).sort((a, b) => a.version - b.version)) {
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(migration.sql);
      db.exec(`PRAGMA user_version = ${migration.version}`);
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw new Error(`${path}: migration ${migration.version} (${migration.description}) failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
  return userVersion(db);
}
