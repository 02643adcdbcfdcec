/**
 * Numbered schema migrations for SQLite-backed Durable Objects.
 *
 * SQLite in a Durable Object has no `PRAGMA user_version`, so applied migrations are recorded in
 * `_migrations`. Each concern (tokens, providers, rules, case index, deliveries) owns a named
 * migration list, so adding a table to one concern never renumbers another's. Never edit an
 * applied migration: append a new one. Run this inside `blockConcurrencyWhile` in the constructor.
 */
export interface Migration {
  id: number;
  /** One or more statements; only DDL, no user data, so no bindings are needed. */
  sql: string;
}

export function applyMigrations(storage: DurableObjectStorage, group: string, migrations: readonly Migration[]): void {
  const sql = storage.sql;
  sql.exec(`CREATE TABLE IF NOT EXISTS _migrations (grp TEXT NOT NULL, id INTEGER NOT NULL, applied_at INTEGER NOT NULL, PRIMARY KEY (grp, id))`);
  const applied = new Set(
    sql
      .exec<{ id: number }>(`SELECT id FROM _migrations WHERE grp = ?`, group)
      .toArray()
      .map((r) => r.id),
  );
  let previous = 0;
  for (const m of migrations) {
    if (m.id <= previous) throw new Error(`migrations for ${group} must have increasing ids (${m.id} after ${previous})`);
    previous = m.id;
    if (applied.has(m.id)) continue;
    storage.transactionSync(() => {
      sql.exec(m.sql);
      sql.exec(`INSERT INTO _migrations (grp, id, applied_at) VALUES (?, ?, ?)`, group, m.id, Date.now());
    });
  }
}
