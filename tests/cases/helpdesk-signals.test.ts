/**
 * What a Zendesk or Freshdesk store now gets from its helpdesk, through intake into the case
 * object: a bad rating from the satisfaction trigger starts the bad-rating playbook, a callback
 * promised in a custom field is reminded and cancelled when the agent empties the field, and a
 * reminder note names the customer and gives the phone.
 */
import { describe, expect, it } from "vitest";
import { FRESHDESK_TEMPLATE } from "../../src/webhooks/freshdesk";
import { ZENDESK_RATING_TEMPLATE } from "../../src/webhooks/zendesk";
import { Sink } from "../notify/support/receiver";
import { eventually } from "../notify/support/store";
import { HOUR, MIN, pending, saveRules, type ViewLike } from "../support/cases";
import { connect } from "../webhooks/intake-harness";

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

describe("a Freshdesk store", () => {
  it("gets reminders that name the customer and give the phone, from the pasted template alone", async () => {
    const sink = await Sink.create();
    await sink.setFallback({ status: 201, body: "{}" });
    const c = await connect("freshdesk");
    const due = { low: "5m", normal: "5m", high: "5m", urgent: "5m" };
    await saveRules(c as never, { channels: { fd: { type: "freshdesk_note", baseUrl: sink.url, apiKey: "fd-key" } }, policies: [{ name: "Everything", targets: { firstReply: { calendar: "24/7", byPriority: due } }, notify: ["fd"] }] } as never);
    const t0 = new Date(Date.now() - 10 * MIN).toISOString();
    const body = { freshdesk_webhook: { ...FRESHDESK_TEMPLATE.freshdesk_webhook, event: "ticket_created", ticket_id: "9101", ticket_subject: "Broken lamp", ticket_status: "Open", ticket_priority: "Medium", ticket_source: "Email", ticket_type: "", ticket_tags: "", ticket_group_name: "", ticket_agent_email: "", ticket_contact_email: "ana@example.com", ticket_contact_phone: "+351 912 345 678", ticket_contact_name: "Ana Silva", ticket_url: "https://shop.freshdesk.com/a/tickets/9101", ticket_latest_public_comment: "", ticket_latest_private_comment: "", ticket_description: "It arrived in pieces", triggered_at: t0 } };
    expect((await c.send(JSON.stringify(body))).status).toBe(202);
    const note = await eventually(async () => {
      const reqs = await sink.requests();
      return reqs.filter((r) => r.method === "POST" && r.path === "/api/v2/tickets/9101/notes").map((r) => (JSON.parse(r.body) as { body: string }).body)[0];
    }, "the reminder note on Freshdesk ticket 9101");
    expect(note).toContain("Ana Silva");
    expect(note).toContain("+351 912 345 678");
  });
});
