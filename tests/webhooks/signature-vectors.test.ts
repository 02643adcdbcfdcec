/// <reference types="vite/client" />
/**
 * Every vector in signature-vectors.md, fed to the adapter that owns the scheme: the published
 * (Part A) and derived (Part B) signatures verify on the exact bytes, and a changed body byte, a
 * changed signature, a wrong secret and (where the scheme signs a timestamp) a stale timestamp
 * each fail. The list is checked against the document itself, so a vector added there and not
 * here fails this file.
 */
import { describe, expect, it } from "vitest";
import type { ProviderId } from "../../src/events/model";
import { hmac, toHex, utf8 } from "../../src/lib/crypto";
import type { ProviderAdapter } from "../../src/webhooks/adapter";
import { ADAPTERS } from "../../src/webhooks/registry";
import vectorsDoc from "../fixtures/signature-vectors.md?raw";
import { verifyInput as carrierVerifyInput } from "./carrier-helpers";
import { alterSignature, cfg, fixture, flipByte, sha256, verifyInput } from "./helpdesk-helpers";
import { shipEngineKey, signDelivery } from "./signers";

interface Vector {
  id: string;
  provider: ProviderId;
  secret: string;
  body: Uint8Array;
  /** The header carrying the signature, and the value the document gives. */
  signatureHeader: string;
  expected: string;
  otherHeaders?: Record<string, string>;
  /** Epoch ms of the signed timestamp, for schemes that sign one (the replay window is checked around it). */
  signedAt?: number;
  /** The file's size and SHA-256 as the document states them (B3: the vector only holds for the stored bytes). */
  file?: { path: string; bytes: number; sha256: string };
}

const s = (text: string) => utf8(text);
const file = (path: string) => fixture(path).bytes;
const T = 1_700_000_000;

