/**
 * `custom`: a store's own tooling posting the documented event JSON, signed with Standard
 * Webhooks. Signatures come from the reference `standardwebhooks` library (what a store would
 * use), so this proves interoperability, not just agreement with our own code.
 */
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CustomPayload, customAdapter } from "../../src/webhooks/custom";
import { alterSignature, cfg, eventsOf, flipByte, fuzzAdapter, issuePaths, pipeline, verifyInput } from "./helpdesk-helpers";
import { saveRules } from "../support/cases";
import { connect, storedFootprint } from "./intake-harness";

afterEach(() => vi.restoreAllMocks());

const SECRET = "whsec_" + btoa("a-store's-own-signing-secret!");
const AT = new Date("2026-03-02T09:30:05Z");

const MESSAGE = {
  occurredAt: "2026-03-02T09:30:00Z",
  caseKey: { type: "ticket", ticketId: "T-1042" },
  kind: "case.customer_message",
  channel: "email",
  customer: { email: "ana@example.com" },
  orderId: "1042",
  subject: "Where is my order?",
  body: "Hi, my parcel has not arrived yet.",
};

function signed(body: string, id = "msg_2tUQ8", at = AT, secret = SECRET): Record<string, string> {
  return { "webhook-id": id, "webhook-timestamp": String(Math.floor(at.getTime() / 1000)), "webhook-signature": new Webhook(secret).sign(id, at, body) };
}

const verify = (body: Uint8Array | string, headers: Record<string, string>, secrets = [SECRET], now = AT.getTime()) =>
  customAdapter.verify(verifyInput({ body, headers, config: cfg(secrets), now }));

describe("custom verify (Standard Webhooks)", () => {
  const body = JSON.stringify(MESSAGE);

  it("accepts what the standardwebhooks library signs, with a whsec_ secret or its bare base64", async () => {
    expect(await verify(body, signed(body))).toEqual({ ok: true, signedAtMs: Math.floor(AT.getTime() / 1000) * 1000 });
    expect((await verify(body, signed(body), [SECRET.slice(6)])).ok).toBe(true);
    // And the library accepts what our e2e/test signer produces (the same scheme both ways).
    const { signDelivery } = await import("./signers");
    const ours = await signDelivery("custom", body, SECRET, { at: new Date(), deliveryId: "msg_x" });
    expect(() => new Webhook(SECRET).verify(body, ours)).not.toThrow();
  });

  it("accepts a header listing several signatures (the sender rotating) when one matches", async () => {
    const h = signed(body);
    const old = new Webhook("whsec_" + btoa("the sender's previous secret")).sign(h["webhook-id"]!, AT, body);
    expect((await verify(body, { ...h, "webhook-signature": `${old} ${h["webhook-signature"]}` })).ok).toBe(true);
    expect((await verify(body, { ...h, "webhook-signature": `${old} v1a,abc` })).ok).toBe(false);
  });

  it("rejects a changed byte, a changed signature, a changed id, a wrong secret, missing headers", async () => {
    const h = signed(body);
    expect(await verify(flipByte(new TextEncoder().encode(body)), h)).toMatchObject({ ok: false, code: "bad_signature" });
    expect(await verify(body, { ...h, "webhook-signature": alterSignature(h["webhook-signature"]!, 10) })).toMatchObject({ ok: false, code: "bad_signature" });
    expect(await verify(body, { ...h, "webhook-id": "msg_other" })).toMatchObject({ ok: false, code: "bad_signature" });
    expect(await verify(body, h, ["whsec_" + btoa("another store")])).toMatchObject({ ok: false, code: "bad_signature" });
    expect(await verify(body, { "webhook-id": "x" })).toMatchObject({ ok: false, code: "bad_signature" });
  });

  it("a correctly signed delivery outside the window is stale", async () => {
    expect(await verify(body, signed(body), [SECRET], AT.getTime() + 301_000)).toMatchObject({ ok: false, code: "stale" });
    expect(await verify(body, signed(body), [SECRET], AT.getTime() - 301_000)).toMatchObject({ ok: false, code: "stale" });
  });
});

