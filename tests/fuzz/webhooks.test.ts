/**
 * Fuzz of webhook intake, POST /hooks/:storeId/:provider, for every provider, through the
 * Worker's fetch handler inside workerd, against one store with every provider configured.
 *
 * Bodies: the provider's real fixtures mutated, shapes from the adapter's own zod schema
 * mutated, random JSON, non-JSON, empty, over the 1 MiB cap. Signatures: none; the provider's
 * signature headers holding junk; signed with a wrong secret; signed over other bytes; a right
 * signature with one character changed; and a right signature (now, or hours off) on a body the
 * adapter's schema refuses. Extra headers and query strings on top.
 *
 * Every answer: never a 5xx; every error is exactly the JSON envelope; anything not rightly
 * signed is 401 (413 when over the cap, which is checked first); a rightly signed body the schema
 * refuses is 400 (or 401 stale when signed hours off). After each provider: the store is
 * byte-identical (no case in its list, no ignored delivery recorded, every SQLite row the same)
 * and no case object exists anywhere.
 */
/// <reference types="vite/client" />
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { PROVIDERS, type ProviderId } from "../../src/events/model";
import { adapterFor } from "../../src/webhooks/registry";
import { ALL_FIXTURES, secretFor, serveShipEngineJwks } from "../webhooks/intake-harness";
import { signDelivery, type SignOptions } from "../webhooks/signers";
import { answerProblem, briefReport } from "./support/envelope";
import { extraHeaders, headerSafe, hugeBody, junkText, queryString, body as bodyArb, type WireBody } from "./support/inputs";
import { mutated } from "./support/mutate";
import { describeWire } from "./support/requests";
import { arbitraryFor, jsonSchemaOf } from "./support/schema-arbitrary";
import { direct, type Wire } from "./support/send";
import { caseObjectCount, snapshot, type StoreSnapshot } from "./support/snapshot";
import { api, createStore, customTicket } from "./support/world";

const SCALE = Number(import.meta.env.VITE_FUZZ_SCALE ?? "1") || 1;
const SEED = import.meta.env.VITE_FUZZ_SEED ? Number(import.meta.env.VITE_FUZZ_SEED) : undefined;
const RUNS_PER_PROVIDER = Math.max(1, Math.round(270 * SCALE));

let store: { storeId: string; token: string };
let rsa: Awaited<ReturnType<typeof serveShipEngineJwks>>;
let initial: { store: StoreSnapshot; caseObjects: number };
const tries = new Map<string, number>();
const modes = new Map<string, number>();
/** Whether the provider's signature covers the body (it does not for a shared-token scheme). */
const bodyBound = new Map<ProviderId, boolean>();

const signOpts = (provider: ProviderId, extra: SignOptions = {}): SignOptions => ({ ...extra, ...(provider === "shipengine" ? { rsa } : {}) });

beforeAll(async () => {
  // ShipEngine's keys come from its JWKS URL: answered by a spy (see serveShipEngineJwks), nothing else may leave.
  rsa = await serveShipEngineJwks();
  const created = await createStore("Webhook fuzz store");
  store = { storeId: created.storeId, token: created.adminToken };
  for (const provider of PROVIDERS) {
    const res = await api("PUT", `/v1/stores/${store.storeId}/providers/${provider}`, { token: store.token, body: { secrets: provider === "shipengine" ? [] : [secretFor(provider)] } });
    if (res.status !== 200) throw new Error(`configure ${provider}: ${res.status} ${res.answer.text}`);
  }
  for (const provider of PROVIDERS) {
    const at = new Date();
    const [a, b] = [await signDelivery(provider, "{}", secretFor(provider), signOpts(provider, { at, deliveryId: "d1" })), await signDelivery(provider, "[]", secretFor(provider), signOpts(provider, { at, deliveryId: "d1" }))];
    bodyBound.set(provider, JSON.stringify(a) !== JSON.stringify(b));
  }
  initial = { store: await snapshot(store), caseObjects: await caseObjectCount() };
});

