import { describe, expect, it } from "vitest";
import { caseIdOf } from "../../src/events/model";
import {
  aftershipKind,
  canonicalCarrier,
  canonicalTrackingNumber,
  easypostKind,
  seventeenTrackKind,
  shipengineKind,
  shippoKind,
  shopifyKind,
  shipmentEvent,
  utcInstant,
  zonedInstant,
  type ShipmentMapping,
} from "../../src/webhooks/shipment-status";

describe("one parcel, one case, whoever reports it", () => {
  it("spells carriers one way", () => {
    expect(new Set(["FedEx", "fedex", "Federal Express", "FEDEX"].map(canonicalCarrier))).toEqual(new Set(["fedex"]));
    expect(new Set(["UPS", "United Parcel Service", "ups"].map(canonicalCarrier))).toEqual(new Set(["ups"]));
    expect(new Set(["USPS", "usps", "United States Postal Service"].map(canonicalCarrier))).toEqual(new Set(["usps"]));
    expect(canonicalCarrier("  ")).toBe("unknown");
  });

  it("treats tracking numbers as case- and space-insensitive", () => {
    expect(canonicalTrackingNumber(" 1z827wk 74630 ")).toBe("1Z827WK74630");
  });

  it("gives a Shopify fulfillment and an EasyPost tracker for the same UPS parcel the same case id", () => {
    const base = { storeId: "s", providerEventId: "x", occurredAt: "2024-01-01T00:00:00.000Z", kind: "shipment.in_transit" as const };
    const fromShopify = shipmentEvent({ ...base, provider: "shopify", carrier: "UPS", trackingNumber: "1z827wk74630" });
    const fromEasyPost = shipmentEvent({ ...base, provider: "easypost", carrier: "UPS", trackingNumber: "1Z827WK74630" });
    expect(caseIdOf(fromShopify.caseKey)).toBe(caseIdOf(fromEasyPost.caseKey));
  });
});

describe("carrier times", () => {
  it("reads Shippo's zone-less times as UTC and leaves zoned ones alone", () => {
    expect(utcInstant("2018-07-29T16:44:42.586")).toBe("2018-07-29T16:44:42.586Z");
    expect(utcInstant("2021-12-31T19:00:00-05:00")).toBe("2022-01-01T00:00:00.000Z");
    expect(utcInstant(null)).toBeNull();
  });

  it("refuses to guess a zone for AfterShip-style local checkpoint times", () => {
    expect(zonedInstant("2021-01-14T00:52:00")).toBeNull();
    expect(zonedInstant("2021-01-14T00:52:00+08:00")).toBe("2021-01-13T16:52:00.000Z");
  });
});

describe("status vocabularies (provider-webhooks.md §4.1)", () => {
  it.each([
    ["label_created", easypostKind("pre_transit", undefined), shippoKind("PRE_TRANSIT", undefined), aftershipKind("InfoReceived", undefined), shipengineKind("AC", undefined), seventeenTrackKind("InfoReceived", undefined), shopifyKind("label_purchased")],
    ["in_transit", easypostKind("in_transit", undefined), shippoKind("TRANSIT", undefined), aftershipKind("InTransit", undefined), shipengineKind("IT", undefined), seventeenTrackKind("InTransit", undefined), shopifyKind("in_transit")],
    ["out_for_delivery", easypostKind("out_for_delivery", undefined), shippoKind("TRANSIT", "out_for_delivery"), aftershipKind("OutForDelivery", undefined), shipengineKind("IT", "OUT_FOR_DELIVERY"), seventeenTrackKind("OutForDelivery", undefined), shopifyKind("out_for_delivery")],
    // EasyPost has no attempted-delivery status of its own: failure or in_transit with an attempt detail.
    ["delivery_failed", easypostKind("failure", "delivery_exception"), easypostKind("in_transit", "refused"), shipengineKind("IT", "ATTEMPTED_DELIVERY"), shipengineKind("IT", "ATTEMPTED_DELIVERY_FINAL"), shippoKind("TRANSIT", "delivery_attempted"), aftershipKind("AttemptFail", undefined), shipengineKind("AT", undefined), seventeenTrackKind("DeliveryFailure", undefined), shopifyKind("attempted_delivery")],
    ["delivered", easypostKind("delivered", undefined), shippoKind("DELIVERED", undefined), aftershipKind("Delivered", undefined), shipengineKind("DE", undefined), seventeenTrackKind("Delivered", undefined), shopifyKind("delivered")],
    ["exception", easypostKind("failure", undefined), shippoKind("FAILURE", undefined), aftershipKind("Exception", "Exception_001"), shipengineKind("EX", undefined), seventeenTrackKind("Exception", "Exception_Other"), shopifyKind("failure")],
    ["returned", easypostKind("return_to_sender", undefined), shippoKind("RETURNED", undefined), aftershipKind("Exception", "Exception_010"), shipengineKind("EX", "RETURNING_TO_SENDER"), seventeenTrackKind("Exception", "Exception_Returning"), shopifyKind("returning_to_sender")],
  ])("every provider's %s maps to the same milestone", (milestone, ...mappings) => {
    for (const m of mappings as ShipmentMapping[]) expect(m?.kind).toBe(`shipment.${milestone}`);
  });

  it("says nothing for statuses that tell support nothing", () => {
    expect(easypostKind("unknown", undefined)).toBeNull();
    expect(shippoKind("UNKNOWN", undefined)).toBeNull();
    expect(shipengineKind("UN", undefined)).toBeNull();
    expect(aftershipKind("SomethingNew", undefined)).toBeNull();
    expect(shopifyKind("something_new")).toBeNull();
  });

  it("marks pickup-point arrivals and tracking expiry with a readable reason", () => {
    expect(aftershipKind("AvailableForPickup", undefined)).toEqual({ kind: "shipment.out_for_delivery", reason: "Available for pickup" });
    expect(seventeenTrackKind("Expired", "Expired_Other")?.reason).toMatch(/expired/i);
  });
});
