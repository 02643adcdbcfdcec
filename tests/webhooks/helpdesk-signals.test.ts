/**
 * Ratings, callback fields and requesters from the helpdesks whose webhooks did not carry them:
 * Zendesk (satisfaction trigger, custom field changed, requester changed), Freshdesk (feedback
 * rule, the callback field emptied) and Gorgias (survey score, the callback field emptied), as
 * the rendered bodies those tools send.
 */
import { describe, expect, it } from "vitest";
import { freshdeskAdapter, FRESHDESK_TEMPLATE } from "../../src/webhooks/freshdesk";
import { gorgiasAdapter, GORGIAS_TEMPLATE } from "../../src/webhooks/gorgias";
import { ZENDESK_RATING_TEMPLATE, zendeskAdapter } from "../../src/webhooks/zendesk";
import { byKind, edited, eventsOf, fixture, kinds, pipeline } from "./helpdesk-helpers";

const TICKET = fixture("zendesk/ticket-created.json").json;

/** The satisfaction trigger's body as Zendesk renders it. */
function ratingBody(rating: string, comment = "") {
  return edited(ZENDESK_RATING_TEMPLATE, (t) => {
    t.id = `5158-satisfaction-2025-01-09T08:00:00Z-${rating}`;
    t.time = "2025-01-09T08:00:00Z";
    t.detail = { id: "5158", requester_id: "8447388090494" };
    t.satisfaction = { rating, comment };
  });
}

function fieldChanged(title: string, current: unknown, id = "360012345678") {
  return edited(TICKET, (d) => {
    d.type = "zen:event-type:ticket.custom_field_changed";
    d.id = `cf-${String(current)}`;
    d.time = "2025-01-08T11:00:00Z";
    d.event = { current, previous: null, custom_field: { id, title, type: "date" } };
  });
}

describe("Zendesk", () => {
  it("a bad rating from the satisfaction trigger is a bad case.rating with the comment", async () => {
    const bad = byKind(await pipeline(zendeskAdapter, ratingBody("Bad", "Nobody answered my emails")), "case.rating");
    expect(bad).toMatchObject({ caseKey: { ticketId: "5158" }, occurredAt: "2025-01-09T08:00:00.000Z", rating: { score: "bad", comment: "Nobody answered my emails" }, requesterId: "8447388090494" });
    expect(byKind(await pipeline(zendeskAdapter, ratingBody("Good")), "case.rating").rating).toEqual({ score: "good" });
    // The five-point scale: 1–2 bad, 4–5 good, 3 neither.
    expect(byKind(await pipeline(zendeskAdapter, ratingBody("2")), "case.rating").rating?.score).toBe("bad");
    expect(await pipeline(zendeskAdapter, ratingBody("3"))).toMatchObject({ type: "ignored" });
    expect(await pipeline(zendeskAdapter, ratingBody("Offered"))).toMatchObject({ type: "ignored" });
  });

  it("the trigger body pasted unrendered (Zendesk's test) is ignored, not a rating", async () => {
    expect(await pipeline(zendeskAdapter, ZENDESK_RATING_TEMPLATE)).toMatchObject({ type: "ignored" });
  });

  it("reads callbackField from ticket.custom_field_changed, by title or id, and an emptied field cancels", async () => {
    const options = { callbackField: "Callback at" };
    const promised = byKind(await pipeline(zendeskAdapter, fieldChanged("Callback at", "2025-01-08T15:30:00Z"), {}, options), "case.callback_promised");
    expect(promised.callback).toMatchObject({ at: "2025-01-08T15:30:00.000Z", field: "Callback at" });
    // The value wrapped as some payloads send it, matched by the field's id.
    const byId = await pipeline(zendeskAdapter, fieldChanged("Call back", { value: "2025-01-08T16:00:00Z" }, "360099"), {}, { callbackField: "360099" });
    expect(byKind(byId, "case.callback_promised").callback?.at).toBe("2025-01-08T16:00:00.000Z");
    const cleared = eventsOf(await pipeline(zendeskAdapter, fieldChanged("Callback at", null), {}, options));
    expect(cleared).toMatchObject([{ kind: "case.callback_done", callback: { field: "Callback at" } }]);
    expect(cleared[0]!.callback?.id).toBeUndefined();
    // Another field, or no callbackField configured: nothing.
    expect(await pipeline(zendeskAdapter, fieldChanged("Order number", "1042"), {}, options)).toMatchObject({ type: "ignored" });
    expect(await pipeline(zendeskAdapter, fieldChanged("Callback at", "2025-01-08T15:30:00Z"))).toMatchObject({ type: "ignored" });
  });

  it("names the requester on every event, and a requester change restates the contact", async () => {
    expect(eventsOf(await pipeline(zendeskAdapter, TICKET)).every((e) => e.requesterId === "8447388090494")).toBe(true);
    const changed = edited(TICKET, (d) => {
      d.type = "zen:event-type:ticket.requester_changed";
      d.event = { current: "9001", previous: "8447388090494" };
    });
    expect(eventsOf(await pipeline(zendeskAdapter, changed))).toMatchObject([{ kind: "case.contact_updated", requesterId: "9001" }]);
  });
});

