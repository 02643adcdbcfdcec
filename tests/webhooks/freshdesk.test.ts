import { describe, expect, it } from "vitest";
import { FRESHDESK_TEMPLATE, FreshdeskPayload, freshdeskAdapter } from "../../src/webhooks/freshdesk";
import { byKind, cfg, edited, eventsOf, fixture, fixturePaths, fuzzAdapter, issuePaths, kinds, pipeline, verifyInput } from "./helpdesk-helpers";

const FIXTURE = "freshdesk/automation-webhook-body-template-RECONSTRUCTED.json";

/** What Freshdesk sends once it has rendered the placeholders for a real ticket. */
const VALUES: Record<string, string> = {
  "ticket.id": "3695",
  "ticket.subject": "Parcel never arrived",
  "ticket.status": "Waiting on Third Party",
  "ticket.priority": "Urgent",
  "ticket.source": "Phone",
  "ticket.ticket_type": "Question",
  "ticket.tags": "vip, callback",
  "ticket.group.name": "Billing",
  "ticket.agent.email": "agent@shop.example",
  "ticket.contact.email": "ana@example.com",
  "ticket.contact.phone": "+33 6 12 34 56 78",
  "ticket.due_by_time": "",
  "ticket.fr_due_by_time": "",
  "ticket.url": "https://shop.freshdesk.com/helpdesk/tickets/3695",
  "ticket.latest_public_comment": "<p>Where is my order #1042?</p>",
  "ticket.latest_private_comment": "Carrier says lost",
  "ticket.description_text": "My parcel did not arrive",
  "ticket.updated_at": "2025-01-08T10:12:07Z",
};

function render<T>(template: T, event: string, values = VALUES): T {
  const text = JSON.stringify(template).replace(/\{\{([^}]+)\}\}/g, (_, k: string) => values[k.trim()] ?? "");
  const out = JSON.parse(text) as { freshdesk_webhook: Record<string, unknown> };
  out.freshdesk_webhook.event = event;
  return out as T;
}

describe("freshdesk verify (shared token)", () => {
  const verify = (headers: Record<string, string>, secrets: string[], url?: string, options: Record<string, unknown> = {}) =>
    freshdeskAdapter.verify(verifyInput({ body: "{}", headers, config: cfg(secrets, options), ...(url ? { url } : {}) }));

  it("accepts the token in X-Promptly-Token or ?token=, and the second secret during rotation", async () => {
    expect((await verify({ "X-Promptly-Token": "tok-1" }, ["tok-1"])).ok).toBe(true);
    expect((await verify({}, ["tok-1"], "https://p.example/hooks/s/freshdesk?token=tok-1")).ok).toBe(true);
    expect((await verify({ "X-Promptly-Token": "tok-2" }, ["tok-1", "tok-2"])).ok).toBe(true);
    expect((await verify({ "X-Shop-Key": "tok-1" }, ["tok-1"], undefined, { tokenHeader: "X-Shop-Key" })).ok).toBe(true);
  });

  it("rejects a missing, changed or other store's token", async () => {
    expect(await verify({}, ["tok-1"])).toMatchObject({ ok: false, code: "bad_signature" });
    expect(await verify({ "X-Promptly-Token": "tok-2" }, ["tok-1"])).toMatchObject({ ok: false, code: "bad_signature" });
    expect(await verify({ "X-Promptly-Token": "tok-1x" }, ["tok-1"])).toMatchObject({ ok: false, code: "bad_signature" });
    expect(await verify({ "X-Promptly-Token": "" }, [""])).toMatchObject({ ok: false });
  });
});

