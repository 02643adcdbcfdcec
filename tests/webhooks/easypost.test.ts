import { describe, expect, it } from "vitest";
import { hmac, toHex, utf8 } from "../../src/lib/crypto";
import { easypostAdapter } from "../../src/webhooks/easypost";
import {
  alterSignature,
  config,
  edited,
  eventsOf,
  fixture,
  fixturePaths,
  flipByte,
  fuzzAdapter,
  issuePaths,
  onlyEvent,
  runPipeline,
  verifyInput,
} from "./carrier-helpers";

const FIXTURE = "easypost/tracker-updated-in-transit.json";
const PUBLISHED = "hmac-sha256-hex=38f3f53c103713df81616a0a186d77141957323ec21d5fe9363db93840f527db";
const SECRET_PRECOMPOSED = "s\u00e9cret";
const SECRET_DECOMPOSED = "se\u0301cret";

function verify(body: Uint8Array | string, signature: string | undefined, secrets: string[]) {
  return easypostAdapter.verify(verifyInput({ body, headers: signature ? { "X-Hmac-Signature": signature } : {}, config: config(secrets) }));
}

describe("easypost verify", () => {
  it("accepts the published EasyPost client-library vector (A1), NFKD-normalizing the secret", async () => {
    const { bytes } = fixture(FIXTURE);
    expect(bytes.length).toBe(3550);
    expect((await verify(bytes, PUBLISHED, [SECRET_PRECOMPOSED])).ok).toBe(true);
    // A store that pasted the decomposed spelling gets the same key.
    expect((await verify(bytes, PUBLISHED, [SECRET_DECOMPOSED])).ok).toBe(true);
  });

  it("matches the NFKD check vector and not the un-normalized one", async () => {
    expect((await verify("x", "hmac-sha256-hex=c918f1f85922b572c1529e87f71f32fbfee550b174e33e6b0274135314488a16", [SECRET_PRECOMPOSED])).ok).toBe(true);
    expect((await verify("x", "hmac-sha256-hex=9371154bf516e3b74f69f2b8ffbbee84292994b6c7685b16786fe1db68d03ef1", [SECRET_PRECOMPOSED])).ok).toBe(false);
  });

  it("accepts the inline ASCII vector (B2)", async () => {
    const body = '{"description":"tracker.updated","id":"evt_1","result":{"object":"Tracker","status":"delivered"}}';
    expect((await verify(body, "hmac-sha256-hex=19df6d24dfe699156a54742bf7af99cd5e5e116b3577af6ae6d79145cc1f53ad", ["easypost-webhook-secret"])).ok).toBe(true);
  });

  it.each([
    ["a changed body byte", () => verify(flipByte(fixture(FIXTURE).bytes), PUBLISHED, [SECRET_PRECOMPOSED])],
    ["a changed signature", () => verify(fixture(FIXTURE).bytes, alterSignature(PUBLISHED), [SECRET_PRECOMPOSED])],
    ["a wrong secret", () => verify(fixture(FIXTURE).bytes, PUBLISHED, ["secret"])],
    ["a body with the upstream trailing newline", () => verify(fixture(FIXTURE).text + "\n", PUBLISHED, [SECRET_PRECOMPOSED])],
    ["a missing prefix", () => verify(fixture(FIXTURE).bytes, PUBLISHED.replace("hmac-sha256-hex=", ""), [SECRET_PRECOMPOSED])],
    ["a missing header", () => verify(fixture(FIXTURE).bytes, undefined, [SECRET_PRECOMPOSED])],
  ])("rejects %s", async (_name, run) => {
    expect(await run()).toMatchObject({ ok: false, code: "bad_signature" });
  });

  it("verifies with either of two rotating secrets", async () => {
    const body = utf8('{"id":"evt_2"}');
    const sigNew = `hmac-sha256-hex=${toHex(await hmac("SHA-256", "new", body))}`;
    expect((await verify(body, sigNew, ["old", "new"])).ok).toBe(true);
    expect((await verify(body, sigNew, ["old", "older"])).ok).toBe(false);
  });
});

