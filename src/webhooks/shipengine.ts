/**
 * ShipEngine / ShipStation API: tracking webhooks (`API_TRACK`, `TRACK_EVENT_V2`).
 *
 * No shared secret: ShipEngine signs `timestamp + "." + body` with RSA (PKCS#1 v1.5, SHA-256)
 * and publishes the public keys as a JWKS. Keys are cached per JWKS URL for an hour; an unknown
 * key id (ShipEngine rotated) is looked up afresh once per id per 30 s, so repeating a forged id
 * costs no fetch, and forged ids cannot use up the lookup a genuinely new key needs. A fetch that
 * failed is remembered for 30 s too (a negative cache): 80 unsigned requests naming an
 * unreachable key set once caused 80 outbound fetches; now they cause one.
 */
import { z } from "zod";
import { concatBytes, fromBase64, utf8 } from "../lib/crypto";
import type { ProviderAdapter } from "./adapter";
import { checkReplayWindow, derivedEventId, header, toIsoInstant } from "./common";
import { gatedEnvelope, joinLocation, latestBy, optionalText, shipengineKind, shipmentEvent } from "./shipment-status";

export const DEFAULT_SHIPENGINE_JWKS_URL = "https://api.shipengine.com/jwks";
const JWKS_TTL_MS = 60 * 60 * 1000;
/** An unknown key id is looked up afresh at most once per this window. */
const UNKNOWN_KID_WINDOW_MS = 30 * 1000;
/** How many recently looked-up unknown key ids are remembered per JWKS URL (the memory bound). */
const MAX_TRACKED_UNKNOWN_KIDS = 256;
/** How long a failed key-set fetch is remembered before the endpoint is tried again. */
const FAILED_FETCH_TTL_MS = 30 * 1000;
/** What a 503 asks ShipEngine to wait before retrying when its key endpoint is unreachable. */
const JWKS_RETRY_AFTER_SECONDS = 60;

const USED_RESOURCES = new Set(["API_TRACK", "TRACK_EVENT_V2"]);

const TrackData = z.looseObject({
  tracking_number: z.string().min(1),
  status_code: z.string().min(1),
  status_detail_code: optionalText,
  status_description: optionalText,
  carrier_code: optionalText,
  carrier_status_code: optionalText,
  carrier_status_description: optionalText,
  estimated_delivery_date: z.string().nullish(),
  actual_delivery_date: z.string().nullish(),
  exception_description: optionalText,
  events: z
    .array(
      z.looseObject({
        occurred_at: z.string().nullish(),
        event_date: z.string().nullish(),
        description: optionalText,
        city_locality: optionalText,
        state_province: optionalText,
        country_code: optionalText,
      }),
    )
    .nullish(),
});

export const ShipEnginePayload = gatedEnvelope(
  z.looseObject({ resource_url: optionalText, resource_type: z.string().min(1), data: z.unknown() }),
  "data",
  TrackData,
  (env) => USED_RESOURCES.has(env.resource_type),
);

export const ShipEngineOptions = z.strictObject({
  /** EU accounts use https://api.eu.shipengine.com/jwks, ShipStation API https://api.shipstation.com/jwks. */
  /** http is accepted by the schema only so a local key server can stand in; the route then requires https unless the destination is an allowed loopback one (src/notify/destinations.ts). */
  jwksUrl: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).default(DEFAULT_SHIPENGINE_JWKS_URL),
});

const Jwks = z.object({ keys: z.array(z.looseObject({ kid: z.string().min(1), kty: z.string() })) });

interface JwksEntry {
  keys: Map<string, JsonWebKey>;
  imported: Map<string, CryptoKey>;
  fetchedAt: number;
}

interface JwksState {
  entry?: JwksEntry;
  /** One fetch at a time per URL: concurrent lookups share it. */
  inFlight?: Promise<JwksEntry>;
  /**
   * Unknown key ids already looked up afresh, with when (oldest first). Per key id, not one
   * timer for the URL: forged requests with made-up ids then cannot use up the lookup that a
   * genuine rotated key needs. Bounded, so they cannot grow memory either; an evicted id at
   * worst costs one more fetch.
   */
  unknownKids: Map<string, number>;
  /** The last failed fetch, kept for FAILED_FETCH_TTL_MS so a burst of requests costs one fetch. */
  failed?: { at: number; message: string };
}

/** Per-isolate cache: worst case each isolate fetches the JWKS once an hour, plus once per new key id. */
const jwksCache = new Map<string, JwksState>();

class JwksUnavailable extends Error {}

