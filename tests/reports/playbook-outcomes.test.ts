/**
 * Playbook records and delay episodes as a case derives them, and what its push carries: only what
 * changed, so a case whose records did not change adds nothing to its index push.
 */
import { describe, expect, it } from "vitest";
import { foldCaseState, type CaseEvent } from "../../src/cases/state";
import type { RulesPin } from "../../src/cases/policy";
import type { NormalizedEvent } from "../../src/events/model";
import { playbookDiff, playbookRecords, shipmentEpisodes, type CaseActivity } from "../../src/reports/playbook";
import { RulesDocument } from "../../src/rules/schema";

const HOUR = 3_600_000;
const T = Date.parse("2026-11-02T08:00:00Z");
const pins: RulesPin[] = [{ version: 1, from: -Infinity, document: RulesDocument.parse({}) }];

let n = 0;
function shipment(kind: NormalizedEvent["kind"], at: number, extra: Partial<NormalizedEvent> = {}): CaseEvent {
  n += 1;
  return {
    eventId: `aftership:${n}`,
    occurredAt: at,
    order: n,
    event: { storeId: "st", provider: "aftership", providerEventId: String(n), occurredAt: new Date(at).toISOString(), caseKey: { type: "shipment", carrier: "ups", trackingNumber: "1Z" }, kind, ...extra, shipment: { carrier: "ups", trackingNumber: "1Z", ...(extra.shipment ?? {}) } } as NormalizedEvent,
  };
}
const activity = (a: Partial<CaseActivity>): CaseActivity => ({ agentReplies: [], customerMessages: [], carrierScans: [], conversation: [], ...a });

describe("shipment delay episodes", () => {
  const events = [shipment("shipment.in_transit", T), shipment("shipment.exception", T + HOUR, { shipment: { carrier: "ups", trackingNumber: "1Z", reason: "Held in customs" } })];
  const state = foldCaseState(events)!;
  const scans = [T, T + HOUR];

  it("a reply and a customer message at the same instant: the store did not beat the customer", () => {
    const [e] = shipmentEpisodes("c", state, activity({ carrierScans: scans, agentReplies: [T + 2 * HOUR], customerMessages: [T + 2 * HOUR] }), pins, T + 3 * HOUR);
    expect(e).toMatchObject({ detectedAt: T + HOUR, signal: "exception", reason: "Held in customs", contactedAt: T + 2 * HOUR, customerMessageAt: T + 2 * HOUR, outcome: "customerFirst", contactBy: T + 5 * HOUR });
  });

  it("a reply before the delay is no contact about it", () => {
    const [e] = shipmentEpisodes("c", state, activity({ carrierScans: scans, agentReplies: [T + 30 * 60_000] }), pins, T + 3 * HOUR);
    expect(e).toMatchObject({ contactedAt: null, outcome: "notContacted", updatesOwed: 0, updatesSent: 0 });
  });

  it("updates owed grow with every 24 h since the first contact while the parcel is under way; sent ones are the later contacts", () => {
    const a = activity({ carrierScans: scans, agentReplies: [T + 2 * HOUR, T + 20 * HOUR] });
    expect(shipmentEpisodes("c", state, a, pins, T + 25 * HOUR)[0]).toMatchObject({ updatesOwed: 0, updatesSent: 1 });
    expect(shipmentEpisodes("c", state, a, pins, T + 51 * HOUR)[0]).toMatchObject({ updatesOwed: 2, updatesSent: 1 });
  });

  it("a parcel with no delay has no episode", () => {
    expect(shipmentEpisodes("c", foldCaseState([shipment("shipment.in_transit", T)])!, activity({ carrierScans: [T] }), pins, T + HOUR)).toEqual([]);
  });
});

describe("playbookDiff", () => {
  const state = foldCaseState([
    shipment("shipment.in_transit", T),
    shipment("shipment.exception", T + HOUR),
    { ...shipment("case.callback_promised", T + 2 * HOUR, { provider: "promptly", callback: { id: "cb", at: new Date(T + 3 * HOUR).toISOString() } }) },
  ])!;
  const a = activity({ carrierScans: [T, T + HOUR] });

  it("pushes everything the first time, nothing when nothing changed, and only what changed after", () => {
    const records = playbookRecords("c", state, a, pins);
    expect(records).toEqual([{ caseId: "c", rule: "callback", ref: "cb", triggeredAt: T + 2 * HOUR, dueAt: T + 3 * HOUR + 10 * 60_000, actedAt: null }]);
    const episodes = shipmentEpisodes("c", state, a, pins, T + 2 * HOUR);
    const first = playbookDiff({ playbook: {}, shipments: {} }, records, episodes);
    expect(first.playbook?.upsert).toEqual(records);
    expect(first.shipments?.upsert).toEqual(episodes);
    const again = playbookDiff(first.next, playbookRecords("c", state, a, pins), shipmentEpisodes("c", state, a, pins, T + 3 * HOUR));
    expect([again.playbook, again.shipments]).toEqual([null, null]);
    const replied = shipmentEpisodes("c", state, { ...a, agentReplies: [T + 4 * HOUR] }, pins, T + 4 * HOUR);
    const changed = playbookDiff(first.next, records, replied);
    expect(changed.playbook).toBeNull();
    expect(changed.shipments).toEqual({ upsert: replied, remove: [] });
    // A late event that takes the delay back removes the episode.
    expect(playbookDiff(first.next, records, []).shipments).toEqual({ upsert: [], remove: [String(T + HOUR)] });
  });
});
