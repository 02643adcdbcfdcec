/**
 * A captured, validly signed delivery re-sent with a new unsigned header is not a new event
 * (issue 22 item 8). Each test sends exactly that replay through the Worker and reads what the
 * case stored. Help Scout and Shopify were the reported ones; Chatwoot and Zammad had the same
 * pattern (a delivery id header outside the signature).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { connect, fixtureText } from "./intake-harness";

afterEach(() => vi.restoreAllMocks());

let n = 0;
/** A Help Scout conversation whose newest thread is the customer's message. */
function customerReplyBody(): string {
  n += 1;
  const doc = JSON.parse(fixtureText("helpscout/convo-v2-sdk-test-payload.json"));
  const at = new Date(Date.now() - 60_000).toISOString();
  doc.id = 700_000 + n + Math.floor(Math.random() * 100_000);
  doc.status = "active";
  doc.userUpdatedAt = at;
  doc._embedded = { threads: [{ id: 88_000 + n, type: "customer", body: "Where is my parcel?", createdAt: at, createdBy: { type: "customer", email: "ana@example.com" } }] };
  return JSON.stringify(doc);
}

const kindsOf = (view: { body: { timeline: { events: { kind: string }[] } } }) => view.body.timeline.events.map((e) => e.kind);

describe("Help Scout: one signed body, another X-HelpScout-Event", () => {
  it("a customer's reply re-sent as an agent reply, a note or a status change is a duplicate, and the first reply stays due", async () => {
    const hook = await connect("helpscout");
    const body = customerReplyBody();
    const first = await hook.send(body, { event: "convo.customer.reply.created" });
    expect(first.status).toBe(202);
    expect(first.body.duplicate).toBe(false);
    for (const event of ["convo.agent.reply.created", "convo.note.created", "convo.status", "convo.customer.reply.created"]) {
      const replay = await hook.send(body, { event });
      expect(replay.status, event).toBe(202);
      expect(replay.body.duplicate, event).toBe(true);
    }
    const view = await hook.readCase(first.body.caseId);
    expect(kindsOf(view)).toEqual(["case.customer_message"]);
  });

  it("the body wins where it can tell: a customer's message first seen as an agent reply is stored as the customer's", async () => {
    const hook = await connect("helpscout");
    const forged = await hook.send(customerReplyBody(), { event: "convo.agent.reply.created" });
    expect(forged.status).toBe(202);
    expect(forged.body.events.map((e: { kind: string }) => e.kind)).toEqual(["case.customer_message"]);
  });
});

describe("Shopify: one signed body, another X-Shopify-Webhook-Id or topic", () => {
  it("is a duplicate, whatever the unsigned headers say", async () => {
    const hook = await connect("shopify");
    const body = fixtureText("shopify/fulfillment-events-create.json");
    const first = await hook.send(body, { event: "fulfillment_events/create", deliveryId: "b54557e4-0000-4000-8000-000000000001" });
    expect(first.status).toBe(202);
    expect(first.body.duplicate).toBe(false);
    const newId = await hook.send(body, { event: "fulfillment_events/create", deliveryId: "b54557e4-0000-4000-8000-000000000002" });
    expect(newId.body).toMatchObject({ duplicate: true, eventId: first.body.eventId, caseId: first.body.caseId });
    const newTopic = await hook.send(body, { event: "fulfillments/update", deliveryId: "b54557e4-0000-4000-8000-000000000003" });
    expect(newTopic.body).toMatchObject({ duplicate: true, eventId: first.body.eventId });
  });
});

describe("providers with the same pattern", () => {
  it("Chatwoot: a new X-Chatwoot-Delivery on the same signed body is a duplicate", async () => {
    const hook = await connect("chatwoot");
    const doc = JSON.parse(fixtureText("chatwoot/message-created-docs-sample.json"));
    doc.conversation.display_id = 50_000 + Math.floor(Math.random() * 10_000);
    doc.created_at = Math.floor(Date.now() / 1000) - 30;
    const body = JSON.stringify(doc);
    const first = await hook.send(body, { deliveryId: "cw-1" });
    expect(first.status).toBe(202);
    expect(first.body.duplicate).toBe(false);
    const replay = await hook.send(body, { deliveryId: "cw-2-from-a-replayer" });
    expect(replay.body).toMatchObject({ duplicate: true, eventId: first.body.eventId });
  });

  it("Zammad: a new X-Zammad-Delivery on the same signed body is a duplicate", async () => {
    const hook = await connect("zammad");
    const body = fixtureText("zammad/ticket-trigger-default-payload.json");
    const first = await hook.send(body, { deliveryId: "zm-1" });
    expect(first.status).toBe(202);
    const replay = await hook.send(body, { deliveryId: "zm-2-from-a-replayer" });
    expect(replay.body.duplicate).toBe(true);
    expect(replay.body.events.map((e: { eventId: string }) => e.eventId)).toEqual(first.body.events.map((e: { eventId: string }) => e.eventId));
  });
});
