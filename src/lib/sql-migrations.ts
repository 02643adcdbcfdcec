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

const MIGRATION_LOG = `CREATE TABLE IF NOT EXISTS _migrations (grp TEXT NOT NULL, id INTEGER NOT NULL, applied_at INTEGER NOT NULL, PRIMARY KEY (grp, id)) WITHOUT ROWID`;

/**
 * `fresh`: the schema every migration up to `fresh.id` leaves behind, written in one batch when
 * the group has none applied yet (a new object). Every statement of a schema is billed in rows
 * written, and most objects (one per case) are new: replaying history for them costs more than
 * the case's first event. Objects that already have some migrations go the numbered way.
 */
export function applyMigrations(storage: DurableObjectStorage, group: string, migrations: readonly Migration[], fresh?: Migration): void {
  const sql = storage.sql;
  let previous = 0;
  for (const m of migrations) {
    if (m.id <= previous) throw new Error(`migrations for ${group} must have increasing ids (${m.id} after ${previous})`);
    previous = m.id;
  }
  if (fresh && fresh.id !== previous) throw new Error(`the fresh schema for ${group} is at ${fresh.id}, the last migration is ${previous}`);
  const hasLog = sql.exec(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_migrations'`).toArray().length > 0;
  // Migrations are applied in id order, one transaction each, and only ever appended: every id at
  // or below the highest recorded one is applied (a fresh schema records only its own id).
  const upTo = hasLog ? (sql.exec<{ id: number | null }>(`SELECT MAX(id) AS id FROM _migrations WHERE grp = ?`, group).one().id ?? 0) : 0;
  if (fresh && upTo === 0) {
    storage.transactionSync(() => {
      sql.exec(`${hasLog ? "" : `${MIGRATION_LOG};`}${fresh.sql};INSERT INTO _migrations (grp, id, applied_at) VALUES ('${group.replaceAll("'", "''")}', ${fresh.id}, ${Date.now()})`);
    });
    return;
  }
  if (!hasLog) sql.exec(MIGRATION_LOG);
  for (const m of migrations) {
    if (m.id <= upTo) continue;
    storage.transactionSync(() => {
      sql.exec(m.sql);
      sql.exec(`INSERT INTO _migrations (grp, id, applied_at) VALUES (?, ?, ?)`, group, m.id, Date.now());
    });
  }
}