describe("custom normalize", () => {
  it("takes the event as documented: store and provider from the URL, the id from webhook-id unless the body names one", async () => {
    const [e] = eventsOf(await pipeline(customAdapter, MESSAGE, { "webhook-id": "msg_2tUQ8" }));
    expect(e).toEqual({ ...MESSAGE, storeId: "store_1", provider: "custom", providerEventId: "msg_2tUQ8", caseKey: { type: "ticket", provider: "custom", ticketId: "T-1042" } });
    const [named] = eventsOf(await pipeline(customAdapter, { ...MESSAGE, providerEventId: "crm-77" }, { "webhook-id": "msg_2tUQ8" }));
    expect(named?.providerEventId).toBe("crm-77");
    // A body cannot move the event to another store or provider.
    const [sneaky] = eventsOf(await pipeline(customAdapter, { ...MESSAGE, storeId: "st_other", provider: "zendesk" }, { "webhook-id": "m" }));
    expect(sneaky).toMatchObject({ storeId: "store_1", provider: "custom" });
  });

  it("carries shipments and tag-signalled callbacks", async () => {
    const [ship] = eventsOf(
      await pipeline(customAdapter, { occurredAt: "2026-03-02T10:00:00Z", caseKey: { type: "shipment", carrier: "DHL", trackingNumber: "JD0146" }, kind: "shipment.exception", shipment: { carrier: "DHL", trackingNumber: "JD0146", reason: "Held in customs" } }, { "webhook-id": "m1" }),
    );
    expect(ship).toMatchObject({ caseKey: { type: "shipment", carrier: "DHL", trackingNumber: "JD0146" }, shipment: { reason: "Held in customs" } });
    const [cb] = eventsOf(await pipeline(customAdapter, { ...MESSAGE, kind: "case.callback_promised", callback: { at: "2026-03-02T14:00:00+01:00", tag: "callback", phone: "+33 6" } }, { "webhook-id": "m2" }));
    expect(cb?.callback).toEqual({ at: "2026-03-02T14:00:00+01:00", tag: "callback", phone: "+33 6" });
  });

  it("carries what the store's own system knows about the order and the customer", async () => {
    const [e] = eventsOf(await pipeline(customAdapter, { ...MESSAGE, orderValue: { amount: 649.9, currency: "EUR" }, customerTags: ["vip", "wholesale"] }, { "webhook-id": "m3" }));
    expect(e).toMatchObject({ orderValue: { amount: 649.9, currency: "EUR" }, customerTags: ["vip", "wholesale"] });
    // A source that knows only the amount says only that; an empty list says the customer has no tags.
    const [plain] = eventsOf(await pipeline(customAdapter, { ...MESSAGE, orderValue: { amount: 80 }, customerTags: [] }, { "webhook-id": "m4" }));
    expect(plain).toMatchObject({ orderValue: { amount: 80 }, customerTags: [] });
    expect(plain!.orderValue).not.toHaveProperty("currency");
  });

  it("refuses an order value or customer tag that cannot be right, at its path", () => {
    const base = { occurredAt: MESSAGE.occurredAt, caseKey: MESSAGE.caseKey, kind: "case.opened" };
    expect(issuePaths(CustomPayload, { ...base, orderValue: { amount: -20, currency: "EUR" } })).toEqual(["orderValue.amount"]);
    expect(issuePaths(CustomPayload, { ...base, orderValue: { amount: 20, currency: "euro" } })).toEqual(["orderValue.currency"]);
    expect(issuePaths(CustomPayload, { ...base, orderValue: 20 })).toEqual(["orderValue"]);
    expect(issuePaths(CustomPayload, { ...base, orderValue: { amount: "20.00" } })).toEqual(["orderValue.amount"]);
    expect(issuePaths(CustomPayload, { ...base, customerTags: "vip" })).toEqual(["customerTags"]);
    expect(issuePaths(CustomPayload, { ...base, customerTags: ["vip", ""] })).toEqual(["customerTags.1"]);
    const negative = CustomPayload.safeParse({ ...base, orderValue: { amount: -20 } });
    expect(negative.error?.issues[0]?.message).toBe("an order value cannot be negative");
  });

  it("names what each kind needs", () => {
    const base = { occurredAt: MESSAGE.occurredAt, caseKey: MESSAGE.caseKey };
    expect(issuePaths(CustomPayload, { ...base, kind: "case.status_changed" })).toEqual(["status"]);
    expect(issuePaths(CustomPayload, { ...base, kind: "case.priority_changed" })).toEqual(["priority"]);
    expect(issuePaths(CustomPayload, { ...base, kind: "case.rating" })).toEqual(["rating"]);
    expect(issuePaths(CustomPayload, { ...base, kind: "case.callback_promised" })).toEqual(["callback"]);
    expect(issuePaths(CustomPayload, { ...base, kind: "shipment.delivered" })).toEqual(["caseKey.type"]);
    expect(issuePaths(CustomPayload, { ...base, kind: "case.snoozed" })).toEqual(["snoozeUntil"]);
    expect(issuePaths(CustomPayload, { ...base, kind: "case.callback_done", callback: { note: "called" } })).toEqual(["callback.id"]);
    expect(issuePaths(CustomPayload, { ...base, kind: "case.snoozed", snoozeUntil: "2026-03-03T09:00:00Z" })).toEqual([]);
    expect(issuePaths(CustomPayload, { ...base, kind: "case.opened", occurredAt: "yesterday" })).toEqual(["occurredAt"]);
    expect(issuePaths(CustomPayload, { ...base, kind: "case.reopened" })).toEqual(["kind"]);
    expect(issuePaths(CustomPayload, { ...base, kind: "case.status_changed", status: "done" })).toEqual(["status"]);
  });
});

