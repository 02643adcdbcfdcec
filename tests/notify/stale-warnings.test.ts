/**
 * A warning whose target's breach has already fired says "due in under a minute" about something
 * already overdue. It is dropped wherever it would arrive after its breach: in the quiet-hours
 * digest, in a late send (a copy re-sent after a restart), and in the case object itself when it
 * wakes after both were due.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { SupportCase } from "../../src/cases/support-case";
import { caseIdOf } from "../../src/events/model";
import { DeliveryLog } from "../../src/notify/delivery-log";
import { dispatchReminder } from "../../src/notify/dispatch";
import type { DispatchPlan } from "../../src/notify/plan";
import type { Reminder } from "../../src/notify/reminder";
import { cancelled, caseStub, fired, readCase, storeWithRules as caseStoreWithRules, ticketEvent, type ViewLike } from "../support/cases";
import { Sink } from "./support/receiver";
import { deliveries, deliveryOf, eventually, quietUntilDayAfterTomorrow, reminder, storeWithRules } from "./support/store";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/** A first-reply warning and the breach of the same target, as a case object builds their ids. */
function warningAndBreach(storeId: string, caseId: string, channels: string[]): { warning: Reminder; breach: Reminder } {
  const started = Date.now() - 3_600_000;
  const due = Date.now() - 60_000;
  const warningAt = due - 30_000;
  const warning = reminder(storeId, {
    caseId,
    id: `${caseId}:sla:first_reply:${started}:warning:1:${warningAt}`,
    kind: "first_reply.warning",
    urgency: "normal",
    channels,
    title: "First reply due in under a minute",
    dueAt: new Date(due).toISOString(),
    firedAt: new Date(warningAt).toISOString(),
    lateByMs: warningAt - due,
  });
  const breach = reminder(storeId, { caseId, id: `${caseId}:sla:first_reply:${started}:due:0:${due}`, kind: "first_reply.breach", urgency: "urgent", channels, title: "First reply overdue", dueAt: new Date(due).toISOString() });
  return { warning, breach };
}

describe("a warning whose breach has fired", () => {
  it("is dropped from the quiet-hours digest; other held reminders still go", async () => {
    const sink = await Sink.create();
    const { opening, rules: quiet } = quietUntilDayAfterTomorrow();
    const store = await storeWithRules({ ...quiet, channels: { hook: { type: "webhook", url: `${sink.url}/hook`, secret: SECRET } } });
    const { warning, breach } = warningAndBreach(store.storeId, "ticket:zendesk:7001", ["hook"]);
    const other = reminder(store.storeId, { caseId: "ticket:zendesk:7002", urgency: "normal", channels: ["hook"], title: "Periodic update owed" });
    await dispatchReminder(env, warning);
    await dispatchReminder(env, other);
    expect((await deliveries(store, "?state=held")).map((d) => d.deliveryId).sort()).toEqual([`${warning.id}#hook`, `${other.id}#hook`].sort());
    await dispatchReminder(env, breach);
    await eventually(async () => (await deliveryOf(store, `${breach.id}#hook`))?.state === "delivered", "the urgent breach");

    const registry = env.STORES.getByName(store.storeId);
    await runInDurableObject(registry, (_i, state) => new DeliveryLog(state.storage, env.DELIVERY_QUEUE).onAlarm(opening + 1000));
    const digest = await eventually(async () => (await deliveries(store)).find((d) => d.kind === "digest" && d.state === "delivered"), "the digest");
    expect(digest.digestSize).toBe(1);
    expect(await deliveryOf(store, `${other.id}#hook`)).toMatchObject({ state: "delivered", digestId: digest.deliveryId });
    expect(await deliveryOf(store, `${warning.id}#hook`)).toMatchObject({ state: "skipped", digestId: null, skippedBecause: expect.stringContaining(breach.id) });
    const bodies = (await sink.requests()).map((r) => r.body);
    expect(bodies.some((b) => b.includes(warning.title))).toBe(false);
  });

  it("is not sent late by the registry's sweep when its queue message was lost and its breach has gone out", async () => {
    const sink = await Sink.create();
    const store = await storeWithRules({ channels: { hook: { type: "webhook", url: `${sink.url}/hook`, secret: SECRET } } });
    const { warning, breach } = warningAndBreach(store.storeId, "ticket:zendesk:7003", ["hook"]);
    const other = reminder(store.storeId, { caseId: "ticket:zendesk:7004", urgency: "normal", channels: ["hook"], title: "Periodic update owed" });
    const registry = env.STORES.getByName(store.storeId);
    // Recorded and handed to a queue that loses them, as a killed `wrangler dev` does.
    const lost = { send: async () => {}, sendBatch: async () => {} } as unknown as Queue;
    await runInDurableObject(registry, async (_i, state) => {
      const log = new DeliveryLog(state.storage, lost);
      for (const r of [warning, other]) {
        const plan: DispatchPlan = { reminder: r, rulesVersion: 1, channels: [{ name: "hook", type: "webhook", skip: null }], holdUntil: null, now: Date.now() };
        await log.record(plan);
      }
    });
    await dispatchReminder(env, breach);
    await eventually(async () => (await deliveryOf(store, `${breach.id}#hook`))?.state === "delivered", "the breach");
    // An hour later the sweep finds both quiet: the other reminder goes out, the stale warning does not.
    await runInDurableObject(registry, (_i, state) => new DeliveryLog(state.storage, env.DELIVERY_QUEUE).onAlarm(Date.now() + 2 * 3_600_000));
    await eventually(async () => (await deliveryOf(store, `${other.id}#hook`))?.state === "delivered", "the other reminder, re-sent");
    const d = (await deliveryOf(store, `${warning.id}#hook`))!;
    expect(d).toMatchObject({ state: "skipped", attemptCount: 0 });
    expect(d.skippedBecause).toContain(breach.id);
    expect((await sink.requests()).map((r) => JSON.parse(r.body).data.kind).sort()).toEqual(["first_reply.breach", other.kind].sort());
  });

  it("is not fired by a case that wakes after both its warning and its breach were due", async () => {
    const store = await caseStoreWithRules({
      policies: [{ name: "All", targets: { firstReply: { calendar: "24/7", byPriority: { normal: "3s" }, warnings: ["2s"] } } }],
    });
    const opened = ticketEvent(store.storeId, "W-down", "case.opened", Date.now(), { status: "open" });
    const stub = caseStub(store.storeId, opened);
    // Planned in time, then the object is down (its alarm gone) until the breach is due too.
    await runInDurableObject(stub, async (instance: SupportCase, state) => {
      await instance.ingest([opened]);
      await state.storage.deleteAlarm();
    });
    await new Promise((r) => setTimeout(r, Date.parse(opened.occurredAt) + 3500 - Date.now()));
    await runInDurableObject(stub, (instance: SupportCase) => instance.alarm());
    const view = (await readCase(store, caseIdOf(opened.caseKey))) as ViewLike & { timeline: { reminders: { kind: string }[] } };
    expect(view.timeline.reminders.map((r) => r.kind)).toEqual(["first_reply.breach"]);
    expect(fired(view, "first_reply.warning")).toEqual([]);
    expect(cancelled(view, "first_reply.warning")).toEqual([expect.objectContaining({ cancelledBecause: expect.stringMatching(/before this warning went out: the breach says more$/) })]);
  });
});
