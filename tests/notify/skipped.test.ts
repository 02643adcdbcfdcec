/**
 * A helpdesk note channel only takes reminders it can post: a note goes on a ticket of its own
 * helpdesk. A shipment with no open ticket, or a ticket of another helpdesk, is recorded
 * `skipped` with the reason — never sent, never dead, never counted against the channel's
 * health — while the store's other channels get the reminder as usual, and the case still shows
 * that the reminder fired.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { caseIdOf } from "../../src/events/model";
import { DeliveryLog, UNHEALTHY_AFTER } from "../../src/notify/delivery-log";
import { dispatchReminder } from "../../src/notify/dispatch";
import type { ChannelHealthView, DeliveryView } from "../../src/notify/views";
import { call } from "../support/api";
import { MIN, ingest, shipmentEvent, waitForCase, type ViewLike } from "../support/cases";
import { Sink } from "./support/receiver";
import { deliveries, deliveryOf, eventually, quietUntilDayAfterTomorrow, reminder, saveRules, storeWithRules, type TestStore } from "./support/store";

const NO_TICKET = "Zendesk note channel: this case is not a Zendesk ticket (it is a shipment, and no open ticket of the same order or customer was found to note it on)";
const DAY = 86_400_000;

async function health(store: TestStore): Promise<ChannelHealthView[]> {
  const res = await call("GET", `/v1/stores/${store.storeId}/channel-health`, { token: store.token });
  expect(res.status).toBe(200);
  return res.body.channels as ChannelHealthView[];
}

function shipmentReminder(store: TestStore, n: number, channels: string[]) {
  const tracking = `1ZSKIP${String(n).padStart(6, "0")}`;
  return reminder(store.storeId, {
    caseId: `shipment:ups:${tracking}`,
    kind: "shipment.update_due",
    urgency: "normal",
    channels,
    ticket: undefined,
    source: { provider: "aftership", trackingNumber: tracking },
  });
}

describe("a note channel and a case with no ticket of its helpdesk", () => {
  it("skips a run of shipment reminders with the reason, and the Zendesk channel stays healthy and quiet", async () => {
    const zendesk = await Sink.create();
    const slack = await Sink.create();
    const store = await storeWithRules({
      channels: {
        zd: { type: "zendesk_note", baseUrl: zendesk.url, email: "lead@shop.example", apiToken: "t" },
        ops: { type: "slack", webhookUrl: `${slack.url}/hook` },
      },
    });
    // More than it takes to mark a failing channel unhealthy and tell the others.
    const burst = Array.from({ length: UNHEALTHY_AFTER + 5 }, (_, i) => shipmentReminder(store, i, ["zd", "ops"]));
    for (const r of burst) {
      const recorded = await dispatchReminder(env, r);
      expect(recorded.deliveries.map((d) => [d.channel, d.state])).toEqual([
        ["zd", "skipped"],
        ["ops", "pending"],
      ]);
    }
    await eventually(async () => (await deliveries(store, "?state=delivered&limit=100")).length === burst.length || undefined, "every Slack reminder delivered", 30_000);

    const skipped = await deliveries(store, "?state=skipped&limit=100");
    expect(skipped.map((d) => d.deliveryId).sort()).toEqual(burst.map((r) => `${r.id}#zd`).sort());
    for (const d of skipped) expect(d).toMatchObject({ channel: "zd", skippedBecause: NO_TICKET, lastError: null, attemptCount: 0, deadAt: null });
    expect(await deliveries(store, "?state=dead")).toEqual([]);
    expect(await zendesk.requests()).toEqual([]);
    // No failure counted, so no notice: Slack got the reminders and nothing else.
    expect((await health(store)).map((h) => h.channel)).toEqual(["ops"]);
    expect((await deliveries(store, "?limit=100")).filter((d) => d.kind === "notice")).toEqual([]);
    expect(await slack.requests()).toHaveLength(burst.length);
    // A skipped delivery is not something to retry.
    const retry = await call("POST", `/v1/stores/${store.storeId}/deliveries/${skipped[0]!.id}/retry`, { token: store.token });
    expect(retry.status).toBe(409);
  }, 60_000);

  it("a shipment reminder whose only channel is skipped still shows in the case timeline as fired", async () => {
    const zendesk = await Sink.create();
    const store = await storeWithRules({
      channels: { zd: { type: "zendesk_note", baseUrl: zendesk.url, email: "lead@shop.example", apiToken: "t" } },
      playbook: { shipmentDelay: { channels: ["zd"], proactiveContactWithin: "4h", updateEvery: "24h" } },
    });
    const tracking = `1ZTL${crypto.randomUUID().slice(0, 8)}`;
    const t0 = Date.now() - 10 * MIN;
    // A customer with no ticket anywhere: there is nothing to note the late parcel on.
    const label = shipmentEvent(store.storeId, tracking, "shipment.label_created", t0 - DAY, { customer: { email: `nobody-${tracking}@example.com` } });
    await ingest([label, shipmentEvent(store.storeId, tracking, "shipment.exception", t0, { shipment: { carrier: "ups", trackingNumber: tracking, reason: "Held in customs" } })]);
    const caseId = caseIdOf(label.caseKey);

    const view = await waitForCase<ViewLike>({ storeId: store.storeId, adminToken: store.token, tokenId: "" }, caseId, (v) =>
      v.timeline.reminders.some((r) => r.kind === "shipment.proactive_contact" && r.outbox === "dispatched"),
    );
    const fired = view.timeline.reminders.find((r) => r.kind === "shipment.proactive_contact")!;
    expect(fired.channels).toEqual(["zd"]);
    const d = await deliveryOf(store, `${fired.reminderId}#zd`);
    expect(d).toMatchObject({ state: "skipped", skippedBecause: NO_TICKET, reminder: { caseId, kind: "shipment.proactive_contact" } });
    expect(await zendesk.requests()).toEqual([]);
  });

  it("a held reminder whose channel became a note channel before the opening is skipped at send time, not dead", async () => {
    const sink = await Sink.create();
    const { opening, rules: quiet } = quietUntilDayAfterTomorrow();
    const store = await storeWithRules({ ...quiet, channels: { desk: { type: "slack", webhookUrl: `${sink.url}/hook` } } });
    const r = shipmentReminder(store, 999_999, ["desk"]);
    expect((await dispatchReminder(env, r)).deliveries.map((d) => d.state)).toEqual(["held"]);
    // Overnight, "desk" becomes a Zendesk note channel: the held shipment reminder has no Zendesk ticket.
    await saveRules(store, { ...quiet, channels: { desk: { type: "zendesk_note", baseUrl: sink.url, email: "lead@shop.example", apiToken: "t" } } });
    await runInDurableObject(env.STORES.getByName(store.storeId), (_i, state) => new DeliveryLog(state.storage, env.DELIVERY_QUEUE).onAlarm(opening + 1000));

    const digest = await eventually(async () => {
      const found = (await deliveries(store)).find((d: DeliveryView) => d.kind === "digest");
      return found?.state === "skipped" ? found : undefined;
    }, "the digest skipped");
    expect(digest.skippedBecause).toBe(NO_TICKET);
    expect(digest.attempts.map((a) => [a.outcome, a.status])).toEqual([["skipped", null]]);
    expect(await deliveryOf(store, `${r.id}#desk`)).toMatchObject({ state: "skipped", skippedBecause: NO_TICKET, digestId: digest.deliveryId });
    expect(await health(store)).toEqual([]);
    expect(await sink.requests()).toEqual([]);
  });
});