describe("easypost normalize", () => {
  it("covers every vendored EasyPost fixture", () => {
    expect(fixturePaths("easypost")).toEqual([FIXTURE]);
  });

  it("turns the published tracker.updated event into in-transit at the latest FedEx scan", async () => {
    const e = await onlyEvent(easypostAdapter, fixture(FIXTURE).text);
    expect(e).toMatchObject({
      provider: "easypost",
      providerEventId: "evt_1",
      kind: "shipment.in_transit",
      occurredAt: "2024-08-02T18:50:00.000Z",
      rawStatus: "in_transit/arrived_at_facility",
      caseKey: { type: "shipment", carrier: "fedex", trackingNumber: "1" },
      url: "https://track.easypost.com/1",
      shipment: {
        carrier: "fedex",
        reason: "Arrived at FedEx location",
        location: "EDISON, NJ, US",
        estimatedDelivery: "2024-08-05T00:00:00.000Z",
      },
    });
  });

  it("adds an eta_later event when previous_attributes shows an earlier estimate", async () => {
    const body = edited(fixture(FIXTURE).json, (d) => {
      d.previous_attributes = { est_delivery_date: "2024-08-03T00:00:00Z" };
    });
    const events = eventsOf(await runPipeline(easypostAdapter, body));
    expect(events.map((e) => e.kind)).toEqual(["shipment.in_transit", "shipment.eta_later"]);
    expect(events[1]?.shipment?.estimatedDelivery).toBe("2024-08-05T00:00:00.000Z");
    expect(events[1]?.providerEventId).not.toBe("evt_1");
  });

  it.each([
    ["delivered", null, "shipment.delivered"],
    ["out_for_delivery", "out_for_delivery", "shipment.out_for_delivery"],
    ["return_to_sender", "return_to_sender", "shipment.returned"],
    ["failure", "lost", "shipment.exception"],
    ["failure", null, "shipment.exception"],
    ["in_transit", "held", "shipment.exception"],
    ["in_transit", "delayed", "shipment.eta_later"],
    ["pre_transit", "label_created", "shipment.label_created"],
  ] as const)("maps tracker status %s/%s to %s", async (status, detail, kind) => {
    const body = edited(fixture(FIXTURE).json, (d) => {
      const result = d.result as Record<string, unknown>;
      result.status = status;
      result.status_detail = detail;
    });
    expect((await onlyEvent(easypostAdapter, body)).kind).toBe(kind);
  });

  it("reads a failed delivery attempt (failure or in_transit with an attempt detail) as delivery failed, with the carrier's words", async () => {
    // The published FedEx tracker, one scan later: FedEx could not hand it over.
    const attempt = (status: string, detail: string, message: string) =>
      edited(fixture(FIXTURE).json, (d) => {
        const result = d.result as Record<string, unknown>;
        const details = result.tracking_details as Record<string, unknown>[];
        result.status = status;
        result.status_detail = detail;
        details.push({ ...details.at(-1), message, status, status_detail: detail, datetime: "2024-08-03T15:10:00Z" });
      });
    const notHome = await onlyEvent(easypostAdapter, attempt("failure", "delivery_exception", "Delivery exception - Customer not available or business closed"));
    expect(notHome).toMatchObject({
      kind: "shipment.delivery_failed",
      occurredAt: "2024-08-03T15:10:00.000Z",
      rawStatus: "failure/delivery_exception",
      shipment: { reason: "Delivery exception - Customer not available or business closed" },
    });
    expect((await onlyEvent(easypostAdapter, attempt("in_transit", "delivery_exception", "Delivery attempted"))).kind).toBe("shipment.delivery_failed");
    expect((await onlyEvent(easypostAdapter, attempt("failure", "refused", "Refused by recipient"))).kind).toBe("shipment.delivery_failed");
    // A failure that is no attempt stays an exception.
    expect((await onlyEvent(easypostAdapter, attempt("failure", "damaged", "Package damaged"))).kind).toBe("shipment.exception");
  });

  it("ignores non-tracker events and unknown tracker statuses", async () => {
    expect(await runPipeline(easypostAdapter, { id: "evt_9", description: "batch.created", result: { object: "Batch" } })).toMatchObject({
      type: "ignored",
      providerEventId: "evt_9",
    });
    const unknown = edited(fixture(FIXTURE).json, (d) => {
      (d.result as Record<string, unknown>).status = "unknown";
    });
    expect((await runPipeline(easypostAdapter, unknown)).type).toBe("ignored");
  });

  it("rejects a tracker event missing its tracking code, with the path", () => {
    const body = edited(fixture(FIXTURE).json, (d) => {
      delete (d.result as Record<string, unknown>).tracking_code;
    });
    expect(issuePaths(easypostAdapter.schema, body)).toEqual(["result.tracking_code"]);
    expect(issuePaths(easypostAdapter.schema, { description: "tracker.updated", result: {} })).toContain("id");
  });

  it("fuzz: random bodies and headers never throw", async () => {
    await fuzzAdapter(easypostAdapter, ["x-hmac-signature"], { sampleBodies: [fixture(FIXTURE).text] });
  });
});
