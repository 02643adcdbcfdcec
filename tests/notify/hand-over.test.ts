/**
 * The hand-over to the queue can fail (the platform refuses the send). The delivery is already
 * recorded, so it must not be lost: the registry's alarm sends it again within 30 seconds
 * (docs/notifications.md). Only the fault is injected, by recording through a queue binding that
 * refuses; the re-send is the registry's own alarm with the real queue, and the reminder has to
 * reach a real local receiver.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { currentRulesNaming } from "../../src/notify/dispatch";
import { DeliveryLog } from "../../src/notify/delivery-log";
import { planDispatch } from "../../src/notify/plan";
import { Sink } from "./support/receiver";
import { deliveryOf, eventually, reminder, storeWithRules } from "./support/store";

const HAND_OVER_RETRY_MS = 30_000;

const refusingQueue = {
  send: () => Promise.reject(new Error("queue unavailable")),
  sendBatch: () => Promise.reject(new Error("queue unavailable")),
} as unknown as Queue;

describe("a reminder the queue refused", () => {
  it("is sent again by the registry's alarm within 30 s and reaches the channel", async () => {
    const sink = await Sink.create();
    const store = await storeWithRules({ channels: { ops: { type: "slack", webhookUrl: `${sink.url}/hook` } } });
    const r = reminder(store.storeId, { urgency: "urgent", channels: ["ops"] });
    const registry = env.STORES.getByName(store.storeId);
    const before = Date.now();
    const plan = planDispatch(r, await currentRulesNaming(env, store.storeId, r.channels), Date.now());

    await runInDurableObject(registry, async (_i, state) => {
      await state.storage.deleteAlarm();
      await expect(new DeliveryLog(state.storage, refusingQueue).record(plan)).rejects.toThrow(/queue unavailable/);
    });
    // Recorded and pending, not lost: the alarm is set to try the hand-over again.
    expect(await deliveryOf(store, `${r.id}#ops`)).toMatchObject({ state: "pending" });
    const armed = await runInDurableObject(registry, (_i, state) => state.storage.getAlarm());
    expect(armed).not.toBeNull();
    expect(armed!).toBeGreaterThanOrEqual(before + HAND_OVER_RETRY_MS);
    expect(armed!).toBeLessThanOrEqual(Date.now() + HAND_OVER_RETRY_MS);
    expect(await sink.requests()).toEqual([]);

    // The alarm runs (its time has come): the queue takes it now, and the channel receives it once.
    expect(await runDurableObjectAlarm(registry)).toBe(true);
    const got = await eventually(async () => {
      const reqs = await sink.requests();
      return reqs.length > 0 ? reqs : undefined;
    }, "the re-sent reminder at the receiver");
    expect(got).toHaveLength(1);
    expect(JSON.parse(got[0]!.body).text).toContain(r.title);
    expect(await eventually(async () => ((await deliveryOf(store, `${r.id}#ops`))?.state === "delivered" ? true : undefined), "delivered")).toBe(true);
  });
});
