// Opens the configured store: PostgreSQL when a postgres:// URL is given, else the SQLite file.
import type { Clock } from '../collect/clock.ts';
import { PostgresStore } from './postgres/pgStore.ts';
import { SqliteStore } from './sqlite/sqliteStore.ts';
import type { Store } from './store.ts';

export interface OpenStoreOptions {
  // the SQLite file (default ./data/hostguard.db)
  path?: string;
  // postgres://... : use PostgreSQL instead of the file
  url?: string;
  hostId?: string;
  recentWindowMs?: number;
  clock?: Pick<Clock, 'now'>;
}

export async function openStore(options: OpenStoreOptions): Promise<Store> {
  if (options.url !== undefined) return PostgresStore.open({ ...options, url: options.url });
  return new SqliteStore(options);
}
