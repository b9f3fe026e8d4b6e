// Small persistent settings of the store (how far rollups are built), cached; writes join the
// caller's transaction.
import type { DatabaseSync, StatementSync } from 'node:sqlite';

export type MetaKey = 'minute_built_ms' | 'hour_built_ms';

export class Meta {
  private readonly db: DatabaseSync;
  private readonly write: StatementSync;
  private values = new Map<string, string>();

  constructor(db: DatabaseSync) {
    this.db = db;
    this.write = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    this.reload();
  }

  reload(): void {
    const rows = this.db.prepare('SELECT key, value FROM meta').all() as unknown as Array<{ key: string; value: string }>;
    this.values = new Map(rows.map((row) => [row.key, row.value]));
  }

  number(key: MetaKey): number | undefined {
    const text = this.values.get(key);
    return text === undefined ? undefined : Number(text);
  }

  set(key: MetaKey, value: number): void {
    this.write.run(key, String(value));
    this.values.set(key, String(value));
  }
}
