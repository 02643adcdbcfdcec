/**
 * fast-check fuzz of bodies and headers for every provider, through the Worker's real fetch
 * handler (run by intake-fuzz-*.test.ts, split by provider group so each file's workerd
 * runtime stays small; the groups come from the registry). Unsigned or wrongly signed garbage is always a 401 and stores nothing;
 * correctly signed garbage (mutations of real payloads) is a 200, 202 or 400, never a 5xx or a
 * 410, and a 400 stores nothing.
 */
import fc from "fast-check";
import { expect, it } from "vitest";
import { PROVIDERS, type ProviderId } from "../../src/events/model";
import { ADAPTER_LIST } from "../../src/webhooks/registry";
import { ALL_FIXTURES, connect, secretFor, serveShipEngineJwks, storedFootprint } from "./intake-harness";
import { shipEngineKey, signDelivery, type SignOptions } from "./signers";

/**
 * The providers in three groups, one test file each (intake-fuzz-*.test.ts): the carriers and
 * commerce, and the rest split in two. Derived from the registry, so a new provider is fuzzed
 * without being added to a list.
 */
export function fuzzGroup(group: "carriers" | "helpdesks" | "conversations"): ProviderId[] {
  const carriers = ADAPTER_LIST.filter((a) => a.kind === "carrier" || a.kind === "commerce").map((a) => a.id);
  if (group === "carriers") return carriers;
  const others = PROVIDERS.filter((p) => !carriers.includes(p));
  const half = Math.ceil(others.length / 2);
  return group === "helpdesks" ? others.slice(0, half) : others.slice(half);
}

let spareRsa: Awaited<ReturnType<typeof shipEngineKey>> | undefined;

/**
 * The headers each provider's scheme reads, so the fuzz hits the verification paths: whatever
 * the test signer sends for it (in each signing variant), plus Front's challenge header.
 */
async function signatureHeaders(provider: ProviderId): Promise<string[]> {
  spareRsa ??= await shipEngineKey();
  const variants: SignOptions[] = [{}, { frontApp: true }];
  const names = new Set<string>();
  for (const v of variants) {
    const headers = await signDelivery(provider, "{}", secretFor(provider), { ...v, ...(provider === "shipengine" ? { rsa: spareRsa } : {}) });
    for (const name of Object.keys(headers)) if (name !== "content-type") names.add(name);
  }
  if (provider === "front") names.add("x-front-challenge");
  return [...names].sort();
}

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
  expect([...fuzzGroup("helpdesks"), ...fuzzGroup("conversations"), ...fuzzGroup("carriers")].sort()).toEqual([...PROVIDERS].sort());
  for (const p of PROVIDERS) expect(samples(p).length, p).toBeGreaterThan(0);
}

/** One test per provider: unsigned garbage is a 4xx storing nothing; signed mutations never 5xx. */
export function fuzzProviders(providers: ProviderId[]): void {
  for (const provider of providers) {
    // Real requests through workerd on a shared 2-core machine: a generous timeout, not a timing assertion.
    it(`${provider}: unsigned garbage is a 401 and stores nothing; signed mutations never 5xx`, async () => {
      if (provider === "shipengine") await serveShipEngineJwks();
      const hook = await connect(provider);
      const headerNames = await signatureHeaders(provider);
      const bodies = samples(provider);
      const before = await storedFootprint(hook.storeId);

      const body = fc.oneof(
        fc.uint8Array({ maxLength: 400 }).map((b) => b as Uint8Array),
        fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? "null"),
        mutated(bodies),
        fc.constantFrom(...bodies),
      );
      const headers = fc.array(fc.option(headerValue, { nil: undefined }), { minLength: headerNames.length, maxLength: headerNames.length });
      await fc.assert(
        fc.asyncProperty(body, headers, fc.constantFrom("", "?token=nope", "?token="), async (raw, values, query) => {
          const h: Record<string, string> = { "content-type": "application/json" };
          headerNames.forEach((name, i) => {
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
