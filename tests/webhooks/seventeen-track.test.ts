import { describe, expect, it } from "vitest";
import { concatBytes, sha256Hex, utf8 } from "../../src/lib/crypto";
import { seventeenTrackAdapter } from "../../src/webhooks/seventeen-track";
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

const FIXTURE = "17track/tracking-updated-delivered-ups.json";
const FIXTURE_SIGN = "16f1e5c28091a503fc34ff0c3b6ddf25b31aa640e25722f0bb7e4a21b6fc4355";
const INLINE_BODY = '{"event":"TRACKING_UPDATED","data":{"number":"RR123456789CN","carrier":3011}}';

function verify(body: Uint8Array | string, sign: string | undefined, secrets: string[]) {
  return seventeenTrackAdapter.verify(verifyInput({ body, headers: sign ? { sign } : {}, config: config(secrets) }));
}

type Obj = Record<string, unknown>;
const withInfo = (edit: (info: Obj, data: Obj, env: Obj) => void) =>
  edited(fixture(FIXTURE).json, (env) => {
    const data = env.data as Obj;
    edit(data.track_info as Obj, data, env);
  });

describe("17track verify", () => {
  it("accepts the inline vector (B2) and the vector over the stored fixture (B3)", async () => {
    expect((await verify(INLINE_BODY, "e707420b14c4ae06f8b979b1f4531626ec0794e1dfa08d73750db65c4753405f", ["17track-security-key"])).ok).toBe(true);
    const { bytes } = fixture(FIXTURE);
    expect(await fileSha256(bytes)).toBe("c00d3cd97558fea2155047bb7ca74dc9e589b650450f0a9b931425a1cfcfa4fc");
    expect((await verify(bytes, FIXTURE_SIGN, ["fixture-test-secret"])).ok).toBe(true);
    expect((await verify(bytes, FIXTURE_SIGN.toUpperCase(), ["fixture-test-secret"])).ok).toBe(true);
  });

  it.each([
    ["a changed body byte", () => verify(flipByte(fixture(FIXTURE).bytes), FIXTURE_SIGN, ["fixture-test-secret"])],
    ["a changed signature", () => verify(fixture(FIXTURE).bytes, alterSignature(FIXTURE_SIGN), ["fixture-test-secret"])],
    ["a wrong key", () => verify(fixture(FIXTURE).bytes, FIXTURE_SIGN, ["17track-security-key"])],
    ["a missing header", () => verify(fixture(FIXTURE).bytes, undefined, ["fixture-test-secret"])],
    ["no configured key", () => verify(fixture(FIXTURE).bytes, FIXTURE_SIGN, [])],
  ])("rejects %s", async (_name, run) => {
    expect(await run()).toMatchObject({ ok: false, code: "bad_signature" });
  });

  it("is a plain digest of body + '/' + key, not an HMAC, and verifies with either rotating key", async () => {
    const body = utf8(INLINE_BODY);
    const sign = await sha256Hex(concatBytes(body, utf8("/new-key")));
    expect((await verify(body, sign, ["old-key", "new-key"])).ok).toBe(true);
    expect((await verify(body, sign, ["old-key"])).ok).toBe(false);
  });
});

describe("17track normalize", () => {
  it("covers every vendored 17TRACK fixture", () => {
    expect(fixturePaths("17track")).toEqual([FIXTURE]);
  });

  it("normalizes the UPS delivered push, naming the carrier from 17TRACK's provider list", async () => {
    const e = await onlyEvent(seventeenTrackAdapter, fixture(FIXTURE).text);
    expect(e).toMatchObject({
      provider: "17track",
      kind: "shipment.delivered",
      occurredAt: "2022-04-04T23:35:22.000Z",
      rawStatus: "Delivered_Other",
      caseKey: { type: "shipment", carrier: "ups", trackingNumber: "1Z2617V10397725789" },
      shipment: { reason: "DELIVERED", location: "GASQUET, CA, US" },
    });
    expect(e.orderId).toBeUndefined();
    expect(e.providerEventId).toMatch(/^h:/);
  });

  it("derives the same id for a retry and a new one when the estimate moves", async () => {
    const a = await onlyEvent(seventeenTrackAdapter, fixture(FIXTURE).text);
    const b = await onlyEvent(seventeenTrackAdapter, fixture(FIXTURE).text);
    const moved = withInfo((info) => {
      info.latest_status = { status: "InTransit", sub_status: "InTransit_Other" };
      info.time_metrics = { estimated_delivery_date: { source: "UPS", from: "2022-04-06T00:00:00Z", to: "2022-04-07T00:00:00Z" } };
    });
    const c = await onlyEvent(seventeenTrackAdapter, moved);
    const d = await onlyEvent(seventeenTrackAdapter, withInfo((info, data) => {
      info.latest_status = { status: "InTransit", sub_status: "InTransit_Other" };
      info.time_metrics = { estimated_delivery_date: { from: "2022-04-08T00:00:00Z", to: "2022-04-09T00:00:00Z" } };
      data.tag = "#1001";
    }));
    expect(b.providerEventId).toBe(a.providerEventId);
    expect(c.shipment?.estimatedDelivery).toBe("2022-04-07T00:00:00.000Z");
    expect(d.providerEventId).not.toBe(c.providerEventId);
    expect(d.orderId).toBe("#1001");
  });

  it.each([
    ["DeliveryFailure", "DeliveryFailure_InvalidAddress", "shipment.delivery_failed"],
    ["Exception", "Exception_Returned", "shipment.returned"],
    ["Exception", "Exception_Delayed", "shipment.eta_later"],
    ["OutForDelivery", "OutForDelivery_Other", "shipment.out_for_delivery"],
    ["InfoReceived", "InfoReceived", "shipment.label_created"],
  ] as const)("maps %s/%s to %s", async (status, sub, kind) => {
    const e = await onlyEvent(seventeenTrackAdapter, withInfo((info) => (info.latest_status = { status, sub_status: sub, sub_status_descr: null })));
    expect(e.kind).toBe(kind);
  });

  it("keeps the carrier's words for an exception", async () => {
    const body = withInfo((info) => {
      info.latest_status = { status: "Exception", sub_status: "Exception_Other" };
      info.latest_event = { time_utc: "2022-04-03T10:00:00Z", description: "Held in customs", location: "LOUISVILLE, KY, US" };
    });
    expect(await onlyEvent(seventeenTrackAdapter, body)).toMatchObject({
      kind: "shipment.exception",
      occurredAt: "2022-04-03T10:00:00.000Z",
      shipment: { reason: "Held in customs", location: "LOUISVILLE, KY, US" },
    });
  });

  it("ignores TRACKING_STOPPED and rejects an update without latest_status, with the path", async () => {
    expect((await runPipeline(seventeenTrackAdapter, { event: "TRACKING_STOPPED", data: { number: "X", carrier: 1 } })).type).toBe("ignored");
    expect(issuePaths(seventeenTrackAdapter.schema, withInfo((info) => delete info.latest_status))).toEqual(["data.track_info.latest_status"]);
  });

  it("fuzz: random bodies and headers never throw", async () => {
    await fuzzAdapter(seventeenTrackAdapter, ["sign"], { sampleBodies: [fixture(FIXTURE).text, INLINE_BODY] });
  });
});