const fd = (extra: Record<string, unknown>) => ({ freshdesk_webhook: { ...FRESHDESK_TEMPLATE.freshdesk_webhook, ticket_id: 77, ticket_subject: "Broken lamp", ticket_status: "Open", ticket_priority: "Medium", ticket_source: "Email", ticket_tags: "", ticket_group_name: "", ticket_agent_email: "", ticket_contact_email: "ana@example.com", ticket_contact_phone: "+351 912 345 678", ticket_contact_name: "Ana Silva", ticket_url: "https://shop.freshdesk.com/helpdesk/tickets/77", ticket_latest_public_comment: "", ticket_latest_private_comment: "", ticket_description: "", triggered_at: "2026-03-02T10:00:00Z", ...extra } });

describe("Freshdesk", () => {
  it("a feedback rule's rating becomes a case.rating; neutral is neither", async () => {
    const bad = await pipeline(freshdeskAdapter, fd({ event: "feedback_received", feedback_rating: "Extremely Unhappy" }));
    expect(kinds(bad)).toEqual(["case.rating"]);
    expect(byKind(bad, "case.rating")).toMatchObject({ rating: { score: "bad" }, customer: { name: "Ana Silva", email: "ana@example.com", phone: "+351 912 345 678" } });
    expect(byKind(await pipeline(freshdeskAdapter, fd({ event: "feedback_received", feedback_rating: "happy" })), "case.rating").rating?.score).toBe("good");
    expect(await pipeline(freshdeskAdapter, fd({ event: "feedback_received", feedback_rating: "Neutral" }))).toMatchObject({ type: "ignored" });
  });

  it("ticket_callback_at promises, and rendered empty cancels the promise it made", async () => {
    const set = await pipeline(freshdeskAdapter, fd({ ticket_callback_at: "2026-03-02T15:00:00Z" }));
    expect(byKind(set, "case.callback_promised").callback).toMatchObject({ at: "2026-03-02T15:00:00.000Z", field: "callback_at", phone: "+351 912 345 678" });
    const cleared = await pipeline(freshdeskAdapter, fd({ ticket_callback_at: "", triggered_at: "2026-03-02T11:00:00Z" }));
    expect(byKind(cleared, "case.callback_done").callback).toMatchObject({ field: "callback_at" });
    // A template without the field, or with it unrendered, says nothing about the promise.
    expect(kinds(await pipeline(freshdeskAdapter, fd({ ticket_status: "Pending" })))).not.toContain("case.callback_done");
    expect(kinds(await pipeline(freshdeskAdapter, fd({ ticket_callback_at: "{{ticket.cf_callback_at}}" })))).not.toContain("case.callback_done");
  });
});

const gg = (extra: Record<string, unknown>) => ({ ...GORGIAS_TEMPLATE, event: "ticket_updated", ticket_id: "88001", status: "closed", priority: "normal", channel: "email", subject: "Damaged parcel", tags: "", customer_id: "555", customer_email: "lea@example.com", customer_name: "Léa Martin", assignee_email: "", team_name: "", snooze_datetime: "", created_datetime: "2026-03-01T09:00:00", updated_datetime: "2026-03-02T10:00:00.123456", last_message_datetime: "2026-03-01T09:00:00", message_id: "", message_body: "", message_from_agent: "", message_public: "", satisfaction_score: "", satisfaction_comment: "", satisfaction_scored_datetime: "", ...extra });

describe("Gorgias", () => {
  it("an answered survey is one rating per answer, however many snapshots carry it", async () => {
    const first = await pipeline(gorgiasAdapter, gg({ satisfaction_score: "1", satisfaction_comment: "Box was crushed and nobody cares", satisfaction_scored_datetime: "2026-03-02T10:00:00" }));
    const rating = byKind(first, "case.rating");
    expect(rating).toMatchObject({ rating: { score: "bad", comment: "Box was crushed and nobody cares" }, customer: { name: "Léa Martin", email: "lea@example.com" }, requesterId: "555" });
    const again = await pipeline(gorgiasAdapter, gg({ updated_datetime: "2026-03-02T12:00:00", satisfaction_score: "1", satisfaction_comment: "Box was crushed and nobody cares", satisfaction_scored_datetime: "2026-03-02T10:00:00" }));
    expect(byKind(again, "case.rating").providerEventId).toBe(rating.providerEventId);
    expect(byKind(await pipeline(gorgiasAdapter, gg({ satisfaction_score: "5" })), "case.rating").rating?.score).toBe("good");
    expect(kinds(await pipeline(gorgiasAdapter, gg({ satisfaction_score: "3" })))).not.toContain("case.rating");
    expect(kinds(await pipeline(gorgiasAdapter, gg({ satisfaction_score: "None" })))).not.toContain("case.rating");
  });

  it("callback_at promises, and rendered empty cancels the promise it made", async () => {
    expect(byKind(await pipeline(gorgiasAdapter, gg({ callback_at: "2026-03-02T16:00:00Z" })), "case.callback_promised").callback).toMatchObject({ field: "callback_at" });
    expect(byKind(await pipeline(gorgiasAdapter, gg({ callback_at: "" })), "case.callback_done").callback).toMatchObject({ field: "callback_at" });
    expect(kinds(await pipeline(gorgiasAdapter, gg({})))).not.toContain("case.callback_done");
  });
});