describe("custom through the real fetch handler", () => {
  it("stores a library-signed event once: the retry (same webhook-id) is a duplicate, and the case shows it", async () => {
    const hook = await connect("custom");
    const { Webhook: W } = await import("standardwebhooks");
    const body = JSON.stringify({ ...MESSAGE, caseKey: { type: "ticket", ticketId: `T-${crypto.randomUUID()}` } });
    const now = new Date();
    const headers = { "content-type": "application/json", "webhook-id": "msg_retry_1", "webhook-timestamp": String(Math.floor(now.getTime() / 1000)), "webhook-signature": new W(hook.secret).sign("msg_retry_1", now, body) };
    const first = await hook.post(body, headers);
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    expect(first.body).toMatchObject({ duplicate: false, eventId: "custom:msg_retry_1" });
    const retry = await hook.post(body, headers);
    expect(retry.body).toMatchObject({ duplicate: true, eventId: "custom:msg_retry_1" });
    const view = await hook.readCase(first.body.caseId);
    expect(view.body.timeline.events).toEqual([expect.objectContaining({ eventId: "custom:msg_retry_1", kind: "case.customer_message", provider: "custom" })]);
  });

  it("a VIP customer's big order, posted by the store's tooling, puts the case under the policy written for it", async () => {
    const hook = await connect("custom");
    await saveRules({ storeId: hook.storeId, adminToken: hook.adminToken, tokenId: "" }, {
      policies: [
        { name: "VIP orders over 500", when: { segmentTags: ["vip"], minOrderValue: { amount: 500, currency: "EUR" } }, targets: { firstReply: { byPriority: { normal: "15m" } } } },
        { name: "Everyone", targets: { firstReply: { byPriority: { normal: "8h" } } } },
      ],
    });
    const policyOf = async (extra: Record<string, unknown>) => {
      const body = JSON.stringify({ ...MESSAGE, kind: "case.opened", occurredAt: new Date().toISOString(), caseKey: { type: "ticket", ticketId: `T-${crypto.randomUUID()}` }, ...extra });
      const res = await hook.send(body);
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      return (await hook.readCase(res.body.caseId)).body;
    };
    // The case shows the facts the policy was chosen on, so an agent can see why.
    const vip = await policyOf({ customerTags: ["VIP"], orderValue: { amount: 812, currency: "EUR" } });
    expect(vip).toMatchObject({ rules: { policy: { name: "VIP orders over 500" } }, orderValue: { amount: 812, currency: "EUR" }, customerTags: ["VIP"] });
    expect((await policyOf({ customerTags: ["VIP"], orderValue: { amount: 120, currency: "EUR" } })).rules.policy?.name).toBe("Everyone");
    const noValue = await policyOf({ customerTags: ["VIP"] });
    expect(noValue).toMatchObject({ rules: { policy: { name: "Everyone" } }, orderValue: null, customerTags: ["VIP"] });
  });

  it("an order value that cannot be right is a 400 naming the field, and nothing is stored", async () => {
    const hook = await connect("custom");
    const before = await storedFootprint(hook.storeId);
    const res = await hook.send(JSON.stringify({ ...MESSAGE, orderValue: { amount: -812, currency: "EUR" } }));
    expect(res.status).toBe(400);
    expect(res.body.error.issues).toEqual([{ path: "orderValue.amount", message: "an order value cannot be negative" }]);
    expect(await storedFootprint(hook.storeId)).toEqual(before);
  });

  it("an unsigned or wrongly signed post stores nothing", async () => {
    const hook = await connect("custom");
    const before = await storedFootprint(hook.storeId);
    const body = JSON.stringify(MESSAGE);
    expect((await hook.post(body, { "content-type": "application/json" })).status).toBe(401);
    expect((await hook.post(body, signed(body, "m", new Date(), "whsec_" + btoa("not this store's")))).status).toBe(401);
    expect(await storedFootprint(hook.storeId)).toEqual(before);
  });
});

describe("custom fuzz", () => {
  it("never throws on random bodies and headers", async () => {
    await fuzzAdapter(customAdapter, ["webhook-id", "webhook-timestamp", "webhook-signature"], [JSON.stringify(MESSAGE)], { "webhook-id": "msg_fuzz" });
  });
});
