// Opens the store the configuration names: a SQLite file (the store creates its folder) or PostgreSQL.
import type { StoreSettings } from '../config/store.ts';
import { openSqliteStore } from '../store/sqlite/sqliteStore.ts';
import type { Store } from '../store/store.ts';

export async function openStore(settings: StoreSettings): Promise<Store> {
  if (settings.kind === 'postgres') throw new Error('PostgreSQL is not available in this build yet; use a SQLite file for [store] db');
  return openSqliteStore({ path: settings.db, ...(settings.hostId === undefined ? {} : { hostId: settings.hostId }) });
}
