/**
 * Console sessions, inside the store's registry object: what a browser holds instead of the
 * admin token. Only the SHA-256 of the session secret is kept, with the admin token it was
 * opened with and its expiry. A session is live only while that token is: revoking the token
 * ends its sessions (they are deleted with it, and the lookup joins the token table as well, so
 * a revocation is never missed).
 */
import type { Migration } from "../lib/sql-migrations";

export const sessionMigrations: Migration[] = [
  {
    id: 1,
    sql: `CREATE TABLE sessions (
            hash TEXT PRIMARY KEY, token_id TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);
          CREATE INDEX sessions_token ON sessions (token_id);
          CREATE INDEX sessions_expiry ON sessions (expires_at);`,
  },
];

/** 12 hours: a working day, after which the lead signs in again. */
export const SESSION_TTL_MS = 12 * 3_600_000;

export interface SessionInfo {
  tokenId: string;
  createdAt: number;
  expiresAt: number;
}

/** Opens a session for a live token; expired rows are dropped on the way (sessions are few). */
export function insertSession(sql: SqlStorage, hash: string, tokenId: string, now: number): SessionInfo {
  sql.exec(`DELETE FROM sessions WHERE expires_at <= ?`, now);
  const expiresAt = now + SESSION_TTL_MS;
  sql.exec(`INSERT INTO sessions (hash, token_id, created_at, expires_at) VALUES (?, ?, ?, ?)`, hash, tokenId, now, expiresAt);
  return { tokenId, createdAt: now, expiresAt };
}

/**
 * The live session with this secret hash, or null. The hash is of 32 random bytes, so looking it
 * up by equality leaks nothing a guesser could use.
 */
export function findSession(sql: SqlStorage, hash: string, now: number): SessionInfo | null {
  const row = sql
    .exec<{ token_id: string; created_at: number; expires_at: number }>(
      `SELECT s.token_id, s.created_at, s.expires_at FROM sessions s JOIN admin_tokens t ON t.id = s.token_id
        WHERE s.hash = ? AND s.expires_at > ? AND t.revoked_at IS NULL`,
      hash,
      now,
    )
    .toArray()[0];
  return row ? { tokenId: row.token_id, createdAt: row.created_at, expiresAt: row.expires_at } : null;
}

export function deleteSession(sql: SqlStorage, hash: string): boolean {
  return sql.exec(`DELETE FROM sessions WHERE hash = ?`, hash).rowsWritten > 0;
}

export function deleteTokenSessions(sql: SqlStorage, tokenId: string): void {
  sql.exec(`DELETE FROM sessions WHERE token_id = ?`, tokenId);
}