afterAll(() => {
  vi.restoreAllMocks();
  const total = [...tries.values()].reduce((a, b) => a + b, 0);
  const byMode = (provider: string) => [...modes].filter(([k]) => k.startsWith(`${provider} `)).map(([k, n]) => `${k.split(" ")[1]} ${n}`).join(", ");
  console.info(`webhook fuzz tries per provider:\n${[...tries].map(([k, n]) => `  ${String(n).padStart(5)}  ${k}  (${byMode(k)})`).join("\n")}\n  total ${total}`);
});

function fixturesOf(provider: ProviderId): unknown[] {
  if (provider === "custom") return [JSON.parse(customTicket("W-1"))];
  return Object.entries(ALL_FIXTURES)
    .filter(([path]) => path.startsWith(`${provider}/`))
    .map(([, text]) => JSON.parse(text) as unknown);
}

function schemaShaped(provider: ProviderId): fc.Arbitrary<unknown> {
  try {
    return arbitraryFor(jsonSchemaOf(adapterFor(provider)!.schema));
  } catch {
    // A schema JSON Schema cannot express (transforms and the like): random JSON instead.
    return fc.jsonValue({ maxDepth: 3 });
  }
}

type Mode = "none" | "junk-headers" | "wrong-secret" | "other-bytes" | "tampered" | "right";

interface Plan {
  body: WireBody;
  mode: Mode;
  /** Where the signer's clock stands relative to now (the replay window is minutes). */
  skewMs: number;
  junk: string[];
  extra: [string, string][];
  query: string;
  tamperAt: number;
}

function planArb(provider: ProviderId): fc.Arbitrary<Plan> {
  const fixtures = fixturesOf(provider);
  const shaped = fc.oneof(
    { weight: 2, arbitrary: schemaShaped(provider) },
    { weight: 2, arbitrary: mutated(schemaShaped(provider)) },
    ...(fixtures.length > 0 ? [{ weight: 1, arbitrary: fc.constantFrom(...fixtures) }, { weight: 5, arbitrary: mutated(fc.constantFrom(...fixtures)) }] : []),
  );
  return fc.record({
    body: fc.oneof({ weight: 40, arbitrary: bodyArb(shaped) }, { weight: 1, arbitrary: hugeBody }),
    mode: fc.constantFrom<Mode>("none", "junk-headers", "wrong-secret", "other-bytes", "tampered", "right", "right"),
    skewMs: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constantFrom(-3 * 3_600_000, 3 * 3_600_000, -86_400_000 * 400) }),
    junk: fc.array(fc.oneof(junkText, fc.stringMatching(/^(sha1=|sha256=|v1,|t=\d{10},v1=|hmac-sha256-hex=)?[A-Za-z0-9+/=]{0,90}$/)).map(headerSafe), { minLength: 6, maxLength: 6 }),
    extra: extraHeaders,
    query: queryString([], () => junkText),
    tamperAt: fc.nat(),
  });
}

const textOf = (b: WireBody): string | Uint8Array => b.bytes ?? "";
const asBytes = (b: string | Uint8Array) => (typeof b === "string" ? new TextEncoder().encode(b) : b);

/** Whether the adapter's schema refuses these bytes (not JSON counts as refused). */
function schemaRefuses(provider: ProviderId, bytes: Uint8Array): boolean {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return true;
  }
  return !adapterFor(provider)!.schema.safeParse(value).success;
}

/**
 * One character of the signature changed so that it means something else: in the first half
 * (the last base64 characters before "=" carry padding bits a decoder may ignore), and to a
 * character of another value in hex, base64 and plain alike.
 */
function tamper(value: string, at: number): string {
  if (value.length === 0) return "0";
  const i = at % Math.ceil(value.length / 2);
  return value.slice(0, i) + (value[i] === "0" ? "1" : "0") + value.slice(i + 1);
}

