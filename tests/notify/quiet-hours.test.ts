/**
 * Quiet hours: a normal-urgency reminder that fires while the store's quiet-hours calendar is
 * closed waits in the registry; at the next opening the registry's alarm releases everything
 * held as one digest per channel (per ticket for helpdesk notes). Urgent reminders go at once.
 *
 * The calendar here is closed today and tomorrow (UTC holidays), so the opening is a known
 * instant two days out. Alarms fire on wall-clock time, so the test runs the registry's alarm
 * step itself at that instant, with the registry's own storage, inside the Durable Object.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { DeliveryLog } from "../../src/notify/delivery-log";
import { dispatchReminder } from "../../src/notify/dispatch";
import { WebhookBody } from "../../src/notify/webhook-body";
import { Sink } from "./support/receiver";
import { assertSlackPayload, blockText } from "./support/slack-blocks";
import { deliveries, deliveryOf, eventually, quietUntilDayAfterTomorrow, reminder, storeWithRules } from "./support/store";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
describe("quiet hours", () => {
  it("holds normal reminders, sends urgent ones, and releases the held ones as one digest per channel", async () => {
    const slack = await Sink.create();
    const hook = await Sink.create();
    const zendesk = await Sink.create();
    const { opening, rules: quiet } = quietUntilDayAfterTomorrow();
    const store = await storeWithRules({
      ...quiet,
      channels: {
        ops: { type: "slack", webhookUrl: `${slack.url}/hook` },
        hook: { type: "webhook", url: `${hook.url}/hook`, secret: SECRET },
        zd: { type: "zendesk_note", baseUrl: zendesk.url, email: "lead@shop.example", apiToken: "t" },
      },
    });

    const channels = ["ops", "hook", "zd"];
    const nightA = reminder(store.storeId, { urgency: "normal", channels, title: "Next reply due in 30 min", lateByMs: -1_800_000 });
    const nightB = reminder(store.storeId, { urgency: "normal", channels, title: "Periodic update owed" });
    const urgent = reminder(store.storeId, { urgency: "urgent", channels: ["ops"], title: "Callback due now: +90 532 000 00 00" });
    for (const r of [nightA, nightB, urgent]) await dispatchReminder(env, r);
    // Dispatching a held reminder again changes nothing.
    await dispatchReminder(env, nightA);

    await eventually(async () => (await deliveryOf(store, `${urgent.id}#ops`))?.state === "delivered", "the urgent reminder");
    const held = await deliveries(store, "?state=held");
    expect(held.map((d) => d.deliveryId).sort()).toEqual(channels.flatMap((c) => [`${nightA.id}#${c}`, `${nightB.id}#${c}`]).sort());
    for (const d of held) expect(d.heldUntil).toBe(new Date(opening).toISOString());
    expect(await hook.requests()).toEqual([]);
    expect(await zendesk.requests()).toEqual([]);
    expect((await slack.requests()).map((r) => JSON.parse(r.body).text)).toEqual([expect.stringContaining(urgent.title)]);

    const registry = env.STORES.getByName(store.storeId);
    // The registry's own alarm (a Durable Object alarm, no cron) is armed no later than the
    // opening. Woken early, it releases nothing and re-arms for exactly the opening.
    const armed = await runInDurableObject(registry, (_instance, state) => state.storage.getAlarm());
    expect(armed).not.toBeNull();
    expect(armed!).toBeLessThanOrEqual(opening);
    expect(await runDurableObjectAlarm(registry)).toBe(true);
    expect(await deliveries(store, "?state=held")).toHaveLength(6);
    expect(await runInDurableObject(registry, (_instance, state) => state.storage.getAlarm())).toBe(opening);

    // The alarm at the opening (run at that instant), twice: the second run finds nothing to release.
    for (let i = 0; i < 2; i++) {
      await runInDurableObject(registry, (_instance, state) => new DeliveryLog(state.storage, env.DELIVERY_QUEUE).onAlarm(opening + 1000));
    }

    const digests = await eventually(async () => {
      const ds = (await deliveries(store)).filter((d) => d.kind === "digest");
      return ds.length === 4 && ds.every((d) => d.state === "delivered") ? ds : undefined;
    }, "four delivered digests (Slack, webhook, one Zendesk note per ticket)");
    expect(digests.map((d) => [d.channel, d.digestSize]).sort()).toEqual([
      ["hook", 2],
      ["ops", 2],
      ["zd", 1],
      ["zd", 1],
    ]);
    const members = (await deliveries(store, "?limit=100")).filter((d) => d.reminder && d.reminder.id !== urgent.id);
    expect(members).toHaveLength(6);
    for (const m of members) expect(m).toMatchObject({ state: "delivered", digestId: expect.stringMatching(/^digest:/) });

    const slackGot = (await slack.requests()).slice(1);
    expect(slackGot).toHaveLength(1);
    const payload: unknown = JSON.parse(slackGot[0]!.body);
    assertSlackPayload(payload);
    const seen = blockText(payload.blocks);
    expect(seen).toContain("🌙 2 reminders held during quiet hours");
    expect(seen).toContain(nightA.title);
    expect(seen).toContain(nightB.title);

    const hookGot = await hook.requests();
    expect(hookGot).toHaveLength(1);
    const body = WebhookBody.parse(new Webhook(SECRET).verify(hookGot[0]!.body, hookGot[0]!.headers));
    expect(body.type).toBe("reminder.digest");
    if (body.type !== "reminder.digest") throw new Error("unreachable");
    expect(body.data.releasedAt).toBe(new Date(opening).toISOString());
    expect(body.data.reminders.map((r) => r.id).sort()).toEqual([nightA.id, nightB.id].sort());

    const notes = await zendesk.requests();
    expect(notes.map((n) => n.path).sort()).toEqual([`/api/v2/tickets/${nightA.ticket!.ticketId}.json`, `/api/v2/tickets/${nightB.ticket!.ticketId}.json`].sort());
  });

  it("a store without quiet hours never holds a normal reminder", async () => {
    const sink = await Sink.create();
    const store = await storeWithRules({ channels: { hook: { type: "webhook", url: `${sink.url}/hook`, secret: SECRET } } });
    const r = reminder(store.storeId, { urgency: "normal", channels: ["hook"] });
    await dispatchReminder(env, r);
    await eventually(async () => (await deliveryOf(store, `${r.id}#hook`))?.state === "delivered", "delivery");
    expect(await deliveries(store, "?state=held")).toEqual([]);
  });
});
