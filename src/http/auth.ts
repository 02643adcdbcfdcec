/**
 * Who may call what. Operator routes take the deployment's OPERATOR_TOKEN; store routes take a
 * live admin token of the store in the path. Every way a store token can fail (missing, malformed,
 * revoked, another store's, or a store that does not exist) gets the same 401 body, so nobody can
 * probe which stores exist.
 */
import { constantTimeEqual, sha256Hex } from "../lib/crypto";
import { bearerToken, parseToken, STORE_ID_PATTERN } from "../stores/tokens";
import { ApiError } from "./errors";
import type { StoreAuth } from "./route";
import { sessionAdmin } from "./session";

const CHALLENGE = { "www-authenticate": 'Bearer realm="promptly"' };

export async function requireOperator(request: Request, env: Env): Promise<void> {
  const presented = bearerToken(request);
  if (presented === null) throw new ApiError(401, "unauthorized", "missing Authorization: Bearer <operator token>", undefined, CHALLENGE);
  const expected = env.OPERATOR_TOKEN;
  // An unset operator token must never match an empty or guessed one.
  if (!expected || !(await constantTimeEqual(presented, expected))) {
    throw new ApiError(401, "unauthorized", "operator token is not valid", undefined, CHALLENGE);
  }
}

export function storeNotAuthorized(): ApiError {
  return new ApiError(401, "unauthorized", "admin token is not valid for this store", undefined, CHALLENGE);
}

export async function requireStoreAdmin(request: Request, env: Env, storeId: string): Promise<StoreAuth> {
  const presented = bearerToken(request);
  if (presented === null) {
    // The console signs in once and then sends its session cookie instead (src/http/session.ts).
    const viaSession = await sessionAdmin(request, env, storeId);
    if (viaSession) return viaSession;
    throw new ApiError(401, "unauthorized", "missing Authorization: Bearer <admin token>", undefined, CHALLENGE);
  }
  const parsed = parseToken(presented);
  if (!parsed) throw new ApiError(401, "unauthorized", "malformed admin token", undefined, CHALLENGE);
  if (!STORE_ID_PATTERN.test(storeId)) throw storeNotAuthorized();
  const live = await env.STORES.getByName(storeId).authenticate(parsed.tokenId, await sha256Hex(presented));
  if (!live) throw storeNotAuthorized();
  return { storeId, tokenId: parsed.tokenId };
}