async function build(provider: ProviderId, plan: Plan): Promise<{ wire: Wire; mode: Mode; rightlySigned: boolean; oversize: boolean }> {
  const raw = textOf(plan.body);
  const bytes = asBytes(raw);
  const at = new Date(Date.now() + plan.skewMs);
  const secret = secretFor(provider);
  let mode = plan.mode;
  // Freshdesk and Gorgias send a shared token, not a signature of the body: "other bytes" is rightly signed there.
  if (mode === "other-bytes" && !bodyBound.get(provider)) mode = "right";
  // A right signature only goes on a body the schema refuses: a valid one would be stored.
  if (mode === "right" && !schemaRefuses(provider, bytes)) mode = "tampered";
  let headers: Record<string, string> = {};
  switch (mode) {
    case "none":
      headers = { "content-type": "application/json" };
      break;
    case "junk-headers": {
      const names = Object.keys(await signDelivery(provider, "{}", secret, signOpts(provider)));
      names.forEach((name, i) => (headers[name] = name === "content-type" ? "application/json" : plan.junk[i % plan.junk.length]!));
      break;
    }
    case "wrong-secret":
      // ShipEngine signs with a key, not a secret: a fresh key pair the JWKS does not list.
      headers = await signDelivery(provider, bytes, provider === "custom" ? "whsec_" + btoa("not-the-secret-at-all-32-bytes!!") : `not-${secret}`, provider === "shipengine" ? { rsa: { privateKey: (await freshKey()).privateKey, kid: rsa.kid }, at } : { at });
      break;
    case "other-bytes":
      headers = await signDelivery(provider, new Uint8Array([...bytes, 0x20]), secret, signOpts(provider, { at }));
      break;
    case "tampered": {
      headers = await signDelivery(provider, bytes, secret, signOpts(provider, { at }));
      const signatureHeader = Object.keys(headers).find((h) => /sign|hmac|token/.test(h) && !/timestamp|key-id/.test(h));
      if (!signatureHeader) throw new Error(`no signature header found for ${provider} in ${Object.keys(headers).join(", ")}`);
      headers[signatureHeader] = tamper(headers[signatureHeader]!, plan.tamperAt);
      break;
    }
    case "right":
      headers = await signDelivery(provider, bytes, secret, signOpts(provider, { at }));
      break;
  }
  const signatureNames = new Set(Object.keys(headers).map((h) => h.toLowerCase()));
  // Extra headers never override the signature ones (that would be another mode).
  const extra = plan.extra.filter(([k]) => !signatureNames.has(k.toLowerCase()));
  const wire: Wire = { method: "POST", target: `/hooks/${store.storeId}/${provider}${plan.query}`, headers: [...Object.entries(headers), ...extra], body: raw };
  return { wire, mode, rightlySigned: mode === "right", oversize: bytes.byteLength > 1024 * 1024 };
}

