/**
 * The shipments report under the real `wrangler dev`: past-dated, signed `custom` webhooks build
 * three late parcels, and the store marks one contacted through the API (recorded at the instant
 * it is called). One the store reached first, one whose customer wrote first, one never contacted;
 * the report and its drill-down agree with the hand computation. Default playbook: contact within
 * 4 h of the delay, an update every 24 h, the always-open calendar.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request, waitFor } from "./support/http";
import { CUSTOM_SECRET, configureProvider, createStore, postCustom, type E2EStore } from "./support/store";
import { DevServer } from "./support/wrangler";

const HOUR = 3_600_000;

interface Episode {
  caseId: string;
  detectedAt: string;
  outcome: string;
  signal: string;
  reason: string | null;
  contactedAt: string | null;
  customerMessageAt: string | null;
  proactiveTargetMet: boolean;
  updatesOwed: number;
  updatesSent: number;
  deliveredAt: string | null;
}

describe("shipments report against wrangler dev", () => {
  const server = new DevServer();
  let store: E2EStore;
  // Whole seconds: the custom provider's instants and the hand computation stay exact.
  const t0 = Math.floor(Date.now() / 1000) * 1000;
  const ago = (h: number): string => new Date(t0 - h * HOUR).toISOString();
  let contactedAt = "";
  beforeAll(async () => {
    await server.start();
    store = await createStore(server.url);
    await configureProvider(store, "custom", { secrets: [CUSTOM_SECRET] });
    const post = async (tn: string, kind: string, when: string, extra: Record<string, unknown> = {}) => {
      const res = await postCustom(store, { occurredAt: when, caseKey: { type: "shipment", carrier: "ups", trackingNumber: tn }, kind, ...extra });
      expect(res.status, server.logs()).toBe(202);
    };
    // S2, the customer wrote first: failed attempt 28 h ago, the customer 27 h ago, a reply 26 h ago
    // (2 h after the delay: within the 4 h target all the same). Delivered 1 h ago, 25 h after the
    // reply: 1 update owed, none sent.
    await post("S2", "shipment.in_transit", ago(30));
    await post("S2", "shipment.delivery_failed", ago(28), { shipment: { carrier: "ups", trackingNumber: "S2", reason: "Recipient not home" } });
    await post("S2", "case.customer_message", ago(27));
    await post("S2", "case.agent_reply", ago(26));
    await post("S2", "shipment.delivered", ago(1));
    // S3, never contacted: estimated delivery moved later 9 h ago; under way, no update owed yet.
    await post("S3", "shipment.in_transit", ago(10));
    await post("S3", "shipment.eta_later", ago(9), { shipment: { carrier: "ups", trackingNumber: "S3", reason: "Weather delay" } });
    // S1, the store reached them first: an exception 2 h ago, then someone calls the customer and
    // marks the parcel contacted now (a little over 2 h after the delay: in time).
    await post("S1", "shipment.in_transit", ago(6));
    await post("S1", "shipment.exception", ago(2), { shipment: { carrier: "ups", trackingNumber: "S1", reason: "Held in customs" } });
    await waitFor(async () => ((await request(store.url, "GET", `/v1/stores/${store.storeId}/cases/shipment:ups:S1`, { token: store.token })).status === 200 ? true : undefined), 20_000);
    const res = await request(store.url, "POST", `/v1/stores/${store.storeId}/cases/shipment:ups:S1/contacted`, { token: store.token, body: { channel: "phone", note: "told them about customs" } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    contactedAt = res.body.contactedAt as string;
  });
  afterAll(() => server.dispose());

  const range = () => `from=${encodeURIComponent(ago(72))}&to=${encodeURIComponent(ago(-1))}`;
  const get = (path: string) => request(store.url, "GET", `/v1/stores/${store.storeId}/reports/${path}`, { token: store.token });

  it("reached first, customer first and never contacted: the report and its drill-down agree with the hand computation", async () => {
    const episodes = await waitFor(async () => {
      const res = await get(`shipments/cases?${range()}`);
      const list = res.body.episodes as Episode[];
      return list.length === 3 && list.some((e) => e.outcome === "contactedFirst") ? list : undefined;
    }, 30_000);
    const s1Delay = Date.parse(contactedAt) - Date.parse(ago(2));
    expect(s1Delay).toBeGreaterThan(2 * HOUR);
    expect(s1Delay).toBeLessThan(4 * HOUR);
    expect(episodes).toEqual([
      { caseId: "shipment:ups:S2", detectedAt: ago(28), signal: "failed_attempt", reason: "Recipient not home", contactedAt: ago(26), customerMessageAt: ago(27), outcome: "customerFirst", contactBy: ago(24), proactiveTargetMet: true, updatesOwed: 1, updatesSent: 0, deliveredAt: ago(1) },
      { caseId: "shipment:ups:S3", detectedAt: ago(9), signal: "eta_later", reason: "Weather delay", contactedAt: null, customerMessageAt: null, outcome: "notContacted", contactBy: ago(5), proactiveTargetMet: false, updatesOwed: 0, updatesSent: 0, deliveredAt: null },
      { caseId: "shipment:ups:S1", detectedAt: ago(2), signal: "exception", reason: "Held in customs", contactedAt, customerMessageAt: null, outcome: "contactedFirst", contactBy: ago(-2), proactiveTargetMet: true, updatesOwed: 0, updatesSent: 0, deliveredAt: null },
    ]);

    const report = await get(`shipments?${range()}`);
    expect(report.status).toBe(200);
    expect(report.body).toEqual({
      from: ago(72),
      to: ago(-1),
      delays: 3,
      contactedFirst: 1,
      customerFirst: 1,
      notContacted: 1,
      reachedFirstRate: 1 / 3,
      proactiveTargetMet: 2,
      updatesOwed: 1,
      updatesSent: 0,
      // 2 h (S2) and a little over 2 h (S1): the nearest-rank median is the smaller.
      medianContactDelayMs: 2 * HOUR,
    });
    for (const outcome of ["contactedFirst", "customerFirst", "notContacted"] as const) {
      const res = await get(`shipments/cases?${range()}&outcome=${outcome}`);
      expect((res.body.episodes as Episode[]).map((e) => e.caseId)).toEqual(episodes.filter((e) => e.outcome === outcome).map((e) => e.caseId));
      expect(res.body.episodes).toHaveLength(report.body[outcome] as number);
    }
    const met = await get(`shipments/cases?${range()}&proactiveTargetMet=true`);
    expect((met.body.episodes as Episode[]).map((e) => e.caseId)).toEqual(["shipment:ups:S2", "shipment:ups:S1"]);
  });

  it("answers 400 naming the field for a bad range or filter", async () => {
    const res = await get(`shipments?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z`);
    expect(res.status).toBe(400);
    expect(res.body.error.issues[0].path).toBe("query.from");
    const outcome = await get(`shipments/cases?outcome=late`);
    expect(outcome.status).toBe(400);
    expect(outcome.body.error.issues[0].path).toBe("query.outcome");
  });
});
