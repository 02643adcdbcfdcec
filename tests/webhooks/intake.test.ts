/**
 * Webhook intake through the Worker's real fetch handler: provider configuration over the admin
 * API, signed deliveries accepted once and deduplicated, and every kind of rejection answered
 * with the right status while storing nothing.
 */
import { describe, expect, it } from "vitest";
import { hmac, toBase64, utf8 } from "../../src/lib/crypto";
import { ZENDESK_TEST_SECRET } from "../../src/webhooks/zendesk";
import { call, createStore } from "../support/api";
import ticketCreated from "../fixtures/zendesk/ticket-created.json?raw";
import groupMembership from "../fixtures/zendesk/user-group-membership-created.json?raw";
import trackingUpdated from "../fixtures/17track/tracking-updated-delivered-ups.json?raw";
import { connect, storedFootprint } from "./intake-harness";

const SECRET = "zendesk-signing-secret";

async function zendeskHeaders(body: string, secret = SECRET, at = new Date()): Promise<Record<string, string>> {
  const ts = at.toISOString();
  const sig = toBase64(await hmac("SHA-256", secret, utf8(ts + body)));
  return { "content-type": "application/json", "x-zendesk-webhook-signature": sig, "x-zendesk-webhook-signature-timestamp": ts };
}

/** The fixture with a fresh event id and ticket id, so each test has its own case. */
function ticketBody(ticketId: string, eventId = crypto.randomUUID()): string {
  const doc = JSON.parse(ticketCreated);
  doc.id = eventId;
  doc.detail.id = ticketId;
  doc.subject = `zen:ticket:${ticketId}`;
  return JSON.stringify(doc);
}

async function storeWithZendesk(secrets = [SECRET]) {
  const store = await createStore();
  const put = await call("PUT", `/v1/stores/${store.storeId}/providers/zendesk`, { token: store.adminToken, body: { secrets } });
  expect(put.status).toBe(200);
  return store;
}

function post(storeId: string, provider: string, body: string, headers: Record<string, string>) {
  return call("POST", `/hooks/${storeId}/${provider}`, { rawBody: body, headers });
}