let spareKey: CryptoKeyPair | undefined;
async function freshKey(): Promise<CryptoKeyPair> {
  spareKey ??= (await crypto.subtle.generateKey({ name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
  return spareKey;
}

describe("webhook intake under fuzz, every provider", () => {
  for (const provider of PROVIDERS) {
    it(`${provider}: no 5xx, only envelopes, 401 unless rightly signed, 400 for a refused body, nothing stored`, async () => {
      await fc.assert(
        fc.asyncProperty(planArb(provider), async (plan) => {
          const { wire, mode, rightlySigned, oversize } = await build(provider, plan);
          tries.set(provider, (tries.get(provider) ?? 0) + 1);
          modes.set(`${provider} ${mode}`, (modes.get(`${provider} ${mode}`) ?? 0) + 1);
          const answer = await direct(wire);
          const where = `\n  mode: ${mode} skew: ${plan.skewMs}\n  request: ${describeWire(wire)}\n  answer: ${answer.status} ${answer.text.slice(0, 400)}`;
          const problem = answerProblem(answer, "POST");
          if (problem) throw new Error(problem + where);
          if (answer.status < 400) throw new Error(`intake accepted a delivery it must refuse${where}`);
          const code = (JSON.parse(answer.text) as { error: { code: string } }).error.code;
          if (oversize) {
            if (answer.status !== 413) throw new Error(`expected 413 for a body over the cap${where}`);
          } else if (!rightlySigned) {
            if (answer.status !== 401 || !["bad_signature", "stale"].includes(code)) throw new Error(`expected 401 bad_signature/stale${where}`);
          } else if (!(answer.status === 400 && ["validation_failed", "invalid_json"].includes(code)) && !(answer.status === 401 && code === "stale" && plan.skewMs !== 0)) {
            throw new Error(`expected 400 for a rightly signed body the schema refuses${where}`);
          }
        }),
        { numRuns: RUNS_PER_PROVIDER, ...(SEED !== undefined ? { seed: SEED } : {}), reporter: briefReport },
      );
      expect({ store: await snapshot(store), caseObjects: await caseObjectCount() }).toEqual(initial);
      const cases = await api("GET", `/v1/stores/${store.storeId}/cases`, { token: store.token });
      expect(cases.body.cases).toEqual([]);
    });
  }
});

// Found by the fuzz above: a timestamp past the Date range (±8.64e15 ms) made toIsoInstant throw
// a RangeError, answered 500 (which providers retry forever). Runs after the fuzz: the second
// one stores a case, on purpose.
describe("timestamps beyond the Date range", () => {
  it("an unsigned ShipEngine delivery with x-shipengine-timestamp 99999999999999999999 is a 401, not a 500", async () => {
    const answer = await direct({
      method: "POST",
      target: `/hooks/${store.storeId}/shipengine`,
      headers: [["content-type", "application/json"], ["x-shipengine-rsa-sha256-signature", "a"], ["x-shipengine-rsa-sha256-key-id", rsa.kid], ["x-shipengine-timestamp", "99999999999999999999"]],
      body: "{}",
    });
    expect(answer.status, answer.text).toBe(401);
    expect(answerProblem(answer, "POST")).toBeNull();
  });

  it("a rightly signed Shopify delivery whose X-Shopify-Triggered-At is 99999999999999999999 is stored (that header is not signed)", async () => {
    const created = await createStore("Shopify timestamp store");
    const secret = secretFor("shopify");
    expect((await api("PUT", `/v1/stores/${created.storeId}/providers/shopify`, { token: created.adminToken, body: { secrets: [secret] } })).status).toBe(200);
    const raw = ALL_FIXTURES["shopify/fulfillment-events-create.json"]!;
    const headers = { ...(await signDelivery("shopify", raw, secret, { event: "fulfillment_events/create" })), "x-shopify-triggered-at": "99999999999999999999" };
    const answer = await direct({ method: "POST", target: `/hooks/${created.storeId}/shopify`, headers: Object.entries(headers), body: raw });
    expect(answer.status, answer.text).toBe(202);
  });
});

// The same range bug on the real path (found by the dry-run fuzz): the case object stores the
// event, then its SLA fold throws RangeError in the calendar engine, so intake answers 500 while
// the event sits in a case the store's index never learns of (its retry answers 202 duplicate).
describe("a rightly signed event dated outside 1900–2300", () => {
  it("is refused with a 400 and stores nothing", async () => {
    const created = await createStore("Old event store");
    const secret = secretFor("custom");
    expect((await api("PUT", `/v1/stores/${created.storeId}/providers/custom`, { token: created.adminToken, body: { secrets: [secret] } })).status).toBe(200);
    const rules = await api("GET", `/v1/stores/${created.storeId}/rules`, { token: created.adminToken });
    const office = { calendars: { Office: { timeZone: "Europe/Istanbul", week: { mon: [["09:00", "18:00"]] } } }, policies: [{ name: "All", targets: { firstReply: { calendar: "Office", byPriority: { normal: "8h" } } } }] };
    expect((await api("PUT", `/v1/stores/${created.storeId}/rules`, { token: created.adminToken, body: office, headers: { "if-match": rules.answer.headers.get("etag")! } })).status).toBe(200);
    const cases = await caseObjectCount();
    const raw = JSON.stringify({ occurredAt: "1899-12-31T23:59:59Z", caseKey: { type: "ticket", ticketId: "OLD-1" }, kind: "case.opened", status: "open", priority: "normal" });
    const answer = await direct({ method: "POST", target: `/hooks/${created.storeId}/custom`, headers: Object.entries(await signDelivery("custom", raw, secret)), body: raw });
    expect(answerProblem(answer, "POST"), answer.text).toBeNull();
    expect(answer.status, answer.text).toBe(400);
    expect(await caseObjectCount()).toBe(cases);
  });
});
