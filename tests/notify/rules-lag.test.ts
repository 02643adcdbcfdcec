/**
 * KV is eventually consistent: for up to a minute after a save its pointer may still name the
 * previous rules version. A channel added just before a reminder fires must still get it, not be
 * recorded dead as "not defined". The lag is made real by putting KV's pointer back to the old
 * version after the save, which is exactly what a reader at another edge location sees.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { dispatchReminder } from "../../src/notify/dispatch";
import { pointerKey } from "../../src/rules-store/kv";
import { Sink } from "./support/receiver";
import { deliveryOf, eventually, reminder, saveRules, storeWithRules } from "./support/store";

describe("a channel saved a moment ago, before KV has caught up", () => {
  it("gets the reminder: dispatch and the queue consumer read the registry when KV's copy lacks the channel", async () => {
    const sink = await Sink.create();
    const store = await storeWithRules({ channels: { old: { type: "slack", webhookUrl: `${sink.url}/old` } } });
    const added = await saveRules(store, { channels: { old: { type: "slack", webhookUrl: `${sink.url}/old` }, fresh: { type: "slack", webhookUrl: `${sink.url}/fresh` } } });
    await env.RULES.put(pointerKey(store.storeId), JSON.stringify({ version: added - 1 }));

    const r = reminder(store.storeId, { channels: ["fresh"] });
    const recorded = await dispatchReminder(env, r);
    expect(recorded.deliveries).toEqual([{ deliveryId: `${r.id}#fresh`, channel: "fresh", state: "pending" }]);
    const d = await eventually(async () => {
      const found = await deliveryOf(store, `${r.id}#fresh`);
      return found?.state === "delivered" ? found : undefined;
    }, "delivery to the new channel");
    expect(d.attempts.map((a) => [a.status, a.outcome])).toEqual([[200, "delivered"]]);
    expect((await sink.requests()).map((q) => q.path)).toEqual(["/fresh"]);
    // KV still lagged the whole time: the registry is what answered.
    expect(await env.RULES.get(pointerKey(store.storeId), "json")).toEqual({ version: added - 1 });
  });

  it("a channel the current rules do not define either is still recorded dead, saying so", async () => {
    const sink = await Sink.create();
    const store = await storeWithRules({ channels: { old: { type: "slack", webhookUrl: `${sink.url}/old` } } });
    const r = reminder(store.storeId, { channels: ["nowhere"] });
    const recorded = await dispatchReminder(env, r);
    expect(recorded.deliveries.map((x) => x.state)).toEqual(["dead"]);
    expect((await deliveryOf(store, `${r.id}#nowhere`))?.lastError).toMatch(/^channel "nowhere" is not defined in the store's rules \(version 1\)/);
  });
});
