/**
 * Console sessions: a browser trades a store id and admin token for an HttpOnly, SameSite=Strict
 * cookie `promptly_session=<storeId>.<secret>`, so the token never sits in page storage where a
 * script could read it. The store's registry keeps only the SHA-256 of the secret, tied to the
 * admin token's id: revoking the token ends its sessions.
 *
 * Store routes accept the cookie in place of the bearer token (`requireStoreAdmin`). Because a
 * browser sends cookies by itself, a state-changing request authenticated by cookie must also
 * carry an Origin equal to the API's own, or it is refused 403 `cross_origin`.
 */
import { z } from "zod";
import { randomToken, sha256Hex } from "../lib/crypto";
import { SESSION_TTL_MS } from "../stores/sessions";
import { parseToken, STORE_ID_PATTERN } from "../stores/tokens";
import { ApiError } from "./errors";
import { attemptKey, countFailure, lockoutOf } from "./rate-limit";
import { defineRoute, json, type StoreAuth } from "./route";
import { SessionBody, SessionView } from "./session-schema";

export { SessionBody, SessionView };

export const SESSION_COOKIE = "promptly_session";
const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** The cookie's parts, or null when there is none or it is not one of ours. */
export function sessionCookie(request: Request): { storeId: string; secret: string } | null {
  const header = request.headers.get("cookie");
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    const dot = value.indexOf(".");
    const storeId = value.slice(0, dot);
    const secret = value.slice(dot + 1);
    if (dot > 0 && STORE_ID_PATTERN.test(storeId) && SECRET_PATTERN.test(secret)) return { storeId, secret };
    return null;
  }
  return null;
}

/** `Secure` everywhere but plain-HTTP local development, where a browser would drop the cookie. */
function isLocal(url: URL): boolean {
  return url.hostname === "localhost" || url.hostname === "127.0.0.1" || url.hostname === "[::1]";
}

function cookieHeader(url: URL, value: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeSeconds}${isLocal(url) ? "" : "; Secure"}`;
}

function sessionNotValid(): ApiError {
  return new ApiError(401, "unauthorized", "no live console session for this store: sign in again");
}

/**
 * The same-origin check for cookie-authenticated writes. Browsers send Origin on every POST, PUT,
 * PATCH and DELETE, so a missing one is refused as well.
 */
export function requireSameOrigin(request: Request): void {
  if (!STATE_CHANGING.has(request.method.toUpperCase())) return;
  const origin = request.headers.get("origin");
  if (origin !== new URL(request.url).origin) {
    throw new ApiError(403, "cross_origin", `a change made with the console's session cookie must come from the console itself (Origin ${origin ?? "missing"})`);
  }
}

/**
 * Authenticates a store route by its session cookie, or returns null when the request carries
 * none (the caller then asks for a bearer token). A cookie for another store, an ended or
 * unknown session → the same 401 as a bad token.
 */
export async function sessionAdmin(request: Request, env: Env, storeId: string): Promise<StoreAuth | null> {
  const cookie = sessionCookie(request);
  if (!cookie) return null;
  if (cookie.storeId !== storeId) throw sessionNotValid();
  const session = await env.STORES.getByName(cookie.storeId).sessionByHash(await sha256Hex(cookie.secret));
  if (!session) throw sessionNotValid();
  requireSameOrigin(request);
  return { storeId, tokenId: session.tokenId };
}

async function currentSession(request: Request, env: Env): Promise<{ view: SessionView; secretHash: string }> {
  const cookie = sessionCookie(request);
  if (!cookie) throw new ApiError(401, "unauthorized", "not signed in");
  const registry = env.STORES.getByName(cookie.storeId);
  const secretHash = await sha256Hex(cookie.secret);
  const session = await registry.sessionByHash(secretHash);
  const store = session ? await registry.getStore() : null;
  if (!session || !store) throw sessionNotValid();
  return { secretHash, view: { storeId: cookie.storeId, storeName: store.name, tokenId: session.tokenId, expiresAt: new Date(session.expiresAt).toISOString() } };
}

export const sessionRoutes = [
  defineRoute({
    method: "post",
    path: "/v1/session",
    summary: "Sign in to the console",
    description:
      "Trades a store id and admin token for a session cookie (`promptly_session`, HttpOnly, SameSite=Strict, 12 hours; `Secure` except on localhost). Wrong credentials get the same 401 as a bad bearer token, and count toward the same limit.",
    tags: ["Console"],
    auth: "none",
    body: SessionBody,
    responses: { 200: { description: "Signed in; the cookie is set", schema: SessionView }, 401: { description: "Store id or admin token not valid" } },
    handler: async ({ request, env, url, body }) => {
      // Counted like a bad bearer token on a store route: same key, same limit.
      // During a lockout a wrong token is refused at once, but the right one still signs in, as on
      // the bearer routes (checkedDuringLockout: an admin token cannot be guessed).
      const attempt = attemptKey("store", request, body.storeId);
      const lockout = attempt ? lockoutOf(attempt) : null;
      const registry = env.STORES.getByName(body.storeId);
      const parsed = parseToken(body.token);
      const secret = randomToken(32);
      const secretHash = await sha256Hex(secret);
      const session = parsed ? await registry.openSession(parsed.tokenId, await sha256Hex(body.token), secretHash) : null;
      const store = session ? await registry.getStore() : null;
      if (!session || !store) {
        if (lockout) throw lockout;
        const over = attempt ? await countFailure(env, attempt) : null;
        throw over ?? new ApiError(401, "unauthorized", "admin token is not valid for this store", undefined, { "www-authenticate": 'Bearer realm="promptly"' });
      }
      const view: SessionView = { storeId: body.storeId, storeName: store.name, tokenId: session.tokenId, expiresAt: new Date(session.expiresAt).toISOString() };
      return json(view, 200, { "set-cookie": cookieHeader(url, `${body.storeId}.${secret}`, SESSION_TTL_MS / 1000), "cache-control": "no-store" });
    },
  }),
  defineRoute({
    method: "get",
    path: "/v1/session",
    summary: "Who is signed in",
    description: "The store and admin token behind the console's session cookie; 401 when there is no live session.",
    tags: ["Console"],
    auth: "none",
    responses: { 200: { description: "The session", schema: SessionView }, 401: { description: "Not signed in" } },
    handler: async ({ request, env }) => json((await currentSession(request, env)).view, 200, { "cache-control": "no-store" }),
  }),
  defineRoute({
    method: "delete",
    path: "/v1/session",
    summary: "Sign out",
    description: "Ends the session and clears the cookie. Must come from the console's own origin.",
    tags: ["Console"],
    auth: "none",
    responses: { 200: { description: "Signed out", schema: z.object({ signedOut: z.literal(true) }) }, 401: { description: "No session cookie" }, 403: { description: "Not from the console's own origin" } },
    handler: async ({ request, env, url }) => {
      requireSameOrigin(request);
      const cookie = sessionCookie(request);
      if (!cookie) throw new ApiError(401, "unauthorized", "not signed in");
      await env.STORES.getByName(cookie.storeId).closeSession(await sha256Hex(cookie.secret));
      return json({ signedOut: true }, 200, { "set-cookie": cookieHeader(url, "", 0) });
    },
  }),
];
