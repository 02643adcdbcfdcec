/**
 * The store row and its admin tokens, inside the store's registry object.
 * Plain functions over SqlStorage so the registry class stays a thin RPC surface.
 */
import { fromHex } from "../lib/crypto";
import type { Migration } from "../lib/sql-migrations";
import type { AdminTokenInfo, StoreView } from "./schema";

export const storeMigrations: Migration[] = [
  {
    id: 1,
    sql: `CREATE TABLE store (id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at INTEGER NOT NULL);
          CREATE TABLE admin_tokens (
            id TEXT PRIMARY KEY, hash TEXT NOT NULL, label TEXT, created_at INTEGER NOT NULL,
            created_by TEXT, revoked_at INTEGER);`,
  },
];

interface StoreRow {
  id: string;
  name: string;
  created_at: number;
  [key: string]: SqlStorageValue;
}
interface TokenRow {
  id: string;
  hash: string;
  label: string | null;
  created_at: number;
  created_by: string | null;
  revoked_at: number | null;
  [key: string]: SqlStorageValue;
}

export function readStore(sql: SqlStorage): StoreView | null {
  const row = sql.exec<StoreRow>(`SELECT id, name, created_at FROM store LIMIT 1`).toArray()[0];
  if (!row) return null;
  const tokens = sql
    .exec<TokenRow>(`SELECT id, hash, label, created_at, created_by, revoked_at FROM admin_tokens ORDER BY created_at, id`)
    .toArray()
    .map(tokenInfo);
  return { storeId: row.id, name: row.name, createdAt: new Date(row.created_at).toISOString(), adminTokens: tokens };
}

function tokenInfo(r: TokenRow): AdminTokenInfo {
  return {
    tokenId: r.id,
    label: r.label,
    createdAt: new Date(r.created_at).toISOString(),
    createdBy: r.created_by,
    revokedAt: r.revoked_at === null ? null : new Date(r.revoked_at).toISOString(),
  };
}

export function storeId(sql: SqlStorage): string | null {
  return sql.exec<{ id: string }>(`SELECT id FROM store LIMIT 1`).toArray()[0]?.id ?? null;
}

export function insertStore(sql: SqlStorage, id: string, name: string, now: number): boolean {
  if (storeId(sql) !== null) return false;
  sql.exec(`INSERT INTO store (id, name, created_at) VALUES (?, ?, ?)`, id, name, now);
  return true;
}

export function insertToken(sql: SqlStorage, t: { tokenId: string; tokenHash: string; label: string | null; createdBy: string | null }, now: number): void {
  sql.exec(
    `INSERT INTO admin_tokens (id, hash, label, created_at, created_by, revoked_at) VALUES (?, ?, ?, ?, ?, NULL)`,
    t.tokenId,
    t.tokenHash,
    t.label,
    now,
    t.createdBy,
  );
}

/**
 * True only for a live token of this store. The stored and presented hashes are compared with
 * timingSafeEqual (both are 32-byte SHA-256 digests, so no length leaks either).
 */
export function tokenIsLive(sql: SqlStorage, tokenId: string, presentedHash: string): boolean {
  const row = sql.exec<TokenRow>(`SELECT * FROM admin_tokens WHERE id = ? AND revoked_at IS NULL`, tokenId).toArray()[0];
  const stored = fromHex(row?.hash ?? "00".repeat(32))!;
  const presented = fromHex(presentedHash) ?? new Uint8Array(32);
  const equal = presented.length === 32 && crypto.subtle.timingSafeEqual(stored, presented);
  return row !== undefined && equal;
}

export type RevokeOutcome = "revoked" | "not_found" | "last_live_token";

/** Refuses to revoke the last live token: a store nobody can administer cannot be recovered. */
export function revokeToken(sql: SqlStorage, tokenId: string, now: number): RevokeOutcome {
  const row = sql.exec<TokenRow>(`SELECT * FROM admin_tokens WHERE id = ? AND revoked_at IS NULL`, tokenId).toArray()[0];
  if (!row) return "not_found";
  const live = sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM admin_tokens WHERE revoked_at IS NULL`).one().n;
  if (live <= 1) return "last_live_token";
  sql.exec(`UPDATE admin_tokens SET revoked_at = ? WHERE id = ?`, now, tokenId);
  return "revoked";
}
