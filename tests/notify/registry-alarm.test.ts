/**
 * The registry's alarm releases held quiet-hours reminders and runs the delivery safety net. The
 * platform retries a failing alarm only a few times and then drops it; the handler must re-arm
 * itself before that, or a held digest would wait forever. The failure here is real: the delivery
 * log's table is moved out of the way inside the registry's own storage, then put back.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { rearmAfterFailedAlarm, SELF_REARM_DELAY_MS } from "../../src/notify/delivery-log";
import { dispatchReminder } from "../../src/notify/dispatch";
import type { StoreRegistry } from "../../src/stores/store-registry";
import { Sink } from "./support/receiver";
import { deliveryOf, quietUntilDayAfterTomorrow, reminder, storeWithRules } from "./support/store";


describe("the registry alarm when a run fails", () => {
  it("leaves early failures to the platform's retries and re-arms itself from the fourth retry on", () => {
    const now = Date.parse("2026-03-02T14:00:00Z");
    expect([0, 1, 2, 3].map((n) => rearmAfterFailedAlarm(n, now))).toEqual([null, null, null, null]);
    expect(rearmAfterFailedAlarm(4, now)).toBe(now + SELF_REARM_DELAY_MS);
    expect(rearmAfterFailedAlarm(6, now)).toBe(now + SELF_REARM_DELAY_MS);
  });

  it("keeps a held quiet-hours reminder scheduled through a run that fails on its last retries", async () => {
    const sink = await Sink.create();
    const { opening, rules: quiet } = quietUntilDayAfterTomorrow();
    const store = await storeWithRules({
      ...quiet,
      channels: { ops: { type: "slack", webhookUrl: `${sink.url}/hook` } },
    });
    const r = reminder(store.storeId, { urgency: "normal", channels: ["ops"] });
    expect((await dispatchReminder(env, r)).deliveries.map((d) => d.state)).toEqual(["held"]);

    const registry = env.STORES.getByName(store.storeId);
    const info = (retryCount: number): AlarmInvocationInfo => ({ retryCount, isRetry: retryCount > 0, scheduledTime: Date.now() });
    await runInDurableObject(registry, async (instance: StoreRegistry, state) => {
      // The platform has taken the alarm to run it; this run cannot read the delivery log.
      await state.storage.deleteAlarm();
      state.storage.sql.exec(`ALTER TABLE deliveries RENAME TO deliveries_unreachable`);
      try {
        await expect(instance.alarm(info(1))).rejects.toThrow(/no such table/);
        // An early failure is the platform's to retry: the handler arms nothing itself.
        expect(await state.storage.getAlarm()).toBeNull();
        const before = Date.now();
        await instance.alarm(info(4));
        const armed = await state.storage.getAlarm();
        expect(armed).not.toBeNull();
        expect(armed!).toBeGreaterThanOrEqual(before + SELF_REARM_DELAY_MS);
        expect(armed!).toBeLessThanOrEqual(Date.now() + SELF_REARM_DELAY_MS);
      } finally {
        state.storage.sql.exec(`ALTER TABLE deliveries_unreachable RENAME TO deliveries`);
      }
    });

    // The fault is gone: the re-armed run succeeds and sets the alarm for the opening again.
    expect(await runDurableObjectAlarm(registry)).toBe(true);
    expect(await runInDurableObject(registry, (_i, state) => state.storage.getAlarm())).toBe(opening);
    expect(await deliveryOf(store, `${r.id}#ops`)).toMatchObject({ state: "held", heldUntil: new Date(opening).toISOString() });
    expect(await sink.requests()).toEqual([]);
  });
});
