/**
 * What every provider gets back from intake, through the real fetch handler: 400 with the field
 * path for a signed body that fails its schema, 202 `ignored` for a well-formed event type we do
 * not use, test pings answered the way each provider expects, 413 over 1 MiB, never a 410 — and
 * nothing stored for any rejection.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { PROVIDERS, type ProviderId } from "../../src/events/model";
import { ADAPTER_LIST } from "../../src/webhooks/registry";
import { call } from "../support/api";
import { connect, fixtureText, storedFootprint } from "./intake-harness";
import { shipEngineKey, signDelivery, type SignOptions } from "./signers";

afterEach(() => vi.restoreAllMocks());

const NOW = () => new Date().toISOString();

/** A signed body per provider that fails its schema, and the path the 400 must name. */
const INVALID: { provider: ProviderId; body: () => unknown; sign?: SignOptions; path: string }[] = [
  { provider: "zendesk", body: () => ({ type: "zen:event-type:ticket.created", id: crypto.randomUUID(), time: NOW(), detail: {} }), path: "detail.id" },
  { provider: "freshdesk", body: () => ({ freshdesk_webhook: { event: "ticket_updated" } }), path: "freshdesk_webhook.ticket_id" },
  { provider: "gorgias", body: () => ({ event: "ticket_updated" }), path: "ticket_id" },
  { provider: "helpscout", body: () => ({ number: 12 }), path: "id" },
  { provider: "zammad", body: () => ({ ticket: { title: "no id" } }), path: "ticket.id" },
  { provider: "chatwoot", body: () => ({ event: "message_created", message_type: "incoming", content: "hi" }), path: "conversation" },
  { provider: "intercom", body: () => ({ type: "notification_event", id: "notif_1", topic: "conversation.user.replied", data: { item: { type: "conversation" } } }), path: "data.item.id" },
  { provider: "front", body: () => ({ type: "inbound" }), path: "conversation" },
  // Shopify's topic is a header, so the topic's schema runs while normalizing: still a 400 with paths.
  { provider: "shopify", body: () => ({ id: 1 }), sign: { event: "fulfillment_events/create" }, path: "fulfillment_id" },
  { provider: "easypost", body: () => ({ id: "evt_1", description: "tracker.updated", result: { carrier: "UPS" } }), path: "result.tracking_code" },
  { provider: "aftership", body: () => ({ event: "tracking_update", event_id: crypto.randomUUID(), msg: { slug: "ups" } }), path: "msg.tracking_number" },
  { provider: "shippo", body: () => ({ event: "track_updated", data: { carrier: "usps" } }), path: "data.tracking_number" },
  { provider: "17track", body: () => ({ event: "TRACKING_UPDATED", data: { carrier: 100002 } }), path: "data.number" },
  { provider: "shipengine", body: () => ({ resource_type: "API_TRACK", data: { status_code: "IT" } }), path: "data.tracking_number" },
  { provider: "custom", body: () => ({ occurredAt: NOW(), caseKey: { type: "ticket", ticketId: "T-1" }, kind: "case.status_changed" }), path: "status" },
];

/**
 * A well-formed event of a type Promptly does not act on, and the 2xx its provider needs (202
 * unless said). `custom` has none: its kinds are the model's.
 */
