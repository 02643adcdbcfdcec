/**
 * fast-check fuzz of bodies and headers for every provider, through the Worker's real fetch
 * handler (run by intake-fuzz-*.test.ts, split by provider group so each file's workerd
 * runtime stays small). Unsigned or wrongly signed garbage is always a 401 and stores nothing;
 * correctly signed garbage (mutations of real payloads) is a 200, 202 or 400, never a 5xx or a
 * 410, and a 400 stores nothing.
 */
import fc from "fast-check";
import { expect, it } from "vitest";
import { PROVIDERS, type ProviderId } from "../../src/events/model";
import { ALL_FIXTURES, connect, serveShipEngineJwks, storedFootprint } from "./intake-harness";
import type { SignOptions } from "./signers";

/** The headers each provider's scheme reads, so the fuzz hits the verification paths. */
export const HEADERS: Record<ProviderId, string[]> = {
  zendesk: ["x-zendesk-webhook-signature", "x-zendesk-webhook-signature-timestamp"],
  freshdesk: ["x-promptly-token"],
  gorgias: ["x-promptly-token"],
  helpscout: ["x-helpscout-signature", "x-helpscout-event"],
  zammad: ["x-hub-signature", "x-zammad-delivery"],
  chatwoot: ["x-chatwoot-signature", "x-chatwoot-timestamp", "x-chatwoot-delivery"],
  intercom: ["x-hub-signature"],
  front: ["x-front-signature", "x-front-request-timestamp", "x-front-challenge"],
  shopify: ["x-shopify-hmac-sha256", "x-shopify-topic", "x-shopify-webhook-id"],
  easypost: ["x-hmac-signature"],
  aftership: ["aftership-hmac-sha256"],
  shippo: ["shippo-auth-signature"],
  "17track": ["sign"],
  shipengine: ["x-shipengine-rsa-sha256-signature", "x-shipengine-rsa-sha256-key-id", "x-shipengine-timestamp"],
  custom: ["webhook-id", "webhook-timestamp", "webhook-signature"],
};

const CUSTOM_SAMPLE = JSON.stringify({ occurredAt: "2026-03-02T09:30:00Z", caseKey: { type: "ticket", ticketId: "T-1" }, kind: "case.customer_message", body: "hi" });

export function samples(provider: ProviderId): string[] {
  if (provider === "custom") return [CUSTOM_SAMPLE];
  const dir = provider;
  return Object.entries(ALL_FIXTURES)
    .filter(([path]) => path.startsWith(`${dir}/`))
    .map(([, text]) => text);
}

/** Signing variations a provider's scheme has (event headers, the two Front schemes). */
const signOptions = (provider: ProviderId): fc.Arbitrary<SignOptions> => {
  if (provider === "helpscout") return fc.constantFrom("convo.created", "convo.status", "convo.tags", "convo.customer.reply.created", "satisfaction.ratings", "helpscout.test", "customer.created").map((event) => ({ event }));
  if (provider === "shopify") return fc.constantFrom("fulfillment_events/create", "fulfillments/update", "orders/create").map((event) => ({ event }));
  if (provider === "front") return fc.boolean().map((frontApp) => ({ frontApp }));
  return fc.constant({});
};

const headerValue = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.stringMatching(/^[A-Za-z0-9+/=,.:_ -]{0,90}$/),
  fc.constantFrom("sha1=00", "sha256=00", "v1,AAAA", "t=1700000000,v1=00", "hmac-sha256-hex=00", "1700000000", "1700000000000", "2021-03-25T05:09:27Z", "99999999999999999999", "+275760-09-13T00:00:00Z", "helpscout.test", "fulfillments/update", "whsec_AAAA"),
);

/** Replaces one value (top level or one level down) of a real payload with random JSON. */
const mutated = (bodies: string[]) =>
  fc.tuple(fc.constantFrom(...bodies), fc.jsonValue({ maxDepth: 3 }), fc.nat(), fc.nat(), fc.boolean()).map(([sample, junk, a, b, deep]) => {
    const obj = JSON.parse(sample) as Record<string, unknown>;
    const keys = Object.keys(obj);
    const key = keys[a % Math.max(1, keys.length)];
    if (key === undefined) return JSON.stringify(junk);
    const inner = obj[key];
    if (deep && inner !== null && typeof inner === "object" && !Array.isArray(inner)) {
      const innerKeys = Object.keys(inner);
      const k2 = innerKeys[b % Math.max(1, innerKeys.length)];
      if (k2 !== undefined) (inner as Record<string, unknown>)[k2] = junk;
    } else obj[key] = junk;
    return JSON.stringify(obj);
  });

export function coversAllProviders(): void {
  expect(Object.keys(HEADERS).sort()).toEqual([...PROVIDERS].sort());
  for (const p of PROVIDERS) expect(samples(p).length, p).toBeGreaterThan(0);
}

/** One test per provider: unsigned garbage is a 4xx storing nothing; signed mutations never 5xx. */
export function fuzzProviders(providers: ProviderId[]): void {
  for (const provider of providers) {
    // Real requests through workerd on a shared 2-core machine: a generous timeout, not a timing assertion.
    it(`${provider}: unsigned garbage is a 401 and stores nothing; signed mutations never 5xx`, async () => {
      if (provider === "shipengine") await serveShipEngineJwks();
      const hook = await connect(provider);
      const bodies = samples(provider);
      const before = await storedFootprint(hook.storeId);

      const body = fc.oneof(
        fc.uint8Array({ maxLength: 400 }).map((b) => b as Uint8Array),
        fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? "null"),
        mutated(bodies),
        fc.constantFrom(...bodies),
      );
      const headers = fc.array(fc.option(headerValue, { nil: undefined }), { minLength: HEADERS[provider].length, maxLength: HEADERS[provider].length });
      await fc.assert(
        fc.asyncProperty(body, headers, fc.constantFrom("", "?token=nope", "?token="), async (raw, values, query) => {
          const h: Record<string, string> = { "content-type": "application/json" };
          HEADERS[provider].forEach((name, i) => {
            const v = values[i];
            if (v !== undefined && /^[\t\x20-\x7e]*$/.test(v)) h[name] = v;
          });
          const res = await hook.post(raw, h, query);
          expect(res.status, JSON.stringify(res.body)).toBe(401);
          expect(["bad_signature", "stale"]).toContain(res.body.error.code);
        }),
        { numRuns: 30 },
      );
      expect(await storedFootprint(hook.storeId)).toEqual(before);

      await fc.assert(
        fc.asyncProperty(mutated(bodies), signOptions(provider), async (raw, opts) => {
          const was = await storedFootprint(hook.storeId);
          const res = await hook.send(raw, opts);
          expect(res.status, JSON.stringify(res.body)).toBeLessThan(500);
          expect(res.status).not.toBe(410);
          expect([200, 202, 400]).toContain(res.status);
          if (res.status === 400) {
            expect(res.body.error.code).toMatch(/^(validation_failed|invalid_json)$/);
            expect(await storedFootprint(hook.storeId)).toEqual(was);
          }
        }),
        { numRuns: 25 },
      );
    }, 240_000);
  }
}
