import { describe, expect, it } from "vitest";
import { GORGIAS_TEMPLATE, GorgiasPayload, gorgiasAdapter } from "../../src/webhooks/gorgias";
import { connect } from "./intake-harness";
import { byKind, cfg, edited, eventsOf, fixture, fixturePaths, fuzzAdapter, issuePaths, kinds, pipeline, verifyInput } from "./helpdesk-helpers";

const TEMPLATE_FIXTURE = "gorgias/http-integration-body-template-RECONSTRUCTED.json";
const CONFIG_FIXTURE = "gorgias/http-integration-object-docs.json";

const VALUES: Record<string, string> = {
  "ticket.id": "88412",
  "ticket.status": "open",
  "ticket.priority": "high",
  "ticket.channel": "email",
  "ticket.subject": "Refund for order #1042",
  "ticket.customer.id": "501",
  "ticket.customer.email": "ana@example.com",
  "ticket.assignee_user.email": "sam@shop.example",
  "ticket.assignee_team.name": "Returns",
  "ticket.snooze_datetime": "",
  "ticket.created_datetime": "2025-02-01T09:00:00.123456",
  "ticket.updated_datetime": "2025-02-01T09:30:00.000000",
  "ticket.last_message_datetime": "2025-02-01T09:29:00.000000",
  "ticket.messages[-1].id": "7001",
  "ticket.messages[-1].body_text": "I want my money back",
  "ticket.messages[-1].from_agent": "False",
  "ticket.messages[-1].public": "True",
  "ticket.tags|map(attribute='name')|join(',')": "refund,callback",
};

function render(template: Record<string, unknown>, event: string, values: Record<string, string> = VALUES): Record<string, unknown> {
  const out = JSON.parse(JSON.stringify(template).replace(/\{\{([^}]+)\}\}/g, (_, k: string) => values[k.trim()] ?? "")) as Record<string, unknown>;
  out.event = event;
  return out;
}

describe("gorgias verify (shared token)", () => {
  const verify = (headers: Record<string, string>, secrets: string[], url?: string) => gorgiasAdapter.verify(verifyInput({ body: "{}", headers, config: cfg(secrets), ...(url ? { url } : {}) }));
  it("accepts the configured token in the header or the query, and either rotated token", async () => {
    expect((await verify({ "x-promptly-token": "g-1" }, ["g-1"])).ok).toBe(true);
    expect((await verify({}, ["g-0", "g-1"], "https://p.example/hooks/s/gorgias?token=g-1")).ok).toBe(true);
  });
  it("rejects missing or wrong tokens", async () => {
    expect(await verify({}, ["g-1"])).toMatchObject({ ok: false, code: "bad_signature" });
    expect(await verify({ "x-promptly-token": "g-2" }, ["g-1"])).toMatchObject({ ok: false, code: "bad_signature" });
  });
});

