/**
 * Admin tokens: `prm.<tokenId>.<secret>`. The token id lets the registry find the one row to
 * compare; only the SHA-256 of the whole token is stored, and it is compared in constant time.
 * The plaintext is returned once, when the token is issued.
 */
import { randomToken, sha256Hex, toHex } from "../lib/crypto";

const TOKEN_PATTERN = /^prm\.([0-9a-f]{16})\.([A-Za-z0-9_-]{43})$/;

export interface IssuedToken {
  tokenId: string;
  token: string;
  tokenHash: string;
}

export async function issueToken(): Promise<IssuedToken> {
  const tokenId = toHex(crypto.getRandomValues(new Uint8Array(8)));
  const token = `prm.${tokenId}.${randomToken(32)}`;
  return { tokenId, token, tokenHash: await sha256Hex(token) };
}

export function parseToken(token: string): { tokenId: string } | null {
  const m = TOKEN_PATTERN.exec(token);
  return m ? { tokenId: m[1]! } : null;
}

export function newStoreId(): string {
  return `st_${toHex(crypto.getRandomValues(new Uint8Array(8)))}`;
}

export const STORE_ID_PATTERN = /^st_[0-9a-f]{16}$/;

/** Reads `Authorization: Bearer <token>`; null when the header is missing or not a bearer. */
export function bearerToken(request: Request): string | null {
  const h = request.headers.get("authorization");
  if (!h) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1]! : "";
}
