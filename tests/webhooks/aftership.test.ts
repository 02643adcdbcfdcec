import { describe, expect, it } from "vitest";
import { hmac, toBase64, utf8 } from "../../src/lib/crypto";
import { aftershipAdapter } from "../../src/webhooks/aftership";
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

const CURRENT = "aftership/tracking-update-2026-07-docs-trimmed.json";
const LEGACY = "aftership/tracking-update-intransit-v4-legacy.json";
const FIXTURE_SIG = "8lEu3x8B42TDxhdMZGzUBR3oU4YDwcXsgrsqdM+8gG8=";
const INLINE_BODY =
  '{"event":"tracking_update","event_id":"6f4a5b2e-0000-4000-8000-000000000001","is_tracking_first_tag":false,"msg":{"id":"trk_1","tracking_number":"1Z999AA10123456784","tag":"InTransit","subtag":"InTransit_001"},"ts":1700000000}';

function verify(body: Uint8Array | string, signature: string | undefined, secrets: string[]) {
  return aftershipAdapter.verify(verifyInput({ body, headers: signature ? { "aftership-hmac-sha256": signature } : {}, config: config(secrets) }));
}

type Msg = Record<string, unknown>;
const withMsg = (edit: (msg: Msg, env: Record<string, unknown>) => void) =>
  edited(fixture(LEGACY).json, (d) => edit(d.msg as Msg, d));

describe("aftership verify", () => {
  it("accepts the inline vector (B2) and the vector over the stored 2026-07 fixture (B3)", async () => {
    expect((await verify(INLINE_BODY, "Myk/eHMoCSCOQ5iHOsd/pRB1JQDQU5kybbMTf3y+YEw=", ["aftership-test-secret"])).ok).toBe(true);
    const { bytes } = fixture(CURRENT);
    expect(await fileSha256(bytes)).toBe("786a75c87bc6dfdaedb046640919a49720993bdccc4dc6029015825f70e611d0");
    expect((await verify(bytes, FIXTURE_SIG, ["fixture-test-secret"])).ok).toBe(true);
  });

  it.each([
    ["a changed body byte", () => verify(flipByte(fixture(CURRENT).bytes), FIXTURE_SIG, ["fixture-test-secret"])],
    ["a changed signature", () => verify(fixture(CURRENT).bytes, alterSignature(FIXTURE_SIG), ["fixture-test-secret"])],
    ["a wrong secret", () => verify(fixture(CURRENT).bytes, FIXTURE_SIG, ["aftership-test-secret"])],
    ["a missing header", () => verify(fixture(CURRENT).bytes, undefined, ["fixture-test-secret"])],
  ])("rejects %s", async (_name, run) => {
    expect(await run()).toMatchObject({ ok: false, code: "bad_signature" });
  });

  it("verifies with either of two rotating secrets", async () => {
    const body = utf8(INLINE_BODY);
    const sig = toBase64(await hmac("SHA-256", "second", body));
    expect((await verify(body, sig, ["first", "second"])).ok).toBe(true);
    expect((await verify(body, sig, ["first", "third"])).ok).toBe(false);
  });
});

