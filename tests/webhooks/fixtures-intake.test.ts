/// <reference types="vite/client" />
/**
 * Every vendored provider payload, signed the provider's way and posted to the real fetch
 * handler: what a store would see if that exact delivery arrived. The list below must name every
 * file under tests/fixtures, and tests/fixtures must hold exactly what SOURCES.md lists (the
 * project's copy of /work/shared/fixtures).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ProviderId } from "../../src/events/model";
import sources from "../fixtures/SOURCES.md?raw";
import { ALL_FIXTURES, connect, fixtureText, storedFootprint } from "./intake-harness";
import type { SignOptions } from "./signers";

afterEach(() => vi.restoreAllMocks());

interface Expectation {
  provider: ProviderId;
  /** How the delivery is sent, when the file is not the whole body (Shippo's inner Track object). */
  body?: (text: string) => string;
  sign?: SignOptions & { headers?: Record<string, string> };
  options?: Record<string, unknown>;
  status: number;
  kinds?: string[];
  caseId?: string;
  ignored?: boolean;
  /** For a 400: the field paths the answer must name. */
  paths?: string[];
  /** For a ping: the exact JSON the provider needs back. */
  reply?: unknown;
}

const FIXTURE_EXPECTATIONS: Record<string, Expectation> = {
  // 17TRACK retries anything but exactly 200.
  "17track/tracking-updated-delivered-ups.json": { provider: "17track", status: 200, kinds: ["shipment.delivered"], caseId: "shipment:ups:1Z2617V10397725789" },
  "aftership/tracking-update-2026-07-docs-trimmed.json": { provider: "aftership", status: 202, kinds: ["shipment.in_transit"] },
  "aftership/tracking-update-intransit-v4-legacy.json": { provider: "aftership", status: 202, kinds: ["shipment.in_transit"], caseId: "shipment:usps:9405516902697649303570" },
  "chatwoot/message-created-docs-sample.json": { provider: "chatwoot", status: 202, kinds: ["case.customer_message"], caseId: "ticket:chatwoot:1" },
  "easypost/tracker-updated-in-transit.json": { provider: "easypost", status: 202, kinds: ["shipment.in_transit"] },
  // Sent as pasted (placeholders unrendered): accepted and ignored so Freshdesk's test succeeds.
  "freshdesk/automation-webhook-body-template-RECONSTRUCTED.json": { provider: "freshdesk", status: 202, ignored: true },
  "front/app-webhook-validation-sync.json": { provider: "front", sign: { frontApp: true, headers: { "x-front-challenge": "chl_8c1d" } }, status: 200, reply: { challenge: "chl_8c1d" } },
  "front/event-assign-api-docs.json": { provider: "front", status: 202, kinds: ["case.assignment_changed"], caseId: "ticket:front:cnv_55c8c149" },
  "gorgias/http-integration-body-template-RECONSTRUCTED.json": { provider: "gorgias", status: 202, ignored: true },
  // The integration's configuration object, not a delivery: refused with the missing fields named.
  "gorgias/http-integration-object-docs.json": { provider: "gorgias", status: 400, paths: ["event", "ticket_id"] },
  "helpscout/convo-status-legacy-v1-docs.json": { provider: "helpscout", sign: { event: "convo.status" }, status: 202, kinds: ["case.status_changed"] },
  "helpscout/convo-v2-sdk-test-payload.json": { provider: "helpscout", sign: { event: "convo.status" }, status: 202, kinds: ["case.status_changed"], caseId: "ticket:helpscout:123" },
  "intercom/conversation-admin-noted.json": { provider: "intercom", status: 202, kinds: ["case.agent_note"], caseId: "ticket:intercom:137324500000000" },
  "shipengine/api-track-delivered-usps-2019.json": { provider: "shipengine", status: 202, kinds: ["shipment.delivered"] },
  // The inner Track object of a track_updated webhook: alone it is not a delivery …
  "shippo/track-object-test-mode-transit.json": { provider: "shippo", status: 400, paths: ["event"] },
  "shippo/track-updated-docs-example.json": { provider: "shippo", status: 202, kinds: ["shipment.delivered"] },
  // No tracking number in a fulfillment event: its case is the fulfillment's (docs/providers.md, Shopify).
  "shopify/fulfillment-events-create.json": { provider: "shopify", sign: { event: "fulfillment_events/create" }, status: 202, kinds: ["shipment.in_transit"], caseId: "shipment:shopify:FULFILLMENT-123456" },
  "shopify/fulfillments-update.json": { provider: "shopify", sign: { event: "fulfillments/update" }, status: 202, kinds: ["shipment.label_created"], caseId: "shipment:ups:1Z827WK74630" },
  "zammad/ticket-trigger-default-payload.json": { provider: "zammad", status: 202, kinds: ["case.opened", "case.customer_message"], caseId: "ticket:zammad:81" },
  "zendesk/ticket-created.json": { provider: "zendesk", status: 202, kinds: ["case.opened", "case.customer_message"], caseId: "ticket:zendesk:5158" },
  "zendesk/user-group-membership-created.json": { provider: "zendesk", status: 202, ignored: true },
};