describe("provider configuration", () => {
  it("accepts secrets but never returns them", async () => {
    const store = await createStore();
    const put = await call("PUT", `/v1/stores/${store.storeId}/providers/zendesk`, { token: store.adminToken, body: { secrets: ["s3cr3t-value-1", "s3cr3t-value-2"] } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ provider: "zendesk", secretsConfigured: 2, hookUrl: expect.stringContaining(`/hooks/${store.storeId}/zendesk`) });
    const list = await call("GET", `/v1/stores/${store.storeId}/providers`, { token: store.adminToken });
    expect(JSON.stringify([put.body, list.body])).not.toContain("s3cr3t-value");
    expect(list.body.providers).toHaveLength(1);
  });

  it("rejects a third live secret and an unknown provider", async () => {
    const store = await createStore();
    const three = await call("PUT", `/v1/stores/${store.storeId}/providers/zendesk`, { token: store.adminToken, body: { secrets: ["a", "b", "c"] } });
    expect(three.status).toBe(400);
    expect(three.body.error.issues[0].path).toBe("secrets");
    const unknown = await call("PUT", `/v1/stores/${store.storeId}/providers/myspace`, { token: store.adminToken, body: { secrets: ["a"] } });
    expect(unknown.status).toBe(404);
  });

  it("takes provider options at the top level, next to secrets, as the issue shows them", async () => {
    const store = await createStore();
    const put = await call("PUT", `/v1/stores/${store.storeId}/providers/shipengine`, { token: store.adminToken, body: { jwksUrl: "https://api.eu.shipengine.com/jwks" } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.options).toEqual({ jwksUrl: "https://api.eu.shipengine.com/jwks" });
    const zendesk = await call("PUT", `/v1/stores/${store.storeId}/providers/zendesk`, {
      token: store.adminToken,
      body: { secrets: ["s"], callbackTag: "callback", statusMap: { "8447320465790": "waiting-on-third-party" }, subdomain: "acme" },
    });
    expect(zendesk.status, JSON.stringify(zendesk.body)).toBe(200);
    expect(zendesk.body.options).toMatchObject({ callbackTag: "callback", statusMap: { "8447320465790": "waiting-on-third-party" }, subdomain: "acme" });
    const list = await call("GET", `/v1/stores/${store.storeId}/providers`, { token: store.adminToken });
    expect(list.body.providers.find((p: { provider: string }) => p.provider === "shipengine").options).toEqual({ jwksUrl: "https://api.eu.shipengine.com/jwks" });
  });

  it("still takes the nested options form, but not the same option given both ways", async () => {
    const store = await createStore();
    const nested = await call("PUT", `/v1/stores/${store.storeId}/providers/shippo`, { token: store.adminToken, body: { secrets: ["s"], options: { auth: "token" } } });
    expect(nested.status).toBe(200);
    expect(nested.body.options).toEqual({ auth: "token" });
    const mixed = await call("PUT", `/v1/stores/${store.storeId}/providers/zendesk`, { token: store.adminToken, body: { secrets: ["s"], subdomain: "acme", options: { callbackTag: "cb" } } });
    expect(mixed.status).toBe(200);
    expect(mixed.body.options).toMatchObject({ subdomain: "acme", callbackTag: "cb" });
    const both = await call("PUT", `/v1/stores/${store.storeId}/providers/shippo`, { token: store.adminToken, body: { secrets: ["s"], auth: "hmac", options: { auth: "token" } } });
    expect(both.status).toBe(400);
    expect(both.body.error.issues).toEqual([{ path: "auth", message: expect.stringContaining("give it once") }]);
    // The refused request changed nothing.
    const list = await call("GET", `/v1/stores/${store.storeId}/providers`, { token: store.adminToken });
    expect(list.body.providers.find((p: { provider: string }) => p.provider === "shippo").options).toEqual({ auth: "token" });
  });

  it("an unknown top-level key is a 400 naming it and the provider's real options, never a silently lost setting", async () => {
    const store = await createStore();
    const wrong = await call("PUT", `/v1/stores/${store.storeId}/providers/zendesk`, { token: store.adminToken, body: { secrets: ["s"], jwksUrl: "https://api.eu.shipengine.com/jwks" } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.issues).toEqual([{ path: "jwksUrl", message: expect.stringMatching(/unknown field "jwksUrl".*callbackTag.*subdomain/) }]);
    const none = await call("PUT", `/v1/stores/${store.storeId}/providers/aftership`, { token: store.adminToken, body: { secrets: ["s"], secret: "typo", options: { mode: "x" } } });
    expect(none.status).toBe(400);
    expect(none.body.error.issues).toEqual([
      { path: "options.mode", message: expect.stringContaining("AfterShip takes no options") },
      { path: "secret", message: expect.stringContaining("AfterShip takes no options") },
    ]);
    const invalid = await call("PUT", `/v1/stores/${store.storeId}/providers/shipengine`, { token: store.adminToken, body: { jwksUrl: "http://api.shipengine.com/jwks" } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.issues[0].path).toBe("jwksUrl");
    const list = await call("GET", `/v1/stores/${store.storeId}/providers`, { token: store.adminToken });
    expect(list.body.providers).toEqual([]);
  });

  it("store A cannot configure, list or remove store B's providers", async () => {
    const a = await createStore();
    const b = await storeWithZendesk();
    expect((await call("PUT", `/v1/stores/${b.storeId}/providers/zendesk`, { token: a.adminToken, body: { secrets: ["x"] } })).status).toBe(401);
    expect((await call("GET", `/v1/stores/${b.storeId}/providers`, { token: a.adminToken })).status).toBe(401);
    expect((await call("DELETE", `/v1/stores/${b.storeId}/providers/zendesk`, { token: a.adminToken })).status).toBe(401);
    const body = ticketBody("7001");
    expect((await post(b.storeId, "zendesk", body, await zendeskHeaders(body))).status).toBe(202);
  });
});

describe("POST /hooks/:storeId/:provider", () => {
  it("stores a signed delivery once: the retry is a duplicate", async () => {
    const store = await storeWithZendesk();
    const body = ticketBody("5158");
    const first = await post(store.storeId, "zendesk", body, await zendeskHeaders(body));
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ caseId: "ticket:zendesk:5158", duplicate: false });
    const retry = await post(store.storeId, "zendesk", body, await zendeskHeaders(body));
    expect(retry.status).toBe(202);
    expect(retry.body).toMatchObject({ caseId: "ticket:zendesk:5158", duplicate: true, eventId: first.body.eventId });
  });

  it("refuses a changed byte, a wrong secret, another store's secret and a stale timestamp", async () => {
    const a = await storeWithZendesk(["secret-of-a"]);
    const b = await storeWithZendesk(["secret-of-b"]);
    const body = ticketBody("42");
    const signed = await zendeskHeaders(body, "secret-of-a");
    const tampered = await post(a.storeId, "zendesk", body.replace('"LOW"', '"HIGH"'), signed);
    expect(tampered.status).toBe(401);
    expect(tampered.body.error.code).toBe("bad_signature");
    expect((await post(a.storeId, "zendesk", body, await zendeskHeaders(body, "guess"))).body.error.code).toBe("bad_signature");
    expect((await post(b.storeId, "zendesk", body, signed)).status).toBe(401);
    const stale = await post(a.storeId, "zendesk", body, await zendeskHeaders(body, "secret-of-a", new Date(Date.now() - 10 * 60_000)));
    expect(stale.status).toBe(401);
    expect(stale.body.error.code).toBe("stale");
    // None of those created the case: the correctly signed delivery is the first the case sees.
    const ok = await post(a.storeId, "zendesk", body, await zendeskHeaders(body, "secret-of-a"));
    expect(ok.body.duplicate).toBe(false);
  });

  it("accepts either secret during rotation", async () => {
    const store = await storeWithZendesk(["old-secret", "new-secret"]);
    for (const secret of ["old-secret", "new-secret"]) {
      const body = ticketBody(`rot-${secret}`);
      expect((await post(store.storeId, "zendesk", body, await zendeskHeaders(body, secret))).status).toBe(202);
    }
  });

  it("a secret rotated out or a provider removed through the API stops verifying at the next delivery", async () => {
    const store = await storeWithZendesk(["old-secret"]);
    const first = ticketBody("cfg-1");
    expect((await post(store.storeId, "zendesk", first, await zendeskHeaders(first, "old-secret"))).status).toBe(202);
    // The config that delivery read is kept for a few seconds; a change through the API drops it.
    await call("PUT", `/v1/stores/${store.storeId}/providers/zendesk`, { token: store.adminToken, body: { secrets: ["new-secret"] } });
    const second = ticketBody("cfg-2");
    expect((await post(store.storeId, "zendesk", second, await zendeskHeaders(second, "old-secret"))).status).toBe(401);
    expect((await post(store.storeId, "zendesk", second, await zendeskHeaders(second, "new-secret"))).status).toBe(202);
    expect((await call("DELETE", `/v1/stores/${store.storeId}/providers/zendesk`, { token: store.adminToken })).status).toBe(200);
    const third = ticketBody("cfg-3");
    expect((await post(store.storeId, "zendesk", third, await zendeskHeaders(third, "new-secret"))).status).toBe(401);
  });

  it("answers an unknown store, an unknown or unconfigured provider and a bad signature on a real store alike", async () => {
    const store = await storeWithZendesk();
    const body = ticketBody("1");
    const headers = await zendeskHeaders(body);
    const answers = [
      await post("st_ffffffffffffffff", "zendesk", body, headers),
      await post("not-a-store-id", "zendesk", body, headers),
      await post(store.storeId, "myspace", body, headers),
      await post(store.storeId, "freshdesk", body, headers),
      // The real store with Zendesk configured, a wrong signature and none at all.
      await post(store.storeId, "zendesk", body, await zendeskHeaders(body, "a-guessed-secret")),
      await post(store.storeId, "zendesk", body, { "content-type": "application/json" }),
    ];
    const seen = answers.map((a) => [a.status, a.body, a.headers.get("www-authenticate"), a.headers.get("retry-after")]);
    expect(seen[0]).toEqual([401, { error: { code: "bad_signature", message: "the delivery could not be verified for this store and provider" } }, null, null]);
    for (const s of seen) expect(s).toEqual(seen[0]);

    // Zendesk's public test ping (signed with its published test secret) is answered alike too.
    const ping = '{"test":"hello"}';
    const pingHeaders = await zendeskHeaders(ping, ZENDESK_TEST_SECRET);
    const pings = [await post(store.storeId, "zendesk", ping, pingHeaders), await post("st_ffffffffffffffff", "zendesk", ping, pingHeaders)];
    expect(pings.map((a) => [a.status, a.body])).toEqual([
      [200, pings[0]!.body],
      [200, pings[0]!.body],
    ]);
  });

  it("a signed body that is not JSON or fails the schema is a 400 with the field path", async () => {
    const store = await storeWithZendesk();
    const notJson = "{not json";
    const r1 = await post(store.storeId, "zendesk", notJson, await zendeskHeaders(notJson));
    expect(r1.status).toBe(400);
    expect(r1.body.error.code).toBe("invalid_json");
    const doc = JSON.parse(ticketBody("9"));
    delete doc.type;
    const missing = JSON.stringify(doc);
    const r2 = await post(store.storeId, "zendesk", missing, await zendeskHeaders(missing));
    expect(r2.status).toBe(400);
    expect(r2.body.error.issues.map((i: { path: string }) => i.path)).toContain("type");
  });

  it("a well-formed event of a type we do not use is a 202 marked ignored, so the provider stops retrying", async () => {
    const store = await storeWithZendesk();
    const res = await post(store.storeId, "zendesk", groupMembership, await zendeskHeaders(groupMembership));
    expect(res.status).toBe(202);
    expect(res.body.ignored).toBe(true);
    const again = await post(store.storeId, "zendesk", groupMembership, await zendeskHeaders(groupMembership));
    expect(again.body).toMatchObject({ ignored: true, duplicate: true });
  });

  it("an ignored delivery with no event id of its own is still a duplicate when retried, recorded once", async () => {
    // 17TRACK's TRACKING_STOPPED carries no id; its retry is the same bytes.
    const hook = await connect("17track");
    const body = JSON.stringify({ event: "TRACKING_STOPPED", data: { number: "RR123456789CN", carrier: 3011 } });
    const before = await storedFootprint(hook.storeId);
    const first = await hook.send(body);
    expect(first.body).toMatchObject({ ignored: true, duplicate: false });
    const retry = await hook.send(body);
    expect(retry.body).toMatchObject({ ignored: true, duplicate: true });
    expect(await storedFootprint(hook.storeId)).toEqual({ cases: before.cases, ignored: before.ignored + 1 });
    // Another delivery (one byte apart) is its own row.
    const other = await hook.send(body.replace("RR123456789CN", "RR123456789CX"));
    expect(other.body).toMatchObject({ ignored: true, duplicate: false });
    expect((await storedFootprint(hook.storeId)).ignored).toBe(before.ignored + 2);
  });

  it("the same bytes under another event header are another ignored delivery (Help Scout names the event in a header)", async () => {
    const hook = await connect("helpscout");
    const body = JSON.stringify({ id: 5, firstName: "Ana", email: "ana@example.com" });
    const before = await storedFootprint(hook.storeId);
    expect((await hook.send(body, { event: "customer.created" })).body).toMatchObject({ ignored: true, duplicate: false });
    expect((await hook.send(body, { event: "customer.updated" })).body).toMatchObject({ ignored: true, duplicate: false });
    expect((await hook.send(body, { event: "customer.created" })).body).toMatchObject({ ignored: true, duplicate: true });
    expect((await storedFootprint(hook.storeId)).ignored).toBe(before.ignored + 2);
  });

  it("17TRACK is answered exactly 200 (it retries anything else, 202 included), stored, duplicate or ignored", async () => {
    const hook = await connect("17track");
    const stored = await hook.send(trackingUpdated);
    expect(stored.status).toBe(200);
    expect(stored.body).toMatchObject({ caseId: "shipment:ups:1Z2617V10397725789", duplicate: false });
    const retry = await hook.send(trackingUpdated);
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ duplicate: true, eventId: stored.body.eventId });
    const ignored = await hook.send(JSON.stringify({ event: "TRACKING_STOPPED", data: { number: "1Z2617V10397725789", carrier: 100002 } }));
    expect(ignored.status).toBe(200);
    expect(ignored.body).toMatchObject({ ignored: true });
    // Refusals keep their own codes: 17TRACK should not take a forged request for success.
    expect((await hook.post(trackingUpdated, { "content-type": "application/json", sign: "0".repeat(64) })).status).toBe(401);
  });

  it("refuses bodies over 1 MiB before reading them whole", async () => {
    const store = await storeWithZendesk();
    const big = "x".repeat(1024 * 1024 + 1);
    const res = await post(store.storeId, "zendesk", big, { "content-type": "application/json" });
    expect(res.status).toBe(413);
  });
});