const UNUSED: { provider: ProviderId; body: () => unknown; sign?: SignOptions; status?: number }[] = [
  { provider: "zendesk", body: () => ({ type: "zen:event-type:organization.created", id: crypto.randomUUID(), time: NOW(), detail: { id: "1" } }) },
  { provider: "freshdesk", body: () => JSON.parse(fixtureText("freshdesk/automation-webhook-body-template-RECONSTRUCTED.json")) },
  { provider: "gorgias", body: () => JSON.parse(fixtureText("gorgias/http-integration-body-template-RECONSTRUCTED.json")) },
  { provider: "helpscout", body: () => ({ id: 5, firstName: "Ana", email: "ana@example.com" }), sign: { event: "customer.created" } },
  { provider: "zammad", body: () => ({ ticket: { id: 9, state: "waiting for parts", updated_at: NOW() } }) },
  { provider: "chatwoot", body: () => ({ event: "contact_created", id: 4, name: "Ana" }) },
  { provider: "intercom", body: () => ({ type: "notification_event", id: `notif_${crypto.randomUUID()}`, topic: "contact.user.created", data: { item: { type: "contact", id: "c1" } } }) },
  { provider: "front", body: () => ({ ...JSON.parse(fixtureText("front/event-assign-api-docs.json")), id: `evt_${crypto.randomUUID()}`, type: "mention" }) },
  { provider: "shopify", body: () => ({ id: 820982911946154500 }), sign: { event: "orders/create" } },
  { provider: "easypost", body: () => ({ id: `evt_${crypto.randomUUID()}`, description: "batch.created", result: { object: "Batch" } }) },
  { provider: "aftership", body: () => ({ event: "tracking_pending_time", event_id: crypto.randomUUID(), msg: {} }) },
  { provider: "shippo", body: () => ({ event: "transaction_created", test: true, data: { object_id: "x" } }) },
  // 17TRACK retries every answer but exactly 200.
  { provider: "17track", body: () => ({ event: "TRACKING_STOPPED", data: { number: "RR123456789CN", carrier: 3011 } }), status: 200 },
  { provider: "shipengine", body: () => ({ resource_url: "https://api.shipengine.com/v1/batches/se-1", resource_type: "BATCH", data: {} }) },
];

describe("a signed body that fails the provider's schema is a 400 naming the field, and stores nothing", () => {
  it("lists every provider", () => {
    expect(INVALID.map((x) => x.provider).sort()).toEqual([...PROVIDERS].sort());
    expect(UNUSED.map((x) => x.provider).sort()).toEqual(PROVIDERS.filter((p) => p !== "custom").sort());
  });
  for (const x of INVALID) {
    it(x.provider, async () => {
      const hook = await connect(x.provider);
      const before = await storedFootprint(hook.storeId);
      const res = await hook.send(JSON.stringify(x.body()), x.sign ?? {});
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.code).toBe("validation_failed");
      expect(res.body.error.issues.map((i: { path: string }) => i.path)).toContain(x.path);
      expect(await storedFootprint(hook.storeId)).toEqual(before);
    });
  }

  it("a signed body that is not JSON is 400 invalid_json for every provider", async () => {
    for (const x of INVALID) {
      const hook = await connect(x.provider);
      const res = await hook.send("{\"truncated\": ", x.sign ?? {});
      expect(res.status, x.provider).toBe(400);
      expect(res.body.error.code).toBe("invalid_json");
      vi.restoreAllMocks();
    }
  });
});

describe("a well-formed event type we do not use is 2xx ignored, recorded once, and its retry is a duplicate", () => {
  for (const x of UNUSED) {
    it(x.provider, async () => {
      const hook = await connect(x.provider);
      const before = await storedFootprint(hook.storeId);
      const body = JSON.stringify(x.body());
      const sign = { deliveryId: `dlv-${x.provider}-unused`, ...(x.sign ?? {}) };
      const res = await hook.send(body, sign);
      expect(res.status, JSON.stringify(res.body)).toBe(x.status ?? 202);
      expect(res.body).toMatchObject({ ignored: true, duplicate: false, reason: expect.any(String) });
      // The provider's retry (same bytes, re-signed): recognised, whether or not the provider gives an id.
      const retry = await hook.send(body, sign);
      expect(retry.status).toBe(x.status ?? 202);
      expect(retry.body).toMatchObject({ ignored: true, duplicate: true });
      expect(await storedFootprint(hook.storeId)).toEqual({ cases: before.cases, ignored: before.ignored + 1 });
    });
  }
});

