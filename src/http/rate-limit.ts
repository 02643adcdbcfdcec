/**
 * Failed authentication, rate limited per client with Workers Rate Limiting bindings
 * (`[[ratelimits]]` in wrangler.toml):
 * - the operator token, per client: the operator chose it, so a short one could be guessed;
 * - a store's admin tokens, per store and client: each attempt with a well-formed token costs a
 *   call to the store's registry object;
 * - webhook deliveries refused as unsigned or for an unconfigured store/provider, per store and
 *   client: each costs the same registry call, on the store's busiest path.
 * Only failures are counted, so a client that authenticates never spends its budget. The failure
 * over the limit is answered 429 (with Retry-After) instead of 401/404, and from then on, until
 * the window has passed, this isolate answers that client's failures on that key 429 without
 * counting them. A request that proves itself (a valid admin token, a validly signed webhook) is
 * still let through (see `checkedDuringLockout`); operator-token attempts are refused before
 * anything is checked. A successful request makes no call to a binding or a Durable Object here.
 *
 * The client is CF-Connecting-IP, which Cloudflare sets at the edge (a client cannot choose it)
 * and `wrangler dev` sets locally; IPv6 counts per /64, which one host can rotate through.
 * A request without it comes from inside the runtime (a test calling the handler, a service
 * binding) and is not limited.
 */
import { STORE_ID_PATTERN } from "../stores/tokens";
import { ApiError } from "./errors";
import type { RouteAuth } from "./route";

type LimitedAuth = Exclude<RouteAuth, "none">;

interface FailureLimit {
  /** The Rate Limiting binding that counts these failures (wrangler.toml `[[ratelimits]]`). */
  binding: "OPERATOR_AUTH_LIMIT" | "ADMIN_AUTH_LIMIT" | "WEBHOOK_AUTH_LIMIT";
  /** Failures allowed per period; must equal the binding's `simple.limit` in wrangler.toml. */
  limit: number;
  /** Seconds, 10 or 60; must equal the binding's `simple.period`. */
  periodSeconds: 10 | 60;
  /** What the client failed at, for the 429 message. */
  what: string;
}

/** The binding cannot report its own settings, so they are stated here too (a test compares). */
export const FAILURE_LIMITS: Record<LimitedAuth, FailureLimit> = {
  operator: { binding: "OPERATOR_AUTH_LIMIT", limit: 10, periodSeconds: 60, what: "failed operator-token attempts" },
  store: { binding: "ADMIN_AUTH_LIMIT", limit: 20, periodSeconds: 60, what: "failed admin-token attempts on this store" },
  webhook: { binding: "WEBHOOK_AUTH_LIMIT", limit: 60, periodSeconds: 60, what: "refused webhook deliveries to this store" },
};

/**
 * Which failures count: authentication answers; on webhooks also "no such store or provider",
 * and a delivery refused because its signature keys could not be fetched (ShipEngine): an
 * unsigned request that names an unreachable key set costs us a fetch, so it is the caller's.
 */
export function isCountedFailure(auth: LimitedAuth, err: unknown): boolean {
  if (!(err instanceof ApiError)) return false;
  return err.status === 401 || (auth === "webhook" && (err.status === 404 || (err.status === 503 && err.code === "verification_unavailable")));
}

export interface AttemptKey {
  auth: LimitedAuth;
  key: string;
}

/** The client part of a key, or null for a request from inside the runtime. */
export function clientOf(request: Request): string | null {
  const ip = request.headers.get("cf-connecting-ip")?.trim().toLowerCase();
  if (!ip) return null;
  // IPv4, and IPv4-mapped IPv6 whose /64 would lump every IPv4 client together: the address.
  if (!/^[0-9a-f:]+$/.test(ip) || !ip.includes(":")) return ip.slice(0, 64);
  const [head = "", tail] = ip.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  return `${groups.slice(0, 4).map((g) => parseInt(g || "0", 16).toString(16)).join(":")}::/64`;
}

/**
 * The key failures of this request are counted under, or null when it is not limited. Store ids
 * that cannot exist share one key per client, so a made-up id answers like an unknown real one.
 */
export function attemptKey(auth: RouteAuth, request: Request, storeId: string | undefined): AttemptKey | null {
  if (auth === "none") return null;
  const client = clientOf(request);
  if (client === null) return null;
  if (auth === "operator") return { auth, key: client };
  const store = storeId !== undefined && STORE_ID_PATTERN.test(storeId) ? storeId : "invalid-store-id";
  return { auth, key: `${store} ${client}` };
}

/** Keys over their limit in this isolate, with the instant they may try again. */
const lockedUntil = new Map<string, number>();
const MAX_LOCKED = 10_000;

function tooMany(limit: FailureLimit, retryAfterSeconds: number): ApiError {
  return new ApiError(429, "rate_limited", `too many ${limit.what} from your address: try again in ${retryAfterSeconds} s`, undefined, {
    "retry-after": String(retryAfterSeconds),
  });
}

/** The 429 this key is under (it went over its limit in this isolate and the window has not passed), or null. */
export function lockoutOf(attempt: AttemptKey): ApiError | null {
  const slot = `${attempt.auth} ${attempt.key}`;
  const until = lockedUntil.get(slot);
  if (until === undefined) return null;
  const now = Date.now();
  if (until <= now) {
    lockedUntil.delete(slot);
    return null;
  }
  return tooMany(FAILURE_LIMITS[attempt.auth], Math.ceil((until - now) / 1000));
}

/** Throws the 429 when this key went over its limit in this isolate and the window has not passed. */
export function refuseIfLockedOut(attempt: AttemptKey): void {
  const lockout = lockoutOf(attempt);
  if (lockout) throw lockout;
}

/**
 * Whether a locked-out client's request is refused before anything is checked. Admin tokens and
 * webhook signatures cannot be guessed (256 random bits; an HMAC or RSA signature), so a request
 * that proves itself is let through even during a lockout: one misconfigured sender behind the
 * store's address must not block the store's good deliveries and its admins. The operator token
 * is chosen by the operator and may be short, so checking it during a lockout would let a guesser
 * go on at full speed: there, the lockout still refuses everything.
 */
export function checkedDuringLockout(auth: LimitedAuth): boolean {
  return auth !== "operator";
}

/** Counts one failure; returns the 429 that replaces it when the key is now over its limit. */
export async function countFailure(env: Env, attempt: AttemptKey): Promise<ApiError | null> {
  const limit = FAILURE_LIMITS[attempt.auth];
  const { success } = await env[limit.binding].limit({ key: attempt.key });
  if (success) return null;
  if (lockedUntil.size >= MAX_LOCKED) {
    const now = Date.now();
    for (const [slot, until] of lockedUntil) if (until <= now) lockedUntil.delete(slot);
    // Still full: forget the oldest lockout, which ends soonest.
    if (lockedUntil.size >= MAX_LOCKED) lockedUntil.delete(lockedUntil.keys().next().value as string);
  }
  lockedUntil.set(`${attempt.auth} ${attempt.key}`, Date.now() + limit.periodSeconds * 1000);
  return tooMany(limit, limit.periodSeconds);
}