const VECTORS: Vector[] = [
  // ── Part A: published upstream ──────────────────────────────────────────────────────────
  { id: "A1 EasyPost (NFKD secret)", provider: "easypost", secret: "sécret", body: file("easypost/tracker-updated-in-transit.json"), signatureHeader: "X-Hmac-Signature", expected: "hmac-sha256-hex=38f3f53c103713df81616a0a186d77141957323ec21d5fe9363db93840f527db" },
  { id: "A2 Zendesk (static test secret, literal)", provider: "zendesk", secret: "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==", body: file("zendesk/user-group-membership-created.json"), signatureHeader: "X-Zendesk-Webhook-Signature", expected: "10IqYzYTLHRftNsNE+im0DeOM6/JactIRuy0XCHJ9B8=", otherHeaders: { "X-Zendesk-Webhook-Signature-Timestamp": "1234" }, signedAt: 1234_000 },
  { id: "A2 Zendesk negative check (body without its newline)", provider: "zendesk", secret: "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==", body: file("zendesk/user-group-membership-created.json").slice(0, -1), signatureHeader: "X-Zendesk-Webhook-Signature", expected: "kvWjaewTmBsDVRjQ3UaEiTsGMU5eeIv33St++Kl9z+Q=", otherHeaders: { "X-Zendesk-Webhook-Signature-Timestamp": "1234" }, signedAt: 1234_000 },
  { id: "A3 Help Scout", provider: "helpscout", secret: "your secret key", body: s('{"firstName":"Jackie","lastName":"Chan","email":"jackie.chan@somewhere.com","gender":"male"}'), signatureHeader: "X-HelpScout-Signature", expected: "2iFmnzC8SCNVF/iNiMnSe19yceU=" },
  { id: "A4 Shopify", provider: "shopify", secret: "test_secret_key", body: s('{"foo": "bar"}'), signatureHeader: "X-Shopify-Hmac-Sha256", expected: "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=" },
  // ── B1: Help Scout SDK inputs ───────────────────────────────────────────────────────────
  { id: "B1 Help Scout {\"id\":123}", provider: "helpscout", secret: "asdffdsa", body: s('{"id":123}'), signatureHeader: "X-HelpScout-Signature", expected: "YhXKie6t+YQPJLRzdKWwTPsJN2w=" },
  {
    id: "B1 Help Scout PHP json_encode of the SDK payload",
    provider: "helpscout",
    secret: "asdffdsa",
    // PHP's compact json_encode escapes "/" as "\/": the bytes Help Scout's SDK test signs.
    body: s(JSON.stringify(fixture("helpscout/convo-v2-sdk-test-payload.json").json).replace(/\//g, "\\/")),
    signatureHeader: "X-HelpScout-Signature",
    expected: "3aBAMXGAp6eoh5RG972G8I9J91E=",
  },
  // ── B2: small inline vectors ────────────────────────────────────────────────────────────
  { id: "B2 AfterShip", provider: "aftership", secret: "aftership-test-secret", body: s('{"event":"tracking_update","event_id":"6f4a5b2e-0000-4000-8000-000000000001","is_tracking_first_tag":false,"msg":{"id":"trk_1","tracking_number":"1Z999AA10123456784","tag":"InTransit","subtag":"InTransit_001"},"ts":1700000000}'), signatureHeader: "aftership-hmac-sha256", expected: "Myk/eHMoCSCOQ5iHOsd/pRB1JQDQU5kybbMTf3y+YEw=" },
  { id: "B2 Zammad", provider: "zammad", secret: "zammad-hmac-token", body: s('{"ticket":{"id":1,"number":"31001","state":"open"}}'), signatureHeader: "X-Hub-Signature", expected: "sha1=55601fbfe03f85044dea362d472f2a4114053b09" },
  { id: "B2 Intercom (ping)", provider: "intercom", secret: "intercom-client-secret", body: s('{"type":"notification_event","id":"notif_1","topic":"ping","data":{"type":"notification_event_data","item":{"type":"ping","message":"something something interop"}}}'), signatureHeader: "X-Hub-Signature", expected: "sha1=4f6fcf21e7306455b8a378a2dd746a543839c8e0" },
  { id: "B2 Front rule webhook", provider: "front", secret: "front-company-api-secret", body: s('{"id":"evt_1","type":"assign","emitted_at":1700000000.0}'), signatureHeader: "X-Front-Signature", expected: "54BJEO70unel7fXisYFmDtmrvLs=" },
  { id: "B2 Front application webhook (ms timestamp)", provider: "front", secret: "front-app-secret", body: s('{"type":"sync","authorization":{"id":"cmp_abc"}}'), signatureHeader: "X-Front-Signature", expected: "KKNkyqZNkbIOHtWWDv191IxirEZA7NhobruMZgf5mP8=", otherHeaders: { "X-Front-Request-Timestamp": "1700000000000" }, signedAt: T * 1000 },
  { id: "B2 Chatwoot", provider: "chatwoot", secret: "chatwoot-webhook-secret", body: s('{"event":"message_created","id":1,"message_type":"incoming"}'), signatureHeader: "X-Chatwoot-Signature", expected: "sha256=3852497daafc424b540c619ee4916cb77b709142ca1e0b10ab080fc4ba8da90a", otherHeaders: { "X-Chatwoot-Timestamp": String(T) }, signedAt: T * 1000 },
  { id: "B2 Shippo", provider: "shippo", secret: "shippo-hmac-secret", body: s('{"event":"track_updated","test":true,"data":{"tracking_number":"SHIPPO_TRANSIT"}}'), signatureHeader: "Shippo-Auth-Signature", expected: "t=1700000000,v1=64cd5f0f57f206503c5287af85d2df51aa5a38f00b52646615c2dcbe1d7167c5", signedAt: T * 1000 },
  { id: "B2 17TRACK (plain SHA-256, not HMAC)", provider: "17track", secret: "17track-security-key", body: s('{"event":"TRACKING_UPDATED","data":{"number":"RR123456789CN","carrier":3011}}'), signatureHeader: "sign", expected: "e707420b14c4ae06f8b979b1f4531626ec0794e1dfa08d73750db65c4753405f" },
  { id: "B2 EasyPost (ASCII secret)", provider: "easypost", secret: "easypost-webhook-secret", body: s('{"description":"tracker.updated","id":"evt_1","result":{"object":"Tracker","status":"delivered"}}'), signatureHeader: "X-Hmac-Signature", expected: "hmac-sha256-hex=19df6d24dfe699156a54742bf7af99cd5e5e116b3577af6ae6d79145cc1f53ad" },
  { id: "B2 Zendesk (ISO timestamp)", provider: "zendesk", secret: "zendesk-signing-secret", body: s('{"type":"zen:event-type:ticket.status_changed","id":"00000000-0000-4000-8000-000000000002"}'), signatureHeader: "X-Zendesk-Webhook-Signature", expected: "+QImbWknd85b9DnjkRCr9dPGilVqg/eKFzwHXzpW2wA=", otherHeaders: { "X-Zendesk-Webhook-Signature-Timestamp": "2021-03-25T05:09:27Z" }, signedAt: Date.parse("2021-03-25T05:09:27Z") },
  { id: "B2 EasyPost extra NFKD check", provider: "easypost", secret: "sécret", body: s("x"), signatureHeader: "X-Hmac-Signature", expected: "hmac-sha256-hex=c918f1f85922b572c1529e87f71f32fbfee550b174e33e6b0274135314488a16" },
  // ── B3: over the fixture files as stored (secret fixture-test-secret) ───────────────────
  ...(
    [
      ["aftership", "aftership/tracking-update-2026-07-docs-trimmed.json", 675, "786a75c87bc6dfdaedb046640919a49720993bdccc4dc6029015825f70e611d0", "aftership-hmac-sha256", "8lEu3x8B42TDxhdMZGzUBR3oU4YDwcXsgrsqdM+8gG8="],
      ["shopify", "shopify/fulfillment-events-create.json", 539, "b1740514d6f34c2641db9215cb2319d9ec187329e3d0d2376dc14932617c762e", "X-Shopify-Hmac-Sha256", "LZIGvmkCsUaDlWPUwnT2wptLdrceZpNy4y5P+0RStJo="],
      ["17track", "17track/tracking-updated-delivered-ups.json", 9514, "c00d3cd97558fea2155047bb7ca74dc9e589b650450f0a9b931425a1cfcfa4fc", "sign", "16f1e5c28091a503fc34ff0c3b6ddf25b31aa640e25722f0bb7e4a21b6fc4355"],
      ["shippo", "shippo/track-updated-docs-example.json", 2161, "e53c7f35ed6bb9b110b7023dea790f1e394ccc01f9aa448f31c5db18998aca85", "Shippo-Auth-Signature", "t=1700000000,v1=49cfebfff7e15fc24fb688a683e63111e99a61a9579ddbd695d9379afa5677cd"],
      ["intercom", "intercom/conversation-admin-noted.json", 2268, "5037817688a572987442a1daba78e5d56db566ec5e907e9e162e264642fa3781", "X-Hub-Signature", "sha1=377440760f2f90e0331acfb0fb20e4d7223e3d44"],
      ["zammad", "zammad/ticket-trigger-default-payload.json", 7920, "7b5621403702f4c3015387172e62f09839d245fb5216dbacfba79d8622faba20", "X-Hub-Signature", "sha1=696c9395c472ecbd8651e486661569256dceac5e"],
      ["chatwoot", "chatwoot/message-created-docs-sample.json", 847, "2f58b91934951cc39134e36dff4032625b097a5276fb20ce0ab1c727e61856d4", "X-Chatwoot-Signature", "sha256=726b413e412f1d5d9b4f11d60ca3158b5e100db3a4719c7fb4e10df7f6b0c3d3"],
      ["front", "front/event-assign-api-docs.json", 5134, "873a0987755dfd54df8f72023512e05d27d7915f3b062e88892152491c4c79f0", "X-Front-Signature", "usYlJhHR26eW/Cu57kBQDORoCd8="],
      ["helpscout", "helpscout/convo-v2-sdk-test-payload.json", 1709, "3799808e9d10bb94dcdfcd3628b292900ca5517418dc635f023da715c335c41a", "X-HelpScout-Signature", "scd9Yr4kSWNYMO1tKSl9AOV02Uw="],
      ["zendesk", "zendesk/ticket-created.json", 999, "77e975b5cc2ee3c1fb0590fbf72447b3363c69ed1109f3de615fc130454807c0", "X-Zendesk-Webhook-Signature", "Kz1bo4pRwkgn9YLC6i1rfbLaB0l9fBslnbRY/S9BXbk="],
    ] as const
  ).map(([provider, path, size, hash, signatureHeader, expected]): Vector => ({
    id: `B3 ${path}`,
    provider,
    secret: "fixture-test-secret",
    body: file(path),
    signatureHeader,
    expected,
    file: { path, bytes: size, sha256: hash },
    ...(provider === "chatwoot" || provider === "shippo" ? { signedAt: T * 1000 } : {}),
    ...(provider === "chatwoot" ? { otherHeaders: { "X-Chatwoot-Timestamp": String(T) } } : {}),
    ...(provider === "zendesk" ? { otherHeaders: { "X-Zendesk-Webhook-Signature-Timestamp": "2021-03-25T05:09:27Z" }, signedAt: Date.parse("2021-03-25T05:09:27Z") } : {}),
  })),
];

function verify(v: Vector, over: { body?: Uint8Array; signature?: string; secret?: string; now?: number } = {}) {
  const adapter = ADAPTERS[v.provider] as ProviderAdapter;
  return adapter.verify(
    verifyInput({
      body: over.body ?? v.body,
      headers: { ...(v.otherHeaders ?? {}), [v.signatureHeader]: over.signature ?? v.expected },
      config: cfg([over.secret ?? v.secret]),
      now: over.now ?? v.signedAt ?? Date.now(),
    }),
  );
}

/** Every signature-like value the document gives (header values, hex digests, base64 MACs). */
function valuesInDocument(): string[] {
  const spans = [...vectorsDoc.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!.replace(/^[\w-]+: /, ""));
  const sig = /^(sha1=|sha256=|hmac-sha256-hex=|t=\d+,v1=)?([0-9a-f]{40}|[0-9a-f]{64}|[A-Za-z0-9+/]{27}=|[A-Za-z0-9+/]{43}=)$/;
  return [...new Set(spans.filter((x) => sig.test(x)))];
}

describe("signature-vectors.md", () => {
  it("every signature value and file digest in the document is exercised here", () => {
    const bare = (x: string) => x.replace(/^(sha1=|sha256=|hmac-sha256-hex=)/, "");
    const covered = new Set([...VECTORS.map((v) => bare(v.expected)), ...VECTORS.flatMap((v) => (v.file ? [v.file.sha256] : [])), WITHOUT_NFKD_BODY_X]);
    // Upstream commit ids the document cites as sources ("@ <sha>"): not signatures.
    const sourceCommits = new Set([...vectorsDoc.matchAll(/@ `([0-9a-f]{40})`/g)].map((m) => m[1]!));
    const missing = valuesInDocument().filter((x) => !covered.has(bare(x)) && !sourceCommits.has(x));
    expect(missing).toEqual([]);
    expect(valuesInDocument().length).toBeGreaterThanOrEqual(30);
  });

  for (const v of VECTORS) {
    describe(v.id, () => {
      if (v.file) {
        it("applies: the stored file has the size and SHA-256 the document states", async () => {
          expect(v.body.length).toBe(v.file!.bytes);
          expect(await sha256(v.body)).toBe(v.file!.sha256);
        });
      }
      it("verifies on the exact bytes", async () => {
        expect(await verify(v)).toMatchObject({ ok: true });
      });
      it("fails with one body byte changed (first, middle, last)", async () => {
        for (const i of [0, Math.floor(v.body.length / 2), v.body.length - 1]) {
          expect(await verify(v, { body: flipByte(v.body, i) })).toMatchObject({ ok: false, code: "bad_signature" });
        }
      });
      it("fails with the signature changed", async () => {
        expect(await verify(v, { signature: alterSignature(v.expected) })).toMatchObject({ ok: false, code: "bad_signature" });
        expect(await verify(v, { signature: alterSignature(v.expected, v.expected.length - 12) })).toMatchObject({ ok: false, code: "bad_signature" });
      });
      it("fails with a wrong secret, and with the right one only as the second of two", async () => {
        expect(await verify(v, { secret: `${v.secret}x` })).toMatchObject({ ok: false, code: "bad_signature" });
        const adapter = ADAPTERS[v.provider] as ProviderAdapter;
        const rotated = await adapter.verify(
          verifyInput({ body: v.body, headers: { ...(v.otherHeaders ?? {}), [v.signatureHeader]: v.expected }, config: cfg(["the-new-secret", v.secret]), now: v.signedAt ?? Date.now() }),
        );
        expect(rotated.ok).toBe(true);
      });
      if (v.signedAt !== undefined) {
        it("fails as stale when the signed timestamp is outside the ±5 min window (either side), passes inside it", async () => {
          expect(await verify(v, { now: v.signedAt! + 301_000 })).toMatchObject({ ok: false, code: "stale" });
          expect(await verify(v, { now: v.signedAt! - 301_000 })).toMatchObject({ ok: false, code: "stale" });
          expect(await verify(v, { now: v.signedAt! + 299_000 })).toMatchObject({ ok: true });
        });
      }
    });
  }
});

/** The document gives only the prefix of the non-NFKD EasyPost MAC (A1) and a full one for body "x" (B2). */
const WITHOUT_NFKD_BODY_X = "9371154bf516e3b74f69f2b8ffbbee84292994b6c7685b16786fe1db68d03ef1";

describe("EasyPost NFKD negative checks", () => {
  it("the precomposed secret's MAC (no NFKD) is what the document says, and the adapter refuses it", async () => {
    const precomposed = "s\u00e9cret";
    const a1 = toHex(await hmac("SHA-256", utf8(precomposed), file("easypost/tracker-updated-in-transit.json")));
    expect(a1.startsWith("7f1669d6")).toBe(true);
    const a1Vector = VECTORS[0]!;
    expect(await verify(a1Vector, { signature: `hmac-sha256-hex=${a1}` })).toMatchObject({ ok: false, code: "bad_signature" });
    const bx = toHex(await hmac("SHA-256", utf8(precomposed), s("x")));
    expect(bx).toBe(WITHOUT_NFKD_BODY_X);
    const nfkd = VECTORS.find((v) => v.id === "B2 EasyPost extra NFKD check")!;
    expect(await verify(nfkd, { signature: `hmac-sha256-hex=${bx}` })).toMatchObject({ ok: false, code: "bad_signature" });
    // A store that typed the decomposed form (what NFKD yields) verifies the same deliveries.
    expect(await verify(nfkd, { secret: "se\u0301cret" })).toMatchObject({ ok: true });
  });
});

describe("B4 ShipEngine (RSA, no shared-secret vector): a locally generated key served as a JWKS", () => {
  it("verifies, and fails with a changed byte, a changed signature, another key, a stale timestamp", async () => {
    const key = await shipEngineKey("kid-b4");
    const other = await shipEngineKey("kid-b4");
    const body = file("shipengine/api-track-delivered-usps-2019.json");
    const at = new Date("2026-05-01T12:00:00Z");
    const headers = await signDelivery("shipengine", body, "", { at, rsa: key });
    const jwks: typeof fetch = async () => Response.json(key.jwks);
    const run = (b: Uint8Array, h: Record<string, string>, now = at.getTime()) =>
      ADAPTERS.shipengine.verify(carrierVerifyInput({ body: b, headers: h, config: cfg([], { jwksUrl: `https://jwks.example/${crypto.randomUUID()}/jwks` }), now, fetch: jwks }));
    expect(await run(body, headers)).toMatchObject({ ok: true });
    expect(await run(flipByte(body), headers)).toMatchObject({ ok: false, code: "bad_signature" });
    const sig = headers["x-shipengine-rsa-sha256-signature"]!;
    expect(await run(body, { ...headers, "x-shipengine-rsa-sha256-signature": alterSignature(sig, 10) })).toMatchObject({ ok: false, code: "bad_signature" });
    expect(await run(body, await signDelivery("shipengine", body, "", { at, rsa: other }))).toMatchObject({ ok: false, code: "bad_signature" });
    expect(await run(body, headers, at.getTime() + 301_000)).toMatchObject({ ok: false, code: "stale" });
  });
});