describe("provider test pings", () => {
  it("Zendesk's pre-creation test webhook (static test secret) is 200 and stores nothing", async () => {
    const hook = await connect("zendesk");
    const body = JSON.stringify({ message: "Test webhook from Zendesk" });
    const headers = await signDelivery("zendesk", body, "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==");
    const before = await storedFootprint(hook.storeId);
    const res = await hook.post(body, headers);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ test: true });
    expect(await storedFootprint(hook.storeId)).toEqual(before);
  });

  it("Help Scout's helpscout.test is 200 when signed, 401 (never 410) when not, and stores nothing", async () => {
    const hook = await connect("helpscout");
    const body = JSON.stringify({ id: 1, test: true });
    const before = await storedFootprint(hook.storeId);
    expect((await hook.send(body, { event: "helpscout.test" })).status).toBe(200);
    const forged = await hook.post(body, { "x-helpscout-event": "helpscout.test", "x-helpscout-signature": "bm90IGEgc2lnbmF0dXJl" });
    expect(forged.status).toBe(401);
    expect(await storedFootprint(hook.storeId)).toEqual(before);
  });

  it("Front's sync validation is answered with its challenge only when signed with the app secret", async () => {
    const hook = await connect("front");
    const body = fixtureText("front/app-webhook-validation-sync.json");
    const ok = await hook.send(body, { frontApp: true, headers: { "x-front-challenge": "abc123" } });
    expect(ok).toMatchObject({ status: 200, body: { challenge: "abc123" } });
    const forged = await hook.post(body, { "x-front-challenge": "abc123", "x-front-signature": "AAAA", "x-front-request-timestamp": String(Date.now()) });
    expect(forged.status).toBe(401);
  });

  it("Intercom's ping topic (vector B2's body) is 200 and stores nothing", async () => {
    const hook = await connect("intercom");
    const body = '{"type":"notification_event","id":"notif_1","topic":"ping","data":{"type":"notification_event_data","item":{"type":"ping","message":"something something interop"}}}';
    const before = await storedFootprint(hook.storeId);
    const res = await hook.send(body);
    expect(res.status).toBe(200);
    expect(await storedFootprint(hook.storeId)).toEqual(before);
  });
});