describe("aftership normalize", () => {
  it("covers every vendored AfterShip fixture", () => {
    expect(fixturePaths("aftership").sort()).toEqual([CURRENT, LEGACY]);
  });

  it("normalizes the 2026-07 sample; its zone-less checkpoint time is not guessed, AfterShip's own ts is used", async () => {
    const e = await onlyEvent(aftershipAdapter, fixture(CURRENT).text);
    expect(e).toMatchObject({
      provider: "aftership",
      providerEventId: "94dadd60-ed26-46d0-aa52-3ced925a50ff",
      kind: "shipment.in_transit",
      occurredAt: new Date(1712741696 * 1000).toISOString(),
      rawStatus: "InTransit_001",
      caseKey: { type: "shipment", carrier: "usps", trackingNumber: "0000000000000000" },
      shipment: { reason: "Departed Shipping Partner Facility, USPS Awaiting Item" },
    });
  });

  it("normalizes the legacy v4 sample with its expected_delivery, customer e-mail and latest checkpoint", async () => {
    const e = await onlyEvent(aftershipAdapter, fixture(LEGACY).text);
    expect(e).toMatchObject({
      providerEventId: "bca2a741-8613-4694-bfb4-2ceb0016ee4f",
      kind: "shipment.in_transit",
      occurredAt: "2021-05-17T09:05:31.000Z",
      rawStatus: "InTransit_003",
      customer: { email: "hx.zuo@aftership.com" },
      caseKey: { carrier: "usps", trackingNumber: "9405516902697649303570" },
      shipment: {
        reason: "Arrived at Post Office",
        location: "HOLLY RIDGE, NC, 28445, USA, United States",
        estimatedDelivery: "2021-05-17T00:00:00.000Z",
      },
    });
  });

  it("prefers latest_estimated_delivery and, when it is later than the first estimate, adds one eta_later that dedupes across deliveries", async () => {
    const revised = (eventId: string) =>
      withMsg((msg, env) => {
        env.event = "edd_revise";
        env.event_id = eventId;
        msg.first_estimated_delivery = { type: "specific", datetime: "2021-05-17" };
        msg.latest_estimated_delivery = { type: "specific", datetime: "2021-05-20" };
      });
    const first = eventsOf(await runPipeline(aftershipAdapter, revised("e-1")));
    const again = eventsOf(await runPipeline(aftershipAdapter, revised("e-2")));
    expect(first.map((e) => e.kind)).toEqual(["shipment.in_transit", "shipment.eta_later"]);
    expect(first[1]?.shipment?.estimatedDelivery).toBe("2021-05-20T00:00:00.000Z");
    expect(first[1]?.providerEventId).toBe(again[1]?.providerEventId);
    expect(first[0]?.providerEventId).not.toBe(again[0]?.providerEventId);
  });

  it("does not report a delay when the estimate moved earlier", async () => {
    const body = withMsg((msg) => {
      msg.first_estimated_delivery = { datetime: "2021-05-20" };
      msg.latest_estimated_delivery = { datetime: "2021-05-18" };
    });
    expect(eventsOf(await runPipeline(aftershipAdapter, body)).map((e) => e.kind)).toEqual(["shipment.in_transit"]);
  });

  it.each([
    ["AttemptFail", "AttemptFail_001", "shipment.delivery_failed"],
    ["Delivered", "Delivered_001", "shipment.delivered"],
    ["OutForDelivery", "OutForDelivery_001", "shipment.out_for_delivery"],
    ["Exception", "Exception_011", "shipment.returned"],
    ["InfoReceived", "InfoReceived_001", "shipment.label_created"],
  ] as const)("maps tag %s/%s to %s", async (tag, subtag, kind) => {
    const e = await onlyEvent(aftershipAdapter, withMsg((msg) => Object.assign(msg, { tag, subtag })));
    expect(e.kind).toBe(kind);
    expect(e.rawStatus).toBe(subtag);
  });

  it("keeps the carrier's reason for an exception such as a customs hold", async () => {
    const body = withMsg((msg) => {
      msg.tag = "Exception";
      msg.subtag = "Exception_004";
      (msg.checkpoints as Msg[]).push({ checkpoint_time: "2021-05-18T10:00:00+02:00", message: "Held in customs", location: "FRANKFURT, DE" });
    });
    const e = await onlyEvent(aftershipAdapter, body);
    expect(e).toMatchObject({ kind: "shipment.exception", occurredAt: "2021-05-18T08:00:00.000Z", shipment: { reason: "Held in customs", location: "FRANKFURT, DE" } });
  });

  it("ignores unused events and rejects a used one missing its tracking number, with the path", async () => {
    expect(await runPipeline(aftershipAdapter, { event: "tracking_pending_time", event_id: "x", msg: {} })).toMatchObject({ type: "ignored", providerEventId: "x" });
    expect(issuePaths(aftershipAdapter.schema, withMsg((msg) => delete msg.tracking_number))).toEqual(["msg.tracking_number"]);
    expect(issuePaths(aftershipAdapter.schema, { event: "tracking_update", msg: {} })).toContain("event_id");
  });

  it("fuzz: random bodies and headers never throw", async () => {
    await fuzzAdapter(aftershipAdapter, ["aftership-hmac-sha256"], { sampleBodies: [fixture(CURRENT).text, fixture(LEGACY).text] });
  });
});
