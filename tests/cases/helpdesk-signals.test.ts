/**
 * What a Zendesk store now gets from its helpdesk, through intake into the case object: a bad
 * rating from the satisfaction trigger starts the bad-rating playbook, and a callback promised in
 * a custom field is reminded, and cancelled when the agent empties the field.
 */
import { describe, expect, it } from "vitest";
import { ZENDESK_RATING_TEMPLATE } from "../../src/webhooks/zendesk";
import { connect } from "../webhooks/intake-harness";
import { HOUR, MIN, pending, type ViewLike } from "../support/cases";

const at = (ms: number) => new Date(ms).toISOString();

function opened(ticketId: string, t: number) {
  return JSON.stringify({ type: "zen:event-type:ticket.created", id: `open-${ticketId}`, time: at(t), detail: { id: ticketId, requester_id: "42", submitter_id: "42", status: "OPEN", priority: "NORMAL", subject: "Lamp arrived broken", via: { channel: "email" } }, event: {} });
}

describe("a Zendesk store", () => {
  it("gets the bad-rating playbook from the satisfaction trigger", async () => {
    const c = await connect("zendesk");
    const t0 = Date.now() - HOUR;
    expect((await c.send(opened("6101", t0))).status).toBe(202);
    const rating = { ...ZENDESK_RATING_TEMPLATE, id: "6101-satisfaction-1", time: at(t0 + 30 * MIN), detail: { id: "6101", requester_id: "42" }, satisfaction: { rating: "Bad", comment: "Still waiting for a replacement" } };
    expect((await c.send(JSON.stringify(rating))).status).toBe(202);
    const view = (await c.readCase("ticket:zendesk:6101")).body as ViewLike;
    expect(pending(view, "rating.reply_due")).toHaveLength(1);
    expect(view.timers.done.filter((t) => t.kind === "rating.bad" && t.state === "fired")).toHaveLength(1);
    expect(view.timeline.reminders.find((r) => r.kind === "rating.bad")?.title).toMatch(/Bad rating/);
  });

  it("reminds a callback promised in the callback field, and cancels it when the field is emptied", async () => {
    const c = await connect("zendesk", { options: { callbackField: "Callback at" } });
    const t0 = Date.now() - 10 * MIN;
    await c.send(opened("6201", t0));
    const promisedFor = Date.now() + 3 * HOUR;
    const field = (id: string, t: number, current: string | null) =>
      JSON.stringify({ type: "zen:event-type:ticket.custom_field_changed", id, time: at(t), detail: { id: "6201", requester_id: "42", status: "OPEN" }, event: { current, previous: null, custom_field: { id: "360012345678", title: "Callback at", type: "date" } } });
    expect((await c.send(field("cf-set", t0 + MIN, at(promisedFor)))).status).toBe(202);
    let view = (await c.readCase("ticket:zendesk:6201")).body as ViewLike;
    expect(Date.parse(pending(view, "callback.due")[0]!.dueAt)).toBeGreaterThanOrEqual(promisedFor);

    expect((await c.send(field("cf-cleared", t0 + 2 * MIN, null))).status).toBe(202);
    view = (await c.readCase("ticket:zendesk:6201")).body as ViewLike;
    expect(pending(view, "callback.due")).toHaveLength(0);
    expect(view.timers.done.filter((t) => t.kind === "callback.due" && t.state === "cancelled")).toHaveLength(1);
  });
});