async function fetchJwks(url: string, fetchFn: typeof fetch, now: number): Promise<JwksEntry> {
  let body: unknown;
  try {
    const res = await fetchFn(url, { headers: { accept: "application/json" } });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    body = await res.json();
  } catch (err) {
    throw new JwksUnavailable(`ShipEngine JWKS ${url} could not be fetched: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = Jwks.safeParse(body);
  if (!parsed.success) throw new JwksUnavailable(`ShipEngine JWKS ${url} is not a JWKS document`);
  return { keys: new Map(parsed.data.keys.map((k) => [k.kid, k as JsonWebKey])), imported: new Map(), fetchedAt: now };
}

/**
 * Fetches the JWKS, sharing a fetch already under way. A failed fetch keeps the keys we have:
 * an outage of ShipEngine's key endpoint is not a reason to refuse deliveries signed with a key
 * we already know.
 */
async function refresh(url: string, state: JwksState, fetchFn: typeof fetch, now: number): Promise<{ entry: JwksEntry | undefined; failed?: string }> {
  if (state.failed && now >= state.failed.at && now - state.failed.at < FAILED_FETCH_TTL_MS && !state.inFlight) {
    return { entry: state.entry, failed: `${state.failed.message} (not retried for ${FAILED_FETCH_TTL_MS / 1000} s)` };
  }
  state.inFlight ??= fetchJwks(url, fetchFn, now).finally(() => (state.inFlight = undefined));
  try {
    state.entry = await state.inFlight;
    state.failed = undefined;
    return { entry: state.entry };
  } catch (err) {
    if (!(err instanceof JwksUnavailable)) throw err;
    state.failed = { at: now, message: err.message };
    return { entry: state.entry, failed: err.message };
  }
}

/** True (and remembered) when `kid` may be looked up afresh now; false when it was within the window. */
function mayLookUpUnknownKid(state: JwksState, kid: string, now: number): boolean {
  for (const [seen, at] of state.unknownKids) {
    if (now - at < UNKNOWN_KID_WINDOW_MS) break;
    state.unknownKids.delete(seen);
  }
  if (state.unknownKids.has(kid)) return false;
  state.unknownKids.set(kid, now);
  while (state.unknownKids.size > MAX_TRACKED_UNKNOWN_KIDS) state.unknownKids.delete(state.unknownKids.keys().next().value!);
  return true;
}

type KeyLookup = { key: CryptoKey } | { key: null; unavailable?: string };

async function publicKeyFor(url: string, kid: string, fetchFn: typeof fetch, now: number): Promise<KeyLookup> {
  let state = jwksCache.get(url);
  if (!state) jwksCache.set(url, (state = { unknownKids: new Map() }));
  let entry = state.entry;
  let fetchedNow = false;
  if (!entry || now - entry.fetchedAt > JWKS_TTL_MS) {
    const r = await refresh(url, state, fetchFn, now);
    // No keys at all, or none for this id while the endpoint is down: ShipEngine must retry
    // later, not have the event dropped as forged.
    if (!r.entry || (r.failed !== undefined && !r.entry.keys.has(kid))) return { key: null, unavailable: r.failed };
    entry = r.entry;
    fetchedNow = r.failed === undefined;
  }
  // ShipEngine rotated (or the id is made up): look again, once per id per window. The id is
  // remembered even when the key set was fetched just now, which was its look.
  if (!entry.keys.has(kid) && mayLookUpUnknownKid(state, kid, now) && !fetchedNow) {
    const r = await refresh(url, state, fetchFn, now);
    if (r.failed !== undefined) return { key: null, unavailable: r.failed };
    entry = r.entry!;
  }
  const cached = entry.imported.get(kid);
  if (cached) return { key: cached };
  const jwk = entry.keys.get(kid);
  if (!jwk) return { key: null };
  try {
    const { kid: _kid, key_ops: _ops, use: _use, ...material } = jwk as JsonWebKey & { kid?: string; use?: string };
    const key = await crypto.subtle.importKey("jwk", material, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["verify"]);
    entry.imported.set(kid, key);
    return { key };
  } catch {
    return { key: null };
  }
}

/** For tests: forget cached keys so each test starts from an empty cache. */
export function clearShipEngineKeyCache(): void {
  jwksCache.clear();
}

/** For tests: how many unknown key ids are remembered for a JWKS URL (the memory bound). */
export function trackedUnknownKeyIds(url: string = DEFAULT_SHIPENGINE_JWKS_URL): number {
  return jwksCache.get(url)?.unknownKids.size ?? 0;
}

/** Carrier from `data.carrier_code`, or the resource URL (`/v1/tracking/usps/…` or `?carrier_code=usps`). */
function carrierOf(data: z.infer<typeof TrackData>, resourceUrl: string | undefined): string {
  if (data.carrier_code) return data.carrier_code;
  if (resourceUrl) {
    try {
      const u = new URL(resourceUrl);
      const fromQuery = u.searchParams.get("carrier_code");
      if (fromQuery) return fromQuery;
      const m = /\/tracking\/([^/]+)\/[^/]+\/?$/.exec(u.pathname);
      if (m?.[1]) return decodeURIComponent(m[1]);
    } catch {
      // not a URL: fall through
    }
  }
  return "unknown";
}

export const shipengineAdapter: ProviderAdapter<typeof ShipEnginePayload, "shipengine"> = {
  id: "shipengine",
  title: "ShipEngine / ShipStation API",
  shortName: "ShipEngine",
  kind: "carrier",
  noSharedSecret: true,
  optionsSchema: ShipEngineOptions,
  schema: ShipEnginePayload,

  async verify({ rawBody, headers, config, now, fetch: fetchFn }) {
    const signature = header(headers, "x-shipengine-rsa-sha256-signature");
    const kid = header(headers, "x-shipengine-rsa-sha256-key-id");
    const timestamp = header(headers, "x-shipengine-timestamp");
    if (signature === null || kid === null || timestamp === null) {
      return { ok: false, code: "bad_signature", message: "missing x-shipengine-rsa-sha256-signature, -key-id or x-shipengine-timestamp header" };
    }
    const signedAt = toIsoInstant(timestamp);
    const sigBytes = fromBase64(signature);
    if (signedAt === null || sigBytes === null || sigBytes.length === 0) {
      return { ok: false, code: "bad_signature", message: "malformed ShipEngine signature or timestamp" };
    }
    const options = ShipEngineOptions.safeParse(config.options);
    const jwksUrl = options.success ? options.data.jwksUrl : DEFAULT_SHIPENGINE_JWKS_URL;
    const found = await publicKeyFor(jwksUrl, kid, fetchFn, now);
    if (found.key === null) {
      if (found.unavailable !== undefined) return { ok: false, code: "verification_unavailable", message: found.unavailable, retryAfterSeconds: JWKS_RETRY_AFTER_SECONDS };
      return { ok: false, code: "bad_signature", message: `unknown ShipEngine key id "${kid}"` };
    }
    const ok = await crypto.subtle.verify("RSASSA-PKCS1-v1_5", found.key, sigBytes, concatBytes(utf8(`${timestamp}.`), rawBody));
    if (!ok) return { ok: false, code: "bad_signature", message: "ShipEngine RSA signature does not match" };
    return checkReplayWindow(Date.parse(signedAt), now, config.toleranceSeconds);
  },

  async normalize({ storeId, payload, headers, receivedAt }) {
    const data = payload.used;
    if (data === null) return { type: "ignored", reason: `ShipEngine resource "${payload.resource_type}" is not used` };
    const carrier = carrierOf(data, payload.resource_url);
    const latest = latestBy(data.events ?? [], (e) => toIsoInstant(e.occurred_at ?? e.event_date));
    const latestAt = toIsoInstant(latest?.occurred_at ?? latest?.event_date);
    const estimatedDelivery = toIsoInstant(data.estimated_delivery_date);
    const providerEventId = await derivedEventId([
      "shipengine",
      carrier,
      data.tracking_number,
      data.status_code,
      data.status_detail_code,
      latestAt,
      estimatedDelivery,
    ]);
    const mapped = shipengineKind(data.status_code, data.status_detail_code);
    if (mapped === null) return { type: "ignored", reason: `ShipEngine status "${data.status_code}" is not a shipment milestone`, providerEventId };

    return {
      type: "events",
      events: [
        shipmentEvent({
          storeId,
          provider: "shipengine",
          providerEventId,
          occurredAt:
            latestAt ??
            (mapped.kind === "shipment.delivered" ? toIsoInstant(data.actual_delivery_date) : null) ??
            toIsoInstant(header(headers, "x-shipengine-timestamp")) ??
            new Date(receivedAt).toISOString(),
          kind: mapped.kind,
          carrier,
          trackingNumber: data.tracking_number,
          rawStatus: [data.status_code, data.status_detail_code, data.carrier_status_code].filter(Boolean).join("/"),
          reason: data.exception_description ?? data.carrier_status_description ?? latest?.description ?? data.status_description ?? mapped.reason,
          estimatedDelivery,
          location: joinLocation(latest?.city_locality, latest?.state_province, latest?.country_code),
        }),
      ],
    };
  },

  setup(hookUrl) {
    return {
      steps: [
        `Register the webhook: POST https://api.shipengine.com/v1/environment/webhooks with {"url": "${hookUrl}", "event": "track"} (or Dashboard › Developers › Webhooks › Add: Tracking Update).`,
        "Start tracking each package (POST /v1/tracking/start?carrier_code=…&tracking_number=…), or buy labels through ShipEngine.",
        "No secret to paste: ShipEngine signs with RSA and Promptly fetches the public keys itself. Configure the provider without secrets (PUT …/providers/shipengine with {}), and for EU or ShipStation API accounts with the option jwksUrl ({\"jwksUrl\": \"https://api.eu.shipengine.com/jwks\"} or https://api.shipstation.com/jwks).",
      ],
    };
  },
};
