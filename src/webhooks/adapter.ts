/**
 * The shape every provider adapter has: schema, verify, normalize.
 *
 * Adding a provider means adding one file that exports a `ProviderAdapter` and registering it in
 * `./registry.ts`, plus a fixture. Intake (`./intake.ts`) does the rest: body cap, secret
 * lookup, replay window, dedupe, durable storage before the 2xx.
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
  | { ok: false; code: "bad_signature" | "stale"; message: string };

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

export interface ProviderAdapter<S extends z.ZodType = z.ZodType> {
  id: ProviderId;
  /** Human name for docs and setup output. */
  title: string;
  kind: "helpdesk" | "commerce" | "carrier" | "custom";
  /**
   * True for providers that sign with a key we fetch ourselves (ShipEngine's JWKS): they are
   * configured without a shared secret. Every other provider needs one.
   */
  noSharedSecret?: boolean;
  /** Provider-specific options accepted in `PUT /providers/:provider` (beyond secrets). */
  optionsSchema: z.ZodType<Record<string, unknown>>;
  /** zod schema of the delivery body: the single source of validation for this provider. */
  schema: S;
  /**
   * Answer a request before verification (Front's `sync` challenge, for example). Most adapters
   * leave it out.
   */
  preVerify?(input: VerifyInput): Promise<Response | null> | Response | null;
  verify(input: VerifyInput): Promise<VerifyResult>;
  normalize(input: NormalizeInput<z.infer<S>>): Promise<NormalizeResult> | NormalizeResult;
  /** Setup instructions (where to paste the URL and secret; templates to paste). */
  setup(hookUrl: string): { steps: string[]; template?: unknown; headers?: Record<string, string> };
}