describe("limits and answers", () => {
  it("413 over 1 MiB, announced by Content-Length or not (a chunked stream), before verifying or storing", async () => {
    const hook = await connect("zendesk");
    const before = await storedFootprint(hook.storeId);
    const big = "x".repeat(1024 * 1024 + 1);
    expect((await hook.send(big)).status).toBe(413);
    const chunk = new TextEncoder().encode("y".repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > 1024 * 1024 + chunk.length) controller.close();
        else {
          sent += chunk.length;
          controller.enqueue(chunk);
        }
      },
    });
    const streamed = await call("POST", `/hooks/${hook.storeId}/zendesk`, { rawBody: stream, headers: { "content-type": "application/json" } });
    expect(streamed.status).toBe(413);
    expect(streamed.body.error.code).toBe("body_too_large");
    // Exactly 1 MiB is still read (and then refused only because it is not a signed event).
    expect((await hook.post("z".repeat(1024 * 1024), { "content-type": "application/json" })).status).toBe(401);
    expect(await storedFootprint(hook.storeId)).toEqual(before);
  });

  it("a removed provider is refused with 401 like an unsigned delivery, never 410 (Help Scout disables a webhook on 410)", async () => {
    const hook = await connect("helpscout");
    const body = fixtureText("helpscout/convo-v2-sdk-test-payload.json");
    expect((await hook.send(body, { event: "convo.status" })).status).toBe(202);
    expect((await call("DELETE", `/v1/stores/${hook.storeId}/providers/helpscout`, { token: hook.adminToken })).status).toBe(200);
    const after = await hook.send(body, { event: "convo.status" });
    expect(after.status).toBe(401);
  });

  it("ShipEngine is configured without a shared secret; every other provider needs one", async () => {
    const hook = await connect("zendesk");
    const none = await call("PUT", `/v1/stores/${hook.storeId}/providers/aftership`, { token: hook.adminToken, body: { options: {} } });
    expect(none.status).toBe(400);
    expect(none.body.error.issues).toEqual([{ path: "secrets", message: expect.stringContaining("AfterShip") }]);
    const se = await call("PUT", `/v1/stores/${hook.storeId}/providers/shipengine`, { token: hook.adminToken, body: { options: { jwksUrl: "https://api.eu.shipengine.com/jwks" } } });
    expect(se.status).toBe(200);
    expect(se.body).toMatchObject({ provider: "shipengine", secretsConfigured: 0, options: { jwksUrl: "https://api.eu.shipengine.com/jwks" } });
  });

  it("ShipEngine's key endpoint down: 503 with Retry-After so ShipEngine retries, nothing stored", async () => {
    const hook = await connect("shipengine", { options: { jwksUrl: "https://jwks-down.example/jwks" } });
    const key = await shipEngineKey("unreachable-key");
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("bad gateway", { status: 502 }));
    const before = await storedFootprint(hook.storeId);
    const res = await hook.send(fixtureText("shipengine/api-track-delivered-usps-2019.json"), { rsa: key });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe("verification_unavailable");
    expect(res.headers.get("retry-after")).toBe("60");
    expect(await storedFootprint(hook.storeId)).toEqual(before);
  });

  it("a misspelt or invalid option is a 400 naming it, not a silently ignored setting", async () => {
    const hook = await connect("zendesk");
    const typo = await call("PUT", `/v1/stores/${hook.storeId}/providers/zendesk`, { token: hook.adminToken, body: { secrets: ["s"], options: { callbacktag: "callback" } } });
    expect(typo.status).toBe(400);
    expect(typo.body.error.issues).toEqual([{ path: "options.callbacktag", message: expect.stringContaining("callbackTag") }]);
    const topLevelTypo = await call("PUT", `/v1/stores/${hook.storeId}/providers/zendesk`, { token: hook.adminToken, body: { secrets: ["s"], callbacktag: "callback" } });
    expect(topLevelTypo.status).toBe(400);
    expect(topLevelTypo.body.error.issues).toEqual([{ path: "callbacktag", message: expect.stringContaining("callbackTag") }]);
    const bad = await call("PUT", `/v1/stores/${hook.storeId}/providers/zendesk`, { token: hook.adminToken, body: { secrets: ["s"], options: { statusMap: { awaiting: "later" } } } });
    expect(bad.body.error.issues[0].path).toBe("options.statusMap.awaiting");
    const shippo = await call("PUT", `/v1/stores/${hook.storeId}/providers/shippo`, { token: hook.adminToken, body: { secrets: ["s"], options: { auth: "basic" } } });
    expect(shippo.body.error.issues[0].path).toBe("options.auth");
    const shippoTop = await call("PUT", `/v1/stores/${hook.storeId}/providers/shippo`, { token: hook.adminToken, body: { secrets: ["s"], auth: "basic" } });
    expect(shippoTop.body.error.issues[0].path).toBe("auth");
    // Nothing was changed by the refused requests: the provider still verifies with its old secret.
    expect((await hook.send(JSON.stringify({ type: "zen:event-type:user.created", id: crypto.randomUUID(), time: new Date().toISOString() }))).status).toBe(202);
  });

  it("a store's secret never verifies a delivery to another store, for any provider", async () => {
    for (const provider of ADAPTER_LIST.filter((a) => !a.noSharedSecret).map((a) => a.id)) {
      const a = await connect(provider);
      const b = await connect(provider);
      // Same provider, same fixture secret shape, but each store has its own value.
      await call("PUT", `/v1/stores/${b.storeId}/providers/${provider}`, { token: b.adminToken, body: { secrets: [provider === "custom" ? "whsec_" + btoa("another-stores-secret") : "another-stores-secret"] } });
      const body = JSON.stringify({ probe: provider });
      const headers = await signDelivery(provider, body, a.secret, { event: "convo.created" });
      expect((await b.post(body, headers)).status, provider).toBe(401);
    }
  });
});