describe("the vendored fixtures", () => {
  it("are exactly the files SOURCES.md lists, and every one has an expectation here", () => {
    const listed = [...sources.matchAll(/^\| `([^`]+\.json)` \|/gm)].map((m) => m[1]!).sort();
    const present = Object.keys(ALL_FIXTURES).sort();
    expect(present).toEqual(listed);
    expect(Object.keys(FIXTURE_EXPECTATIONS).sort()).toEqual(present);
  });
});

describe("every fixture through its adapter and the real fetch handler", () => {
  for (const [path, x] of Object.entries(FIXTURE_EXPECTATIONS)) {
    it(`${path} → ${x.status}${x.kinds ? ` ${x.kinds.join(" + ")}` : x.ignored ? " ignored" : ""}`, async () => {
      const hook = await connect(x.provider, { options: x.options ?? {} });
      const body = (x.body ?? ((t: string) => t))(fixtureText(path));
      const before = await storedFootprint(hook.storeId);
      // Zammad, Chatwoot, Shopify and custom send a delivery id that stays the same across retries.
      const sign = { deliveryId: `dlv-${path}`, ...(x.sign ?? {}) };
      const res = await hook.send(body, sign);
      expect(res.status, JSON.stringify(res.body)).toBe(x.status);
      expect(res.status).not.toBe(410);
      const after = await storedFootprint(hook.storeId);

      if (x.reply !== undefined) {
        expect(res.body).toEqual(x.reply);
        expect(after).toEqual(before);
      }
      if (x.paths) {
        expect(res.body.error.code).toBe("validation_failed");
        const paths = res.body.error.issues.map((i: { path: string }) => i.path);
        for (const p of x.paths) expect(paths).toContain(p);
        expect(after).toEqual(before);
      }
      if (x.ignored) {
        expect(res.body).toMatchObject({ ignored: true, duplicate: false });
        expect(after).toEqual({ cases: before.cases, ignored: before.ignored + 1 });
        // The provider's retry is recognised, event id or not, and recorded once.
        const retry = await hook.send(body, sign);
        expect(retry.body).toMatchObject({ ignored: true, duplicate: true });
        expect(await storedFootprint(hook.storeId)).toEqual(after);
      }
      if (x.kinds) {
        expect(res.body.duplicate).toBe(false);
        if (x.kinds) expect(res.body.events.map((e: { kind: string }) => e.kind)).toEqual(x.kinds);
        if (x.caseId) expect(res.body.caseId).toBe(x.caseId);
        expect(after.cases).toBe(before.cases + 1);
        // Durable before the 202: the case answers with the event on its timeline.
        const view = await hook.readCase(res.body.caseId);
        expect(view.status).toBe(200);
        expect(view.body.timeline.events.map((e: { eventId: string }) => e.eventId)).toContain(res.body.eventId);
        // The exact same delivery again (a provider retry) is a duplicate and stores nothing new.
        const retry = await hook.send(body, sign);
        expect(retry.status).toBe(x.status);
        expect(retry.body).toMatchObject({ duplicate: true, caseId: res.body.caseId, eventId: res.body.eventId });
        expect(await storedFootprint(hook.storeId)).toEqual(after);
      }
    });
  }

  it("shippo/track-object-test-mode-transit.json in its track_updated envelope is a shipment in transit", async () => {
    const hook = await connect("shippo");
    const res = await hook.send(JSON.stringify({ event: "track_updated", test: true, data: JSON.parse(fixtureText("shippo/track-object-test-mode-transit.json")) }));
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body.events.map((e: { kind: string }) => e.kind)).toEqual(["shipment.in_transit"]);
    expect(res.body.caseId).toBe("shipment:shippo:SHIPPO_TRANSIT");
  });
});