describe("freshdesk normalize", () => {
  it("covers every vendored Freshdesk fixture", () => {
    expect(fixturePaths("freshdesk")).toEqual([FIXTURE]);
  });

  it("accepts the documented template as pasted, and ignores it while its placeholders are unrendered", async () => {
    const result = await pipeline(freshdeskAdapter, fixture(FIXTURE).text);
    expect(result).toMatchObject({ type: "ignored" });
    expect(result.type === "ignored" && result.reason).toMatch(/placeholders/);
    expect((await pipeline(freshdeskAdapter, FRESHDESK_TEMPLATE)).type).toBe("ignored");
  });

  it("normalizes a rendered ticket_updated delivery of the fixture template", async () => {
    const body = render(fixture(FIXTURE).json, "ticket_updated");
    const result = await pipeline(freshdeskAdapter, body);
    expect(kinds(result)).toEqual(["case.status_changed", "case.priority_changed", "case.assignment_changed"]);
    expect(byKind(result, "case.status_changed")).toMatchObject({
      caseKey: { type: "ticket", provider: "freshdesk", ticketId: "3695" },
      status: "waiting-on-third-party",
      rawStatus: "Waiting on Third Party",
      occurredAt: "2025-01-08T10:12:07.000Z",
      channel: "phone",
      subject: "Parcel never arrived",
      customer: { email: "ana@example.com" },
      url: "https://shop.freshdesk.com/helpdesk/tickets/3695",
    });
    expect(byKind(result, "case.priority_changed").priority).toBe("urgent");
    expect(byKind(result, "case.assignment_changed")).toMatchObject({ assignee: "agent@shop.example", group: "Billing" });
  });

  it("dedupes a resent change and tells a new change apart", async () => {
    const body = render(FRESHDESK_TEMPLATE, "ticket_updated");
    const a = eventsOf(await pipeline(freshdeskAdapter, body));
    const b = eventsOf(await pipeline(freshdeskAdapter, body));
    expect(a.map((e) => e.providerEventId)).toEqual(b.map((e) => e.providerEventId));
    const later = edited(body, (d) => (d.freshdesk_webhook.triggered_at = "2025-01-08T11:00:00Z"));
    expect(eventsOf(await pipeline(freshdeskAdapter, later))[0]?.providerEventId).not.toBe(a[0]?.providerEventId);
  });

  it("keeps replies, private notes and customer messages apart", async () => {
    const reply = eventsOf(await pipeline(freshdeskAdapter, render(FRESHDESK_TEMPLATE, "agent_replied")));
    expect(reply).toMatchObject([{ kind: "case.agent_reply", body: "Where is my order #1042?" }]);
    const note = eventsOf(await pipeline(freshdeskAdapter, render(FRESHDESK_TEMPLATE, "note_added")));
    expect(note).toMatchObject([{ kind: "case.agent_note", body: "Carrier says lost" }]);
    const customer = eventsOf(await pipeline(freshdeskAdapter, render(FRESHDESK_TEMPLATE, "customer_replied")));
    expect(customer[0]?.kind).toBe("case.customer_message");
    const created = await pipeline(freshdeskAdapter, render(FRESHDESK_TEMPLATE, "ticket_created"));
    expect(kinds(created)).toEqual(["case.opened", "case.customer_message"]);
    expect(byKind(created, "case.customer_message").body).toBe("My parcel did not arrive");
  });

  it("maps the built-in Freshdesk statuses and the store's custom ones", async () => {
    const status = async (s: string, options: Record<string, unknown> = {}) => {
      const r = await pipeline(freshdeskAdapter, render(FRESHDESK_TEMPLATE, "ticket_updated", { ...VALUES, "ticket.status": s, "ticket.priority": "", "ticket.agent.email": "", "ticket.group.name": "", "ticket.tags": "" }), {}, options);
      return r.type === "events" ? (r.events.find((e) => e.kind === "case.status_changed")?.status ?? "no status change") : r.type;
    };
    expect(await status("Open")).toBe("open");
    expect(await status("Pending")).toBe("pending");
    expect(await status("Resolved")).toBe("solved");
    expect(await status("Closed")).toBe("closed");
    // The rendered (empty) tag list still tells the case the ticket has no tags; the status alone is not guessed.
    expect(await status("Awaiting RMA")).toBe("no status change");
    expect(await status("Awaiting RMA", { statusMap: { "awaiting rma": "on-hold" } })).toBe("on-hold");
  });

  it("an unmapped status with nothing else in the delivery is ignored with the reason", async () => {
    const body = render(FRESHDESK_TEMPLATE, "ticket_updated", { ...VALUES, "ticket.status": "Awaiting RMA", "ticket.priority": "", "ticket.agent.email": "", "ticket.group.name": "" });
    delete (body.freshdesk_webhook as Record<string, unknown>).ticket_tags;
    expect(await pipeline(freshdeskAdapter, body)).toMatchObject({ type: "ignored", reason: expect.stringContaining("statusMap") });
  });

  it("an empty rendered tag list is the full list (no tags), so a removed callback tag is seen; a missing field says nothing", async () => {
    const untagged = await pipeline(freshdeskAdapter, render(FRESHDESK_TEMPLATE, "ticket_updated", { ...VALUES, "ticket.tags": "" }), {}, { callbackTag: "callback" });
    expect(byKind(untagged, "case.tags_changed").tags).toEqual([]);
    expect(kinds(untagged)).not.toContain("case.callback_promised");
    const noField = render(FRESHDESK_TEMPLATE, "ticket_updated");
    delete (noField.freshdesk_webhook as Record<string, unknown>).ticket_tags;
    expect(kinds(await pipeline(freshdeskAdapter, noField))).not.toContain("case.tags_changed");
  });

  it("promises a callback from the configured tag or from the template's callback time", async () => {
    const tagged = await pipeline(freshdeskAdapter, render(FRESHDESK_TEMPLATE, "ticket_updated"), {}, { callbackTag: "callback" });
    expect(byKind(tagged, "case.callback_promised").callback).toMatchObject({ at: "2025-01-08T12:12:07.000Z", phone: "+33 6 12 34 56 78", tag: "callback" });
    const timed = edited(render(FRESHDESK_TEMPLATE, "agent_replied"), (d) => ((d.freshdesk_webhook as Record<string, unknown>).ticket_callback_at = "2025-01-09T15:30:00+01:00"));
    expect(byKind(await pipeline(freshdeskAdapter, timed), "case.callback_promised").callback?.at).toBe("2025-01-09T14:30:00.000Z");
  });

  it("carries the order value and customer tags the store adds to the template from its own fields", async () => {
    const withFields = (value: string, currency: string | undefined, customerTags: string) =>
      edited(render(FRESHDESK_TEMPLATE, "ticket_updated"), (d) => {
        const hook = d.freshdesk_webhook as Record<string, unknown>;
        hook.ticket_order_value = value;
        if (currency !== undefined) hook.ticket_order_currency = currency;
        hook.ticket_customer_tags = customerTags;
      });
    const result = await pipeline(freshdeskAdapter, withFields("1299.50", "eur", "VIP, wholesale"));
    // Every change the delivery reports carries them, so the case knows them whichever it folds first.
    for (const e of eventsOf(result)) expect(e).toMatchObject({ orderValue: { amount: 1299.5, currency: "EUR" }, customerTags: ["VIP", "wholesale"] });
    const noCurrency = byKind(await pipeline(freshdeskAdapter, withFields("80", undefined, "")), "case.status_changed");
    expect(noCurrency.orderValue).toEqual({ amount: 80 });
    // Rendered empty: the customer has no tags (a removed VIP tag is seen).
    expect(noCurrency.customerTags).toEqual([]);
    // A formatted amount, an empty field or an unrendered placeholder is an unknown value, and the update still counts.
    for (const value of ["1.299,50 €", "", "{{ticket.cf_order_value}}", "-80"]) {
      const events = eventsOf(await pipeline(freshdeskAdapter, withFields(value, "EUR", "{{ticket.cf_segment}}")));
      expect(events.length).toBeGreaterThan(0);
      for (const e of events) {
        expect(e).not.toHaveProperty("orderValue");
        expect(e).not.toHaveProperty("customerTags");
      }
    }
    // Without the fields (the template as shipped), nothing is said about either.
    for (const e of eventsOf(await pipeline(freshdeskAdapter, render(FRESHDESK_TEMPLATE, "ticket_updated")))) {
      expect(e).not.toHaveProperty("orderValue");
      expect(e).not.toHaveProperty("customerTags");
    }
  });

  it("rejects a body without ticket_id or with an unknown event, naming the path", () => {
    const body = render(FRESHDESK_TEMPLATE, "ticket_updated");
    expect(issuePaths(FreshdeskPayload, edited(body, (d) => delete (d.freshdesk_webhook as Record<string, unknown>).ticket_id))).toEqual(["freshdesk_webhook.ticket_id"]);
    expect(issuePaths(FreshdeskPayload, edited(body, (d) => (d.freshdesk_webhook.event = "ticket_merged")))).toEqual(["freshdesk_webhook.event"]);
  });

  it("returns the template from setup so GET …/setup can show it", () => {
    const setup = freshdeskAdapter.setup("https://p.example/hooks/store_1/freshdesk");
    expect(setup.template).toEqual(FRESHDESK_TEMPLATE);
    expect(setup.steps.join(" ")).toContain("https://p.example/hooks/store_1/freshdesk");
    expect(setup.headers).toHaveProperty("X-Promptly-Token");
  });
});

describe("freshdesk fuzz", () => {
  it("never throws on random bodies and headers", async () => {
    await fuzzAdapter(freshdeskAdapter, ["X-Promptly-Token"], [JSON.stringify(render(FRESHDESK_TEMPLATE, "ticket_updated")), fixture(FIXTURE).text]);
  });
});
