import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { concatBytes, toBase64, utf8 } from "../../src/lib/crypto";
import { clearShipEngineKeyCache, DEFAULT_SHIPENGINE_JWKS_URL, shipengineAdapter, trackedUnknownKeyIds } from "../../src/webhooks/shipengine";
import {
  alterSignature,
  config,
  edited,
  fixture,
  fixturePaths,
  flipByte,
  fuzzAdapter,
  issuePaths,
  onlyEvent,
  runPipeline,
  verifyInput,
} from "./carrier-helpers";

const FIXTURE = "shipengine/api-track-delivered-usps-2019.json";
const TS = "2026-05-01T12:00:00Z";
const NOW = Date.parse(TS) + 10_000;
const RSA = { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" };

let current: CryptoKeyPair;
let rotated: CryptoKeyPair;
let stranger: CryptoKeyPair;

async function publicJwk(pair: CryptoKeyPair, kid: string): Promise<JsonWebKey & { kid: string }> {
  return { ...((await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey), kid };
}

async function sign(pair: CryptoKeyPair, timestamp: string, body: Uint8Array): Promise<string> {
  return toBase64(await crypto.subtle.sign("RSASSA-PKCS1-v1_5", pair.privateKey, concatBytes(utf8(`${timestamp}.`), body)));
}

/** A JWKS endpoint whose key set the test can change, counting fetches per URL. */
function jwksServer(initial: (JsonWebKey & { kid: string })[]) {
  let keys = initial;
  const calls: string[] = [];
  const fetchFn: typeof fetch = async (input) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    calls.push(url);
    return Response.json({ keys });
  };
  return { fetch: fetchFn, calls, setKeys: (k: (JsonWebKey & { kid: string })[]) => (keys = k) };
}

async function signedHeaders(pair: CryptoKeyPair, kid: string, body: Uint8Array, timestamp = TS): Promise<Record<string, string>> {
  return {
    "x-shipengine-rsa-sha256-signature": await sign(pair, timestamp, body),
    "x-shipengine-rsa-sha256-key-id": kid,
    "x-shipengine-timestamp": timestamp,
  };
}

function verify(body: Uint8Array, headers: Record<string, string>, fetchFn: typeof fetch, now = NOW, options: Record<string, unknown> = {}) {
  return shipengineAdapter.verify(verifyInput({ body, headers, config: config([], options), now, fetch: fetchFn }));
}

beforeAll(async () => {
  [current, rotated, stranger] = (await Promise.all([1, 2, 3].map(() => crypto.subtle.generateKey(RSA, true, ["sign", "verify"])))) as [CryptoKeyPair, CryptoKeyPair, CryptoKeyPair];
});

beforeEach(() => clearShipEngineKeyCache());

describe("shipengine verify", () => {
  it("verifies an RSA-signed fixture with the key from the default JWKS URL, fetching it once and caching it", async () => {
    const jwks = jwksServer([await publicJwk(current, "key-1")]);
    const body = fixture(FIXTURE).bytes;
    const headers = await signedHeaders(current, "key-1", body);
    expect(await verify(body, headers, jwks.fetch)).toEqual({ ok: true, signedAtMs: Date.parse(TS) });
    expect(await verify(body, headers, jwks.fetch, NOW + 1000)).toMatchObject({ ok: true });
    expect(jwks.calls).toEqual([DEFAULT_SHIPENGINE_JWKS_URL]);
  });

  it("refetches after the cache's hour is up", async () => {
    const jwks = jwksServer([await publicJwk(current, "key-1")]);
    const body = utf8("{}");
    const later = "2026-05-01T13:30:00Z";
    expect((await verify(body, await signedHeaders(current, "key-1", body), jwks.fetch)).ok).toBe(true);
    expect((await verify(body, await signedHeaders(current, "key-1", body, later), jwks.fetch, Date.parse(later))).ok).toBe(true);
    expect(jwks.calls).toHaveLength(2);
  });

  it("refetches once when ShipEngine rotates to a key id it has not seen, and accepts the new key", async () => {
    const jwks = jwksServer([await publicJwk(current, "key-1")]);
    const body = fixture(FIXTURE).bytes;
    expect((await verify(body, await signedHeaders(current, "key-1", body), jwks.fetch)).ok).toBe(true);
    jwks.setKeys([await publicJwk(current, "key-1"), await publicJwk(rotated, "key-2")]);
    expect((await verify(body, await signedHeaders(rotated, "key-2", body), jwks.fetch)).ok).toBe(true);
    expect(jwks.calls).toHaveLength(2);
  });

  it("fails an unknown key id as bad_signature after exactly one refetch, and does not refetch again right away", async () => {
    const jwks = jwksServer([await publicJwk(current, "key-1")]);
    const body = fixture(FIXTURE).bytes;
    await verify(body, await signedHeaders(current, "key-1", body), jwks.fetch);
    const forged = await signedHeaders(stranger, "nobody", body);
    expect(await verify(body, forged, jwks.fetch)).toMatchObject({ ok: false, code: "bad_signature" });
    expect(jwks.calls).toHaveLength(2);
    expect(await verify(body, forged, jwks.fetch, NOW + 5000)).toMatchObject({ ok: false, code: "bad_signature" });
    expect(jwks.calls).toHaveLength(2);
  });

  it("uses the store's jwksUrl option (EU / ShipStation API)", async () => {
    const jwks = jwksServer([await publicJwk(current, "eu-1")]);
    const body = utf8("{}");
    const r = await verify(body, await signedHeaders(current, "eu-1", body), jwks.fetch, NOW, { jwksUrl: "https://api.eu.shipengine.com/jwks" });
    expect(r.ok).toBe(true);
    expect(jwks.calls).toEqual(["https://api.eu.shipengine.com/jwks"]);
    expect(shipengineAdapter.optionsSchema.safeParse({ jwksUrl: "javascript:alert(1)" }).success).toBe(false);
  });

  it.each([
    ["a changed body byte", async (b: Uint8Array, h: Record<string, string>) => ({ body: flipByte(b), headers: h })],
    ["a changed signature", async (b: Uint8Array, h: Record<string, string>) => ({ body: b, headers: { ...h, "x-shipengine-rsa-sha256-signature": alterSignature(h["x-shipengine-rsa-sha256-signature"] ?? "", 10) } })],
    ["a signature by another key under the known key id", async (b: Uint8Array) => ({ body: b, headers: await signedHeaders(stranger, "key-1", b) })],
    ["a changed timestamp", async (b: Uint8Array, h: Record<string, string>) => ({ body: b, headers: { ...h, "x-shipengine-timestamp": "2026-05-01T12:00:01Z" } })],
    ["a missing key id", async (b: Uint8Array, h: Record<string, string>) => {
      const { "x-shipengine-rsa-sha256-key-id": _drop, ...rest } = h;
      return { body: b, headers: rest };
    }],
  ])("rejects %s as bad_signature", async (_name, tamper) => {
    const jwks = jwksServer([await publicJwk(current, "key-1")]);
    const body = fixture(FIXTURE).bytes;
    const t = await tamper(body, await signedHeaders(current, "key-1", body));
    expect(await verify(t.body, t.headers, jwks.fetch)).toMatchObject({ ok: false, code: "bad_signature" });
  });

  it("rejects a correctly signed but old (or far-future) delivery as stale", async () => {
    const jwks = jwksServer([await publicJwk(current, "key-1")]);
    const body = fixture(FIXTURE).bytes;
    const headers = await signedHeaders(current, "key-1", body);
    expect(await verify(body, headers, jwks.fetch, Date.parse(TS) + 301_000)).toMatchObject({ ok: false, code: "stale" });
    expect(await verify(body, headers, jwks.fetch, Date.parse(TS) - 301_000)).toMatchObject({ ok: false, code: "stale" });
  });

  it("forged requests with made-up key ids cannot hold off the lookup a genuinely rotated key needs", async () => {
    const jwks = jwksServer([await publicJwk(current, "key-1")]);
    const body = fixture(FIXTURE).bytes;
    expect((await verify(body, await signedHeaders(current, "key-1", body), jwks.fetch)).ok).toBe(true);
    // An attacker keeps sending ids nobody publishes, each one looked up once.
    for (let i = 0; i < 5; i++) {
      expect(await verify(body, await signedHeaders(stranger, `forged-${i}`, body), jwks.fetch, NOW + i * 100)).toMatchObject({ ok: false, code: "bad_signature" });
    }
    expect(jwks.calls).toHaveLength(6);
    // ShipEngine rotates a second later: its first delivery with the new key still verifies.
    jwks.setKeys([await publicJwk(current, "key-1"), await publicJwk(rotated, "key-2")]);
    expect(await verify(body, await signedHeaders(rotated, "key-2", body), jwks.fetch, NOW + 1000)).toMatchObject({ ok: true });
    expect(jwks.calls).toHaveLength(7);
    // A forged id repeated within the window costs no fetch; after the window it is looked up again.
    expect((await verify(body, await signedHeaders(stranger, "forged-0", body), jwks.fetch, NOW + 2000)).ok).toBe(false);
    expect(jwks.calls).toHaveLength(7);
    expect((await verify(body, await signedHeaders(stranger, "forged-0", body), jwks.fetch, NOW + 31_000)).ok).toBe(false);
    expect(jwks.calls).toHaveLength(8);
  });

  it("remembers a bounded number of unknown key ids, however many are made up", async () => {
    const jwks = jwksServer([await publicJwk(current, "key-1")]);
    const body = utf8("{}");
    const signature = (await signedHeaders(stranger, "x", body))["x-shipengine-rsa-sha256-signature"]!;
    for (let i = 0; i < 300; i++) {
      const headers = { "x-shipengine-rsa-sha256-signature": signature, "x-shipengine-rsa-sha256-key-id": `made-up-${i}`, "x-shipengine-timestamp": TS };
      expect((await verify(body, headers, jwks.fetch)).ok).toBe(false);
    }
    expect(trackedUnknownKeyIds()).toBeLessThanOrEqual(256);
    expect(trackedUnknownKeyIds()).toBeGreaterThan(0);
  });

  it("concurrent lookups of a new key id share one fetch", async () => {
    const jwks = jwksServer([await publicJwk(current, "key-1")]);
    const body = utf8("{}");
    const answers = await Promise.all([0, 1, 2, 3].map(async () => verify(body, await signedHeaders(current, "key-1", body), jwks.fetch)));
    expect(answers.every((a) => a.ok)).toBe(true);
    expect(jwks.calls).toHaveLength(1);
  });

  it("asks ShipEngine to retry (never drops the event as forged) when the key endpoint is down and the key is not cached; keeps old keys when a refresh fails", async () => {
    const body = utf8("{}");
    const down: typeof fetch = async () => new Response("unavailable", { status: 503 });
    expect(await verify(body, await signedHeaders(current, "key-1", body), down)).toMatchObject({ ok: false, code: "verification_unavailable", retryAfterSeconds: 60, message: expect.stringMatching(/JWKS/) });

    const jwks = jwksServer([await publicJwk(current, "key-1")]);
    // The failure is remembered for 30 s: no fetch within it, then the endpoint is tried again.
    expect(await verify(body, await signedHeaders(current, "key-1", body), jwks.fetch, NOW + 29_000)).toMatchObject({ ok: false, code: "verification_unavailable" });
    expect(jwks.calls).toHaveLength(0);
    expect((await verify(body, await signedHeaders(current, "key-1", body, new Date(NOW + 31_000).toISOString()), jwks.fetch, NOW + 31_000)).ok).toBe(true);
    const later = "2026-05-01T14:00:00Z";
    expect((await verify(body, await signedHeaders(current, "key-1", body, later), down, Date.parse(later))).ok).toBe(true);
    // A rotated key while the endpoint is down: retry later, not 401.
    expect(await verify(body, await signedHeaders(rotated, "key-2", body, later), down, Date.parse(later))).toMatchObject({ ok: false, code: "verification_unavailable" });
    const unreachable: typeof fetch = async () => {
      throw new TypeError("network connection lost");
    };
    expect(await verify(body, await signedHeaders(rotated, "key-3", body), unreachable)).toMatchObject({ ok: false, code: "verification_unavailable" });
  });
});

describe("shipengine normalize", () => {
  it("covers every vendored ShipEngine fixture", () => {
    expect(fixturePaths("shipengine")).toEqual([FIXTURE]);
  });

  it("normalizes the 2019 API_TRACK delivered sample with the carrier from resource_url", async () => {
    const e = await onlyEvent(shipengineAdapter, fixture(FIXTURE).text);
    expect(e).toMatchObject({
      provider: "shipengine",
      kind: "shipment.delivered",
      occurredAt: "2019-04-12T17:45:26.734Z",
      rawStatus: "DE/01",
      caseKey: { type: "shipment", carrier: "usps", trackingNumber: "9361269903502070406152" },
      shipment: { reason: "Your item was picked up at the post office...", location: "AUSTIN, TX" },
    });
    expect(e.providerEventId).toMatch(/^h:/);
  });

  type Obj = Record<string, unknown>;
  const withData = (edit: (data: Obj, env: Obj) => void) => edited(fixture(FIXTURE).json, (env) => edit(env.data as Obj, env));

  it("keeps the exception description, estimate and carrier from a query-style resource_url", async () => {
    const body = withData((data, env) => {
      env.resource_url = "https://api.shipengine.com/v1/tracking?carrier_code=fedex&tracking_number=123";
      Object.assign(data, {
        status_code: "EX",
        carrier_status_description: "Clearance delay",
        exception_description: "Held in customs",
        estimated_delivery_date: "2019-04-15T00:00:00Z",
      });
    });
    expect(await onlyEvent(shipengineAdapter, body)).toMatchObject({
      kind: "shipment.exception",
      caseKey: { carrier: "fedex" },
      shipment: { reason: "Held in customs", estimatedDelivery: "2019-04-15T00:00:00.000Z" },
    });
  });

  it.each([
    ["AC", undefined, "shipment.label_created"],
    ["IT", undefined, "shipment.in_transit"],
    ["IT", "OUT_FOR_DELIVERY", "shipment.out_for_delivery"],
    ["AT", undefined, "shipment.delivery_failed"],
    ["EX", "RETURNED_TO_SENDER", "shipment.returned"],
  ] as const)("maps %s/%s to %s", async (code, detail, kind) => {
    const e = await onlyEvent(shipengineAdapter, withData((d) => Object.assign(d, { status_code: code, status_detail_code: detail ?? null })));
    expect(e.kind).toBe(kind);
  });

  it("derives a new id when the estimate moves, so the case sees the later date", async () => {
    const a = await onlyEvent(shipengineAdapter, withData((d) => Object.assign(d, { status_code: "IT", estimated_delivery_date: "2019-04-15T00:00:00Z" })));
    const b = await onlyEvent(shipengineAdapter, withData((d) => Object.assign(d, { status_code: "IT", estimated_delivery_date: "2019-04-17T00:00:00Z" })));
    expect(b.providerEventId).not.toBe(a.providerEventId);
    expect(b.shipment?.estimatedDelivery).toBe("2019-04-17T00:00:00.000Z");
  });

  it("ignores unknown statuses and other resources; rejects a track without tracking_number, with the path", async () => {
    expect((await runPipeline(shipengineAdapter, withData((d) => (d.status_code = "UN")))).type).toBe("ignored");
    expect((await runPipeline(shipengineAdapter, { resource_type: "API_BATCH", resource_url: "x", data: {} })).type).toBe("ignored");
    expect(issuePaths(shipengineAdapter.schema, withData((d) => delete d.tracking_number))).toEqual(["data.tracking_number"]);
  });

  it("fuzz: random bodies and headers never throw (JWKS served)", async () => {
    const jwks = jwksServer([await publicJwk(current, "key-1")]);
    await fuzzAdapter(shipengineAdapter, ["x-shipengine-rsa-sha256-signature", "x-shipengine-rsa-sha256-key-id", "x-shipengine-timestamp"], {
      sampleBodies: [fixture(FIXTURE).text],
      fetch: jwks.fetch,
    });
  });
});
