// The PostgreSQL schema as numbered migrations, recorded in hostguard_schema. Every row carries
// its host id and every index starts with it: hosts share one database and never see each
// other's rows unless a query names another host. Append migrations, never edit an applied one.
import type pg from 'pg';

export interface PgMigration {
  version: number;
  description: string;
  sql: string;
}

const rollupTable = (name: string): string => `
  CREATE TABLE ${name} (
    host_id text NOT NULL, series_id integer NOT NULL, time_ms bigint NOT NULL,
    n integer NOT NULL, total bigint NOT NULL, lo bigint NOT NULL, hi bigint NOT NULL,
    PRIMARY KEY (host_id, series_id, time_ms)
  );
  CREATE INDEX ${name}_time ON ${name} (host_id, time_ms);`;

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    description: 'raw snapshots as value blobs, recent whole snapshots, minute and hour rollups, episodes, hosts',
    sql: `
      CREATE TABLE host (
        host_id text PRIMARY KEY, hostname text NOT NULL, first_seen_ms bigint NOT NULL, last_seen_ms bigint NOT NULL
      );
      CREATE TABLE series (
        id serial PRIMARY KEY, host_id text NOT NULL, metric text NOT NULL, entity text NOT NULL,
        scale double precision NOT NULL, UNIQUE (host_id, metric, entity)
      );
      CREATE TABLE layout (id serial PRIMARY KEY, host_id text NOT NULL, series_ids text NOT NULL, UNIQUE (host_id, series_ids));
      CREATE TABLE raw (
        host_id text NOT NULL, time_ms bigint NOT NULL, layout_id integer NOT NULL, vals bytea NOT NULL,
        PRIMARY KEY (host_id, time_ms)
      );
      CREATE TABLE recent (host_id text NOT NULL, time_ms bigint NOT NULL, body bytea NOT NULL, PRIMARY KEY (host_id, time_ms));
      ${rollupTable('rollup_minute')}
      ${rollupTable('rollup_hour')}
      CREATE TABLE rollup_state (host_id text PRIMARY KEY, minute_built_ms bigint, hour_built_ms bigint);
      CREATE TABLE episode (
        id text PRIMARY KEY, host_id text NOT NULL, start_ms bigint NOT NULL, end_ms bigint,
        severity text NOT NULL, category text NOT NULL, metric text NOT NULL, body jsonb NOT NULL
      );
      CREATE INDEX episode_start ON episode (host_id, start_ms);
      CREATE INDEX episode_severity ON episode (host_id, severity, start_ms);
      CREATE INDEX episode_category ON episode (host_id, category, start_ms);
      CREATE INDEX episode_end ON episode (host_id, end_ms);
    `,
  },
  {
    version: 2,
    description: 'alerts (upserted by host and id, with their deliveries) and host events (unique per host and id)',
    sql: `
      CREATE TABLE alert (
        host_id text NOT NULL, id text NOT NULL, time_ms bigint NOT NULL, severity text NOT NULL,
        type text NOT NULL, state text NOT NULL, dedup_key text NOT NULL, resolved_ms bigint,
        body jsonb NOT NULL, deliveries jsonb NOT NULL,
        PRIMARY KEY (host_id, id)
      );
      CREATE INDEX alert_time ON alert (host_id, time_ms);
      CREATE INDEX alert_severity ON alert (host_id, severity, time_ms);
      CREATE INDEX alert_type ON alert (host_id, type, time_ms);
      CREATE INDEX alert_state ON alert (host_id, state, time_ms);
      -- seq orders events of the same millisecond by when they were stored (SQLite uses its rowid).
      CREATE TABLE event (
        host_id text NOT NULL, id text NOT NULL, time_ms bigint NOT NULL, seq bigint GENERATED ALWAYS AS IDENTITY,
        type text NOT NULL, pid integer, comm text, body jsonb NOT NULL,
        PRIMARY KEY (host_id, id)
      );
      CREATE INDEX event_time ON event (host_id, time_ms);
      CREATE INDEX event_type ON event (host_id, type, time_ms);
      CREATE INDEX event_pid ON event (host_id, pid, time_ms);
    `,
  },
];

export const PG_SCHEMA_VERSION = PG_MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

// Any number, the same in every hostguard: serialises hosts migrating the same database at once.
const MIGRATION_LOCK = 0x686f7374;

export async function migratePg(client: pg.ClientBase, where: string, migrations: readonly PgMigration[] = PG_MIGRATIONS): Promise<number> {
  const known = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS hostguard_schema (version integer NOT NULL)');
    const row = (await client.query<{ version: number }>('SELECT max(version) AS version FROM hostguard_schema')).rows[0];
    const current = row?.version ?? 0;
    if (current > known) {
      throw new Error(`${where}: the database has schema version ${current}, newer than the ${known} this hostguard knows; run a newer hostguard, or point --db at another database`);
    }
    for (const migration of migrations.filter((m) => m.version > current).sort((a, b) => a.version - b.version)) {
      await client.query(migration.sql);
      await client.query('INSERT INTO hostguard_schema (version) VALUES ($1)', [migration.version]);
    }
    await client.query('COMMIT');
    return Math.max(current, known);
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}
