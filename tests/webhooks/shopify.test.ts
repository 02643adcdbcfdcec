import { describe, expect, it } from "vitest";
import { z } from "zod";
import { caseIdOf } from "../../src/events/model";
import { hmac, toBase64, utf8 } from "../../src/lib/crypto";
import { shopifyAdapter } from "../../src/webhooks/shopify";
import {
  alterSignature,
  config,
  edited,
  fileSha256,
  fixture,
  fixturePaths,
  flipByte,
  fuzzAdapter,
  issuePaths,
  onlyEvent,
  runPipeline,
  verifyInput,
} from "./carrier-helpers";

const EVENT_FIXTURE = "shopify/fulfillment-events-create.json";
const FULFILLMENT_FIXTURE = "shopify/fulfillments-update.json";
const eventHeaders = { "x-shopify-topic": "fulfillment_events/create", "x-shopify-webhook-id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043" };
const fulfillmentHeaders = { "x-shopify-topic": "fulfillments/update", "x-shopify-webhook-id": "0f4b8a8e-1111-4c5d-9e1e-2a2f6c7d8e9f" };

async function sign(secret: string, body: Uint8Array): Promise<string> {
  return toBase64(await hmac("SHA-256", secret, body));
}

describe("shopify verify", () => {
  it("accepts the published shopify-app-js vector (A4)", async () => {
    const r = await shopifyAdapter.verify(
      verifyInput({ body: '{"foo": "bar"}', headers: { "X-Shopify-Hmac-Sha256": "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=" }, config: config(["test_secret_key"]) }),
    );
    expect(r).toEqual({ ok: true });
  });

  it("accepts the derived vector over the stored fulfillment_events fixture (B3)", async () => {
    const { bytes } = fixture(EVENT_FIXTURE);
    expect(await fileSha256(bytes)).toBe("b1740514d6f34c2641db9215cb2319d9ec187329e3d0d2376dc14932617c762e");
    const r = await shopifyAdapter.verify(
      verifyInput({ body: bytes, headers: { "x-shopify-hmac-sha256": "LZIGvmkCsUaDlWPUwnT2wptLdrceZpNy4y5P+0RStJo=" }, config: config(["fixture-test-secret"]) }),
    );
    expect(r.ok).toBe(true);
  });

  const sig = "LZIGvmkCsUaDlWPUwnT2wptLdrceZpNy4y5P+0RStJo=";
  it.each([
    ["a changed body byte", () => ({ body: flipByte(fixture(EVENT_FIXTURE).bytes), sig, secret: "fixture-test-secret" })],
    ["a changed signature", () => ({ body: fixture(EVENT_FIXTURE).bytes, sig: alterSignature(sig), secret: "fixture-test-secret" })],
    ["a wrong secret", () => ({ body: fixture(EVENT_FIXTURE).bytes, sig, secret: "fixture-test-secreT" })],
    ["a re-serialized body", () => ({ body: utf8(JSON.stringify(fixture(EVENT_FIXTURE).json)), sig, secret: "fixture-test-secret" })],
  ])("rejects %s as bad_signature", async (_name, make) => {
    const { body, sig: s, secret } = make();
    const r = await shopifyAdapter.verify(verifyInput({ body, headers: { "x-shopify-hmac-sha256": s }, config: config([secret]) }));
    expect(r).toMatchObject({ ok: false, code: "bad_signature" });
  });

  it("rejects a missing header and a non-base64 header", async () => {
    const body = fixture(EVENT_FIXTURE).bytes;
    expect((await shopifyAdapter.verify(verifyInput({ body, config: config(["fixture-test-secret"]) }))).ok).toBe(false);
    expect((await shopifyAdapter.verify(verifyInput({ body, headers: { "x-shopify-hmac-sha256": "!!not base64!!" }, config: config(["fixture-test-secret"]) }))).ok).toBe(false);
  });

  it("verifies with either of two live secrets during rotation, and with neither when both are wrong", async () => {
    const body = utf8('{"id":1}');
    const oldSig = await sign("old-secret", body);
    const newSig = await sign("new-secret", body);
    const rotating = config(["old-secret", "new-secret"]);
    expect((await shopifyAdapter.verify(verifyInput({ body, headers: { "x-shopify-hmac-sha256": oldSig }, config: rotating }))).ok).toBe(true);
    expect((await shopifyAdapter.verify(verifyInput({ body, headers: { "x-shopify-hmac-sha256": newSig }, config: rotating }))).ok).toBe(true);
    expect((await shopifyAdapter.verify(verifyInput({ body, headers: { "x-shopify-hmac-sha256": newSig }, config: config(["old-secret", "other"]) }))).ok).toBe(false);
  });
});

