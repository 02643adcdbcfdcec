/**
 * One parcel, one case: Shopify's fulfillment events name only their fulfillment, its fulfillment
 * webhooks name the parcel. Through the real fetch handler, with the vendored fixtures (the same
 * fulfillment, 123456, shipped as UPS 1Z827WK74630).
 */
import { describe, expect, it } from "vitest";
import { call } from "../support/api";
import { connect, fixtureText, type Connected } from "./intake-harness";

const PARCEL = "shipment:ups:1Z827WK74630";
const STAND_IN = "shipment:shopify:FULFILLMENT-123456";

function fulfillment(edit: (d: Record<string, unknown>) => void = () => {}): string {
  const doc = JSON.parse(fixtureText("shopify/fulfillments-update.json")) as Record<string, unknown>;
  edit(doc);
  return JSON.stringify(doc);
}

function fulfillmentEvent(status: string, happenedAt: string): string {
  const doc = JSON.parse(fixtureText("shopify/fulfillment-events-create.json")) as Record<string, unknown>;
  return JSON.stringify({ ...doc, status, happened_at: happenedAt });
}

function tracked(trackingNumber: string, updatedAt: string) {
  return fulfillment((d) => {
    d.tracking_number = trackingNumber;
    d.tracking_numbers = [trackingNumber];
    d.updated_at = updatedAt;
  });
}

async function caseIds(hook: Connected): Promise<string[]> {
  const list = await call("GET", `/v1/stores/${hook.storeId}/cases`, { token: hook.adminToken });
  expect(list.status).toBe(200);
  return (list.body.cases as { caseId: string }[]).map((c) => c.caseId).sort();
}

describe("Shopify: a fulfillment's events meet its parcel", () => {
  it("once fulfillments/create has named the parcel, the fulfillment's events land in the parcel's case and close it on delivery", async () => {
    const hook = await connect("shopify");
    const named = await hook.send(fulfillment(), { event: "fulfillments/create" });
    expect(named.status).toBe(202);
    expect(named.body.caseId).toBe(PARCEL);

    const moving = await hook.send(fulfillmentEvent("in_transit", "2026-01-05T10:00:00Z"), { event: "fulfillment_events/create" });
    expect(moving.status).toBe(202);
    expect(moving.body.caseId).toBe(PARCEL);
    const delivered = await hook.send(fulfillmentEvent("delivered", "2026-01-06T15:00:00Z"), { event: "fulfillment_events/create" });
    expect(delivered.body.caseId).toBe(PARCEL);

    const view = (await hook.readCase(PARCEL)).body;
    expect(view.timeline.events.map((e: { kind: string }) => e.kind)).toEqual(["shipment.label_created", "shipment.in_transit", "shipment.delivered"]);
    // Shown as the parcel it is, not as the stand-in.
    expect(view.shipment).toMatchObject({ carrier: "ups", trackingNumber: "1Z827WK74630", milestone: "shipment.delivered" });
    expect((await hook.readCase(STAND_IN)).status).toBe(404);
    expect(await caseIds(hook)).toEqual([PARCEL]);
  });

  it("a fulfillment event that came before the parcel was named: its case hands its events to the parcel's case and closes, once", async () => {
    const hook = await connect("shopify");
    const early = await hook.send(fulfillmentEvent("in_transit", "2026-01-05T10:00:00Z"), { event: "fulfillment_events/create" });
    expect(early.body.caseId).toBe(STAND_IN);
    const before = (await hook.readCase(STAND_IN)).body;
    // Left alone, this case would watch for the next scan (shipment-delay playbook, no scan for 48 h).
    expect(before.timers.pending.length).toBeGreaterThan(0);

    const naming = fulfillment();
    const named = await hook.send(naming, { event: "fulfillments/update", deliveryId: "fulfillment-update-1" });
    expect(named.body.caseId).toBe(PARCEL);
    const later = await hook.send(fulfillmentEvent("out_for_delivery", "2026-01-06T08:00:00Z"), { event: "fulfillment_events/create" });
    expect(later.body.caseId).toBe(PARCEL);

    const parcel = (await hook.readCase(PARCEL)).body;
    expect(parcel.timeline.events.map((e: { kind: string }) => e.kind).sort()).toEqual(["shipment.in_transit", "shipment.label_created", "shipment.out_for_delivery"]);
    const standIn = (await hook.readCase(STAND_IN)).body;
    expect(standIn.status).toBe("closed");
    expect(standIn.timers.pending).toEqual([]);
    expect(standIn.timeline.events.at(-1).summary).toContain(PARCEL);
    const list = await call("GET", `/v1/stores/${hook.storeId}/cases?state=open`, { token: hook.adminToken });
    expect(list.body.cases.map((c: { caseId: string }) => c.caseId)).toEqual([PARCEL]);

    // Shopify retries the naming webhook: nothing is handed over twice.
    expect((await hook.send(naming, { event: "fulfillments/update", deliveryId: "fulfillment-update-1" })).body.duplicate).toBe(true);
    expect((await hook.readCase(PARCEL)).body.timeline.events).toHaveLength(3);
    expect((await hook.readCase(STAND_IN)).body.timeline.events).toHaveLength(standIn.timeline.events.length);
  });

  it("a corrected tracking number moves the fulfillment's events; a late retry of the older webhook does not move them back", async () => {
    const hook = await connect("shopify");
    await hook.send(tracked("1ZWRONG0001", "2026-01-05T10:00:00Z"), { event: "fulfillments/create" });
    await hook.send(tracked("1ZRIGHT0002", "2026-01-05T12:00:00Z"), { event: "fulfillments/update" });
    // An older statement delivered last (Shopify retries and reorders; new delivery id, old body).
    await hook.send(tracked("1ZWRONG0001", "2026-01-05T11:00:00Z"), { event: "fulfillments/update" });
    const moving = await hook.send(fulfillmentEvent("in_transit", "2026-01-05T13:00:00Z"), { event: "fulfillment_events/create" });
    expect(moving.body.caseId).toBe("shipment:ups:1ZRIGHT0002");
  });

  it("what one store learned about a fulfillment does not route another store's events", async () => {
    const a = await connect("shopify");
    const b = await connect("shopify");
    await a.send(fulfillment(), { event: "fulfillments/create" });
    const inB = await b.send(fulfillmentEvent("in_transit", "2026-01-05T10:00:00Z"), { event: "fulfillment_events/create" });
    expect(inB.body.caseId).toBe(STAND_IN);
    expect(await caseIds(b)).toEqual([STAND_IN]);
    expect(await caseIds(a)).toEqual([PARCEL]);
  });
});
