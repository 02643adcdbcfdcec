/**
 * The shape every provider adapter has: schema, verify, normalize.
 *
 * Adding a provider means one file that exports a `ProviderAdapter<Schema, "<id>">`, its id in
 * `PROVIDERS` and its line in `./registry.ts` (the compiler refuses either one missing), plus a
 * fixture: docs/providers.md, "Adding a provider", lists the rest. Intake (`./intake.ts`) does
 * the work every provider shares: body cap, secret lookup, replay window, dedupe, durable
 * storage before the 2xx.
 */
import type { z } from "zod";
import type { NormalizedEvent, ProviderId } from "../events/model";

/** What the store configured for this provider (secrets decrypted only inside the Worker). */
export interface ProviderConfig {
  /** One or two live secrets: both are tried, so a store can rotate without dropping events. */
  secrets: string[];
  /** Signed-timestamp tolerance in seconds (default 300). */
  toleranceSeconds: number;
  /** Provider-specific options validated by the adapter's `optionsSchema`. */
  options: Record<string, unknown>;
}

export interface VerifyInput {
  /** The exact received bytes: never re-serialized before hashing. */
  rawBody: Uint8Array;
  headers: Headers;
  url: URL;
  config: ProviderConfig;
  /** Injected clock (epoch ms) so replay windows are testable. */
  now: number;
  /** Outbound fetch, injected so ShipEngine's JWKS fetch can be pointed at a local server in tests. */
  fetch: typeof fetch;
}

export type VerifyResult =
  | { ok: true; /** the signed timestamp, when the scheme has one */ signedAtMs?: number }
  | { ok: false; code: "bad_signature" | "stale"; message: string }
  /**
   * The delivery cannot be checked right now for a reason that is ours, not the sender's (the
   * key endpoint is down): answered 503 so the provider retries, never as a forged request.
   */
  | { ok: false; code: "verification_unavailable"; message: string; retryAfterSeconds: number };

/** Context available when normalizing a verified, schema-valid payload. */
export interface NormalizeInput<P> {
  storeId: string;
  payload: P;
  headers: Headers;
  rawBody: Uint8Array;
  config: ProviderConfig;
  /** When the provider gives no timestamp at all, the receive time is used and said so. */
  receivedAt: number;
}

export type NormalizeResult =
  /** One delivery can carry several changes (e.g. a status change and a new message). */
  | { type: "events"; events: NormalizedEvent[] }
  /** A well-formed event we do not use: answered 202 so the provider stops retrying. */
  | { type: "ignored"; reason: string; providerEventId?: string }
  /** A provider test ping or validation request, answered the way that provider expects. */
  | { type: "ping"; response: Response };

export interface ProviderAdapter<S extends z.ZodType = z.ZodType, Id extends ProviderId = ProviderId> {
  /** The `:provider` path segment; the literal type lets the registry check every id has its adapter. */
  id: Id;
  /** Human name for docs, setup output and error messages. */
  title: string;
  /** How reminders name where a case came from ("Zendesk ticket 5158"), when not `title`. */
  shortName?: string;
  kind: "helpdesk" | "commerce" | "carrier" | "custom";
  /**
   * True for providers that sign with a key we fetch ourselves (ShipEngine's JWKS): they are
   * configured without a shared secret. Every other provider needs one.
   */
  noSharedSecret?: boolean;
  /**
   * The status a stored, duplicate or ignored delivery is answered with. Default 202; 17TRACK
   * retries anything but exactly 200.
   */
  successStatus?: 200 | 202;
  /**
   * The header that names the event type when the body alone does not (Help Scout's
   * `X-HelpScout-Event`, Shopify's `X-Shopify-Topic`): part of the fallback dedupe key of an
   * ignored delivery that has no event id of its own.
   */
  eventHeader?: string;
  /**
   * Provider-specific options accepted in `PUT /providers/:provider` next to `secrets`. A strict
   * object: an unknown option is a 400 naming it, never a silently dropped setting.
   */
  optionsSchema: z.ZodObject;
  /** zod schema of the delivery body: the single source of validation for this provider. */
  schema: S;
  /**
   * Answer a request before verification (Front's `sync` challenge, for example). Most adapters
   * leave it out.
   */
  preVerify?(input: VerifyInput): Promise<Response | null> | Response | null;
  verify(input: VerifyInput): Promise<VerifyResult>;
  /**
   * A delivery that failed verification may still be the provider's own test ping, signed with a
   * public test secret (Zendesk's "Test webhook"): answered here instead of 401. Checked only
   * after a failure, so real deliveries never pay for it.
   */
  testPing?(input: VerifyInput): Promise<Response | null>;
  normalize(input: NormalizeInput<z.infer<S>>): Promise<NormalizeResult> | NormalizeResult;
  /** Setup instructions (where to paste the URL and secret; templates to paste). */
  setup(hookUrl: string): { steps: string[]; template?: unknown; headers?: Record<string, string> };
}