describe("shopify normalize", () => {
  it("covers every vendored Shopify fixture", () => {
    expect(fixturePaths("shopify").sort()).toEqual([EVENT_FIXTURE, FULFILLMENT_FIXTURE]);
  });

  it("turns the fulfillment_events/create sample into an in-transit event for the order, keeping its exact 18-digit id", async () => {
    const e = await onlyEvent(shopifyAdapter, fixture(EVENT_FIXTURE).text, eventHeaders);
    expect(e).toMatchObject({
      provider: "shopify",
      kind: "shipment.in_transit",
      providerEventId: expect.stringMatching(/^shopify-body:[0-9a-f]{40}$/),
      occurredAt: "2022-01-01T00:00:00.000Z",
      orderId: "820982911946154508",
      rawStatus: "in_transit",
      // A stand-in for the parcel, which the event does not name (intake resolves it).
      caseKey: { type: "shipment", carrier: "shopify", trackingNumber: "FULFILLMENT-123456" },
      standInKey: true,
      shipment: { reason: "Item is now in transit", location: "CA" },
    });
    expect(e.alsoKnownAs).toBeUndefined();
    expect(e.shipment?.estimatedDelivery).toBeUndefined();
  });

  it("turns the fulfillments/update sample into a label-created event keyed by carrier and tracking number, with the customer's contact", async () => {
    const e = await onlyEvent(shopifyAdapter, fixture(FULFILLMENT_FIXTURE).text, fulfillmentHeaders);
    expect(e).toMatchObject({
      kind: "shipment.label_created",
      providerEventId: expect.stringMatching(/^shopify-body:[0-9a-f]{40}$/),
      occurredAt: "2022-01-01T00:00:00.000Z",
      caseKey: { type: "shipment", carrier: "ups", trackingNumber: "1Z827WK74630" },
      orderId: "820982911946154508",
      customer: { email: "jon@example.com", phone: "555-555-SHIP", name: "Steve Shipper" },
      rawStatus: "pending",
      url: "https://www.ups.com/WebTracking?loc=en_US&requester=ST&trackNums=1z827wk74630",
    });
    // The same parcel reported by a carrier aggregator in upper case lands in the same case.
    expect(caseIdOf(e.caseKey)).toBe(caseIdOf({ type: "shipment", carrier: "ups", trackingNumber: "1Z827WK74630" }));
    // It names the stand-in its fulfillment's events use, exactly as they build it.
    const standIn = (await onlyEvent(shopifyAdapter, fixture(EVENT_FIXTURE).text, eventHeaders)).caseKey;
    expect(e.alsoKnownAs).toEqual([standIn]);
    expect(e.standInKey).toBeUndefined();
  });

  it("reads fulfillments/create like fulfillments/update: the parcel's key, and the stand-in it replaces", async () => {
    const created = await onlyEvent(shopifyAdapter, fixture(FULFILLMENT_FIXTURE).text, { ...fulfillmentHeaders, "x-shopify-topic": "fulfillments/create" });
    const updated = await onlyEvent(shopifyAdapter, fixture(FULFILLMENT_FIXTURE).text, fulfillmentHeaders);
    expect(created.caseKey).toEqual(updated.caseKey);
    expect(created.alsoKnownAs).toEqual([{ type: "shipment", carrier: "shopify", trackingNumber: "FULFILLMENT-123456" }]);
  });

  it.each([
    ["delivered", "shipment.delivered"],
    ["attempted_delivery", "shipment.delivery_failed"],
    ["out_for_delivery", "shipment.out_for_delivery"],
    ["failure", "shipment.exception"],
  ] as const)("maps a fulfillment's shipment_status %s to %s", async (status, kind) => {
    const body = edited(fixture(FULFILLMENT_FIXTURE).json, (d) => {
      d.shipment_status = status;
      d.status = "success";
    });
    const e = await onlyEvent(shopifyAdapter, body, fulfillmentHeaders);
    expect(e.kind).toBe(kind);
    expect(e.rawStatus).toBe(`success/${status}`);
  });

  it("reports a cancelled fulfillment as an exception someone should look at", async () => {
    const body = edited(fixture(FULFILLMENT_FIXTURE).json, (d) => {
      d.status = "cancelled";
    });
    const e = await onlyEvent(shopifyAdapter, body, fulfillmentHeaders);
    expect(e.kind).toBe("shipment.exception");
    expect(e.shipment?.reason).toMatch(/cancelled/i);
  });

  it("maps a 'delayed' fulfillment event to eta_later and carries the new estimate", async () => {
    const body = edited(fixture(EVENT_FIXTURE).json, (d) => {
      d.status = "delayed";
      d.message = "Weather delay";
      d.estimated_delivery_at = "2022-01-05T17:00:00-05:00";
    });
    const e = await onlyEvent(shopifyAdapter, body, eventHeaders);
    expect(e.kind).toBe("shipment.eta_later");
    expect(e.shipment).toMatchObject({ reason: "Weather delay", estimatedDelivery: "2022-01-05T22:00:00.000Z" });
  });

  it("the signed bytes are the identity: a new X-Shopify-Webhook-Id, or none, does not make a new event", async () => {
    const headers = { "x-shopify-topic": "fulfillment_events/create" };
    const a = await onlyEvent(shopifyAdapter, fixture(EVENT_FIXTURE).text, headers);
    const b = await onlyEvent(shopifyAdapter, fixture(EVENT_FIXTURE).text, headers);
    const replayed = await onlyEvent(shopifyAdapter, fixture(EVENT_FIXTURE).text, eventHeaders);
    const otherId = await onlyEvent(shopifyAdapter, fixture(EVENT_FIXTURE).text, { ...eventHeaders, "x-shopify-webhook-id": "a-new-id-from-a-replayer" });
    const c = await onlyEvent(shopifyAdapter, edited(fixture(EVENT_FIXTURE).json, (d) => { d.status = "delivered"; }), headers);
    expect(a.providerEventId).toBe(b.providerEventId);
    expect(replayed.providerEventId).toBe(a.providerEventId);
    expect(otherId.providerEventId).toBe(a.providerEventId);
    expect(c.providerEventId).not.toBe(a.providerEventId);
  });

  it("the body wins over the unsigned topic: a fulfillment event sent as fulfillments/update is still that event", async () => {
    const asEvent = await onlyEvent(shopifyAdapter, fixture(EVENT_FIXTURE).text, eventHeaders);
    const relabelled = await onlyEvent(shopifyAdapter, fixture(EVENT_FIXTURE).text, { ...fulfillmentHeaders, "x-shopify-webhook-id": "another" });
    expect(relabelled).toEqual(asEvent);
  });

  it("ignores other topics and fulfillments without a tracking number", async () => {
    const other = await runPipeline(shopifyAdapter, { id: 1, email: "a@b.c" }, { "x-shopify-topic": "orders/create", "x-shopify-webhook-id": "w1" });
    expect(other).toMatchObject({ type: "ignored", providerEventId: expect.stringMatching(/^shopify-body:/) });
    const untracked = edited(fixture(FULFILLMENT_FIXTURE).json, (d) => {
      d.tracking_number = null;
      d.tracking_numbers = [];
    });
    expect((await runPipeline(shopifyAdapter, untracked, fulfillmentHeaders)).type).toBe("ignored");
  });

  it("rejects a used topic's body missing a field we need, with its path", async () => {
    const body = edited(fixture(EVENT_FIXTURE).json, (d) => {
      delete d.fulfillment_id;
    });
    const err = await runPipeline(shopifyAdapter, body, eventHeaders).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(z.ZodError);
    expect((err as z.ZodError).issues.map((i) => i.path.join("."))).toContain("fulfillment_id");
    expect(issuePaths(shopifyAdapter.schema, { email: "x" })).toContain("id");
    expect(shopifyAdapter.schema.safeParse([1, 2]).success).toBe(false);
  });

  it("fuzz: random bodies and headers never throw from verify and never pass the schema as garbage", async () => {
    await fuzzAdapter(shopifyAdapter, ["x-shopify-hmac-sha256", "x-shopify-topic", "x-shopify-webhook-id"], {
      sampleBodies: [fixture(EVENT_FIXTURE).text, fixture(FULFILLMENT_FIXTURE).text],
    });
  });
});
