import { describe, expect, it } from "vitest";
import { concatBytes, hmac, toHex, utf8 } from "../../src/lib/crypto";
import { shippoAdapter } from "../../src/webhooks/shippo";
import {
  alterSignature,
  config,
  edited,
  eventsOf,
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

const DOCS = "shippo/track-updated-docs-example.json";
const TEST_TRACK = "shippo/track-object-test-mode-transit.json";
const T = 1700000000;
const AT_T = T * 1000 + 20_000;
const FIXTURE_SIG = "t=1700000000,v1=49cfebfff7e15fc24fb688a683e63111e99a61a9579ddbd695d9379afa5677cd";
const INLINE_BODY = '{"event":"track_updated","test":true,"data":{"tracking_number":"SHIPPO_TRANSIT"}}';

function verify(body: Uint8Array | string, signature: string | undefined, secrets: string[], now = AT_T, tolerance = 300) {
  return shippoAdapter.verify(
    verifyInput({ body, headers: signature ? { "Shippo-Auth-Signature": signature } : {}, config: config(secrets, {}, tolerance), now }),
  );
}

/** The test-mode Track object is only the `data` of a delivery: wrap it as Shippo does. */
function testTrackDelivery(edit?: (data: Record<string, unknown>) => void): Record<string, unknown> {
  const data = structuredClone(fixture(TEST_TRACK).json);
  edit?.(data);
  return { event: "track_updated", test: true, data };
}

describe("shippo verify (hmac mode)", () => {
  it("accepts the inline vector (B2) and the vector over the stored docs example (B3)", async () => {
    expect((await verify(INLINE_BODY, "t=1700000000,v1=64cd5f0f57f206503c5287af85d2df51aa5a38f00b52646615c2dcbe1d7167c5", ["shippo-hmac-secret"])).ok).toBe(true);
    const { bytes } = fixture(DOCS);
    expect(await fileSha256(bytes)).toBe("e53c7f35ed6bb9b110b7023dea790f1e394ccc01f9aa448f31c5db18998aca85");
    expect(await verify(bytes, FIXTURE_SIG, ["fixture-test-secret"])).toEqual({ ok: true, signedAtMs: T * 1000 });
  });

  it.each([
    ["a changed body byte", () => verify(flipByte(fixture(DOCS).bytes), FIXTURE_SIG, ["fixture-test-secret"])],
    ["a changed signature", () => verify(fixture(DOCS).bytes, alterSignature(FIXTURE_SIG), ["fixture-test-secret"])],
    ["a changed timestamp", () => verify(fixture(DOCS).bytes, FIXTURE_SIG.replace("t=1700000000", "t=1700000001"), ["fixture-test-secret"])],
    ["a wrong secret", () => verify(fixture(DOCS).bytes, FIXTURE_SIG, ["shippo-hmac-secret"])],
    ["a missing header", () => verify(fixture(DOCS).bytes, undefined, ["fixture-test-secret"])],
    ["a header without t=", () => verify(fixture(DOCS).bytes, FIXTURE_SIG.replace("t=1700000000,", ""), ["fixture-test-secret"])],
  ])("rejects %s as bad_signature", async (_name, run) => {
    expect(await run()).toMatchObject({ ok: false, code: "bad_signature" });
  });

  it("rejects a correctly signed delivery outside the replay window, in either direction, as stale", async () => {
    const { bytes } = fixture(DOCS);
    expect(await verify(bytes, FIXTURE_SIG, ["fixture-test-secret"], T * 1000 + 301_000)).toMatchObject({ ok: false, code: "stale" });
    expect(await verify(bytes, FIXTURE_SIG, ["fixture-test-secret"], T * 1000 - 301_000)).toMatchObject({ ok: false, code: "stale" });
    expect((await verify(bytes, FIXTURE_SIG, ["fixture-test-secret"], T * 1000 + 299_000)).ok).toBe(true);
    // The store's configured tolerance is honoured.
    expect(await verify(bytes, FIXTURE_SIG, ["fixture-test-secret"], T * 1000 + 61_000, 60)).toMatchObject({ code: "stale" });
  });

  it("verifies with either of two rotating secrets", async () => {
    const body = utf8(INLINE_BODY);
    const sig = `t=${T},v1=${toHex(await hmac("SHA-256", "rotated-in", concatBytes(utf8(`${T}.`), body)))}`;
    expect((await verify(body, sig, ["rotating-out", "rotated-in"])).ok).toBe(true);
    expect((await verify(body, sig, ["rotating-out"])).ok).toBe(false);
  });
});

describe("shippo verify (token mode)", () => {
  const tokenConfig = config(["s3cr3t-token", "next-token"], { auth: "token" });
  const run = (query: string) =>
    shippoAdapter.verify(verifyInput({ body: INLINE_BODY, config: tokenConfig, url: `https://promptly.example/hooks/store_1/shippo${query}` }));

  it("accepts the configured token (either during rotation) and nothing else", async () => {
    expect((await run("?token=s3cr3t-token")).ok).toBe(true);
    expect((await run("?token=next-token")).ok).toBe(true);
    expect(await run("?token=s3cr3t-tokeN")).toMatchObject({ ok: false, code: "bad_signature" });
    expect(await run("")).toMatchObject({ ok: false, code: "bad_signature" });
  });

  it("rejects unknown auth modes at configuration time", () => {
    expect(shippoAdapter.optionsSchema.safeParse({ auth: "none" }).success).toBe(false);
    expect(shippoAdapter.optionsSchema.parse({})).toEqual({ auth: "hmac" });
  });
});

describe("shippo normalize", () => {
  it("covers every vendored Shippo fixture", () => {
    expect(fixturePaths("shippo").sort()).toEqual([TEST_TRACK, DOCS]);
  });

  it("normalizes the docs track_updated example as delivered (status wins over its contradictory substatus)", async () => {
    const e = await onlyEvent(shippoAdapter, fixture(DOCS).text);
    expect(e).toMatchObject({
      provider: "shippo",
      kind: "shipment.delivered",
      occurredAt: "2016-07-23T00:00:00.000Z",
      rawStatus: "DELIVERED/information_received",
      caseKey: { type: "shipment", carrier: "usps", trackingNumber: "9205590164917312751089" },
      shipment: {
        reason: "Your shipment has been delivered at the destination mailbox.",
        estimatedDelivery: "2019-08-24T14:15:22.000Z",
        location: "Las Vegas, NV, US",
      },
    });
    expect(e.providerEventId).toMatch(/^h:/);
  });

  it("normalizes the test-mode Track object, reading Shippo's zone-less times as UTC", async () => {
    const e = await onlyEvent(shippoAdapter, testTrackDelivery());
    expect(e).toMatchObject({
      kind: "shipment.in_transit",
      occurredAt: "2018-07-29T16:44:42.586Z",
      caseKey: { carrier: "shippo", trackingNumber: "SHIPPO_TRANSIT" },
      shipment: { reason: "Your shipment has departed from the origin.", estimatedDelivery: "2018-08-02T18:49:42.566Z", location: "San Francisco, CA, US" },
    });
  });

  it("derives the same id for a retry and a new one for a new status row or a new estimate", async () => {
    const a = await onlyEvent(shippoAdapter, testTrackDelivery());
    const retry = await onlyEvent(shippoAdapter, testTrackDelivery());
    const newRow = await onlyEvent(shippoAdapter, testTrackDelivery((d) => ((d.tracking_status as Record<string, unknown>).object_id = "another")));
    const newEta = await onlyEvent(shippoAdapter, testTrackDelivery((d) => (d.eta = "2018-08-01T00:00:00")));
    expect(retry.providerEventId).toBe(a.providerEventId);
    expect(newRow.providerEventId).not.toBe(a.providerEventId);
    expect(newEta.providerEventId).not.toBe(a.providerEventId);
  });

  it("reports eta later than original_eta as one eta_later that repeats with the same id", async () => {
    const delayed = (objectId: string) =>
      testTrackDelivery((d) => {
        d.eta = "2018-08-04T18:00:00";
        (d.tracking_status as Record<string, unknown>).object_id = objectId;
      });
    const first = eventsOf(await runPipeline(shippoAdapter, delayed("row-1")));
    const later = eventsOf(await runPipeline(shippoAdapter, delayed("row-2")));
    expect(first.map((e) => e.kind)).toEqual(["shipment.in_transit", "shipment.eta_later"]);
    expect(first[1]?.shipment).toMatchObject({ estimatedDelivery: "2018-08-04T18:00:00.000Z" });
    expect(later[1]?.providerEventId).toBe(first[1]?.providerEventId);
  });

  it.each([
    ["TRANSIT", "out_for_delivery", "shipment.out_for_delivery"],
    ["TRANSIT", "delivery_attempted", "shipment.delivery_failed"],
    ["TRANSIT", "delayed", "shipment.eta_later"],
    ["TRANSIT", "package_held", "shipment.exception"],
    ["RETURNED", "return_to_sender", "shipment.returned"],
    ["FAILURE", "package_lost", "shipment.exception"],
    ["PRE_TRANSIT", "information_received", "shipment.label_created"],
  ] as const)("maps %s + %s to %s", async (status, code, kind) => {
    const e = await onlyEvent(shippoAdapter, testTrackDelivery((d) => Object.assign(d.tracking_status as object, { status, substatus: { code, text: "x" } })));
    expect(e.kind).toBe(kind);
  });

  it("ignores other events and UNKNOWN statuses, and rejects a track missing its status with the path", async () => {
    expect((await runPipeline(shippoAdapter, { event: "transaction_created", data: {} })).type).toBe("ignored");
    expect((await runPipeline(shippoAdapter, testTrackDelivery((d) => ((d.tracking_status as Record<string, unknown>).status = "UNKNOWN")))).type).toBe("ignored");
    const missing = edited(fixture(DOCS).json, (d) => delete ((d.data as Record<string, unknown>).tracking_status as Record<string, unknown>).status);
    expect(issuePaths(shippoAdapter.schema, missing)).toEqual(["data.tracking_status.status"]);
  });

  it("fuzz: random bodies and headers never throw, in both auth modes", async () => {
    const sampleBodies = [fixture(DOCS).text, JSON.stringify(testTrackDelivery())];
    await fuzzAdapter(shippoAdapter, ["shippo-auth-signature"], { sampleBodies });
    await fuzzAdapter(shippoAdapter, ["shippo-auth-signature"], { sampleBodies, options: { auth: "token" }, numRuns: 50 });
  });
});