describe("gorgias normalize", () => {
  it("covers every vendored Gorgias fixture", () => {
    expect(fixturePaths("gorgias")).toEqual([TEMPLATE_FIXTURE, CONFIG_FIXTURE]);
  });

  it("accepts the reconstructed template and ignores it while unrendered", async () => {
    const r = await pipeline(gorgiasAdapter, fixture(TEMPLATE_FIXTURE).text);
    expect(r.type).toBe("ignored");
  });

  it("refuses the integration's configuration object: it is not a delivery", () => {
    expect(issuePaths(GorgiasPayload, fixture(CONFIG_FIXTURE).json)).toEqual(expect.arrayContaining(["event", "ticket_id"]));
  });

  it("normalizes a rendered ticket_updated delivery of the fixture template (Gorgias datetimes are UTC)", async () => {
    const result = await pipeline(gorgiasAdapter, render(fixture(TEMPLATE_FIXTURE).json, "ticket_updated"), {}, { account: "acme" });
    expect(eventsOf(result)[0]).toMatchObject({
      kind: "case.status_changed",
      status: "open",
      rawStatus: "open",
      caseKey: { type: "ticket", provider: "gorgias", ticketId: "88412" },
      occurredAt: "2025-02-01T09:30:00.000Z",
      channel: "email",
      customer: { email: "ana@example.com" },
      subject: "Refund for order #1042",
      url: "https://acme.gorgias.com/app/ticket/88412",
    });
  });

  it("treats a snoozed ticket as pending, not solved", async () => {
    const snoozed = render(GORGIAS_TEMPLATE, "ticket_updated", { ...VALUES, "ticket.status": "closed", "ticket.snooze_datetime": "2025-02-03T09:00:00" });
    expect(eventsOf(await pipeline(gorgiasAdapter, snoozed))[0]).toMatchObject({ status: "pending", rawStatus: "snoozed" });
    const closed = render(GORGIAS_TEMPLATE, "ticket_updated", { ...VALUES, "ticket.status": "closed" });
    expect(eventsOf(await pipeline(gorgiasAdapter, closed))[0]).toMatchObject({ status: "solved", rawStatus: "closed" });
  });

  it("tells customer messages, agent replies and internal notes apart", async () => {
    const msg = (fromAgent: string, isPublic: string) => render(GORGIAS_TEMPLATE, "ticket_message_created", { ...VALUES, "ticket.messages[-1].from_agent": fromAgent, "ticket.messages[-1].public": isPublic });
    expect(eventsOf(await pipeline(gorgiasAdapter, msg("False", "True")))).toMatchObject([{ kind: "case.customer_message", body: "I want my money back", occurredAt: "2025-02-01T09:29:00.000Z" }]);
    expect(eventsOf(await pipeline(gorgiasAdapter, msg("True", "True")))[0]?.kind).toBe("case.agent_reply");
    expect(eventsOf(await pipeline(gorgiasAdapter, msg("True", "False")))[0]?.kind).toBe("case.agent_note");
  });

  it("opens a case with priority, tags and the first message, and promises a callback from the tag", async () => {
    const result = await pipeline(gorgiasAdapter, render(GORGIAS_TEMPLATE, "ticket_created"), {}, { callbackTag: "callback" });
    expect(kinds(result)).toEqual(["case.opened", "case.customer_message", "case.callback_promised"]);
    expect(byKind(result, "case.opened")).toMatchObject({ priority: "high", tags: ["refund", "callback"], assignee: "sam@shop.example", group: "Returns" });
    expect(byKind(result, "case.callback_promised").callback?.at).toBe("2025-02-01T11:30:00.000Z");
  });

  it("carries the last Shopify order's value and the Shopify customer's tags when the store adds them", async () => {
    // What the Shopify variables a store adds render to: total_price and currency of the order, the customer's tags.
    const body = { ...render(GORGIAS_TEMPLATE, "ticket_created"), order_value: "649.90", order_currency: "EUR", customer_tags: "VIP, newsletter" };
    const result = await pipeline(gorgiasAdapter, body);
    expect(kinds(result)).toEqual(["case.opened", "case.customer_message"]);
    for (const e of eventsOf(result)) expect(e).toMatchObject({ orderValue: { amount: 649.9, currency: "EUR" }, customerTags: ["VIP", "newsletter"] });
    // A store without Shopify data renders them empty: the order value is unknown, the customer has no tags.
    const empty = byKind(await pipeline(gorgiasAdapter, { ...body, order_value: "", order_currency: "", customer_tags: "" }), "case.opened");
    expect(empty).not.toHaveProperty("orderValue");
    expect(empty.customerTags).toEqual([]);
    const unrendered = byKind(await pipeline(gorgiasAdapter, { ...body, order_value: "{{x}}", customer_tags: "{{ticket.customer.integrations.shopify.customer.tags}}" }), "case.opened");
    expect(unrendered).not.toHaveProperty("orderValue");
    expect(unrendered).not.toHaveProperty("customerTags");
  });

  it("dedupes a resent delivery: the second is a 202 duplicate and the case holds the message once", async () => {
    const gorgias = await connect("gorgias");
    const body = JSON.stringify(render(GORGIAS_TEMPLATE, "ticket_message_created"));
    const first = await gorgias.send(body);
    expect(first.status).toBe(202);
    expect(first.body.duplicate).toBe(false);
    const again = await gorgias.send(body);
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ caseId: first.body.caseId, duplicate: true });
    const view = (await gorgias.readCase(first.body.caseId)).body as { timeline: { events: { kind: string }[] } };
    expect(view.timeline.events.filter((e) => e.kind === "case.customer_message")).toHaveLength(1);
  });

  it("rejects an unknown event or a missing ticket id with paths", () => {
    const body = render(GORGIAS_TEMPLATE, "ticket_updated");
    expect(issuePaths(GorgiasPayload, edited(body, (d) => delete d.ticket_id))).toEqual(["ticket_id"]);
    expect(issuePaths(GorgiasPayload, { ...body, event: "ticket_deleted" })).toEqual(["event"]);
  });

  it("returns the template from setup", () => {
    expect(gorgiasAdapter.setup("https://p.example/hooks/s/gorgias").template).toEqual(GORGIAS_TEMPLATE);
  });
});

describe("gorgias fuzz", () => {
  it("never throws on random bodies and headers", async () => {
    await fuzzAdapter(gorgiasAdapter, ["X-Promptly-Token"], [JSON.stringify(render(GORGIAS_TEMPLATE, "ticket_message_created")), fixture(TEMPLATE_FIXTURE).text]);
  });
});
