/**
 * Providers retry and reorder. Through the real fetch handler: a duplicate (same dedupe key,
 * even re-signed later) is a 202 with duplicate:true and changes nothing; a delivery older than
 * what the case knows is stored in its history, marked stale, and does not roll state back.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { call } from "../support/api";
import { connect, fixtureText, storedFootprint } from "./intake-harness";

afterEach(() => vi.restoreAllMocks());

function zendesk(type: string, ticketId: string, time: string, extra: Record<string, unknown> = {}, id = crypto.randomUUID()): string {
  const doc = JSON.parse(fixtureText("zendesk/ticket-created.json"));
  return JSON.stringify({ ...doc, ...extra, type: `zen:event-type:${type}`, id, time, subject: `zen:ticket:${ticketId}`, detail: { ...doc.detail, id: ticketId } });
}

function aftership(tag: string, checkpointTime: string, eventId = crypto.randomUUID()): string {
  const doc = JSON.parse(fixtureText("aftership/tracking-update-intransit-v4-legacy.json"));
  doc.event_id = eventId;
  doc.msg.tag = tag;
  doc.msg.subtag = `${tag}_001`;
  doc.msg.checkpoints = [{ checkpoint_time: checkpointTime, message: tag, location: "Austin, TX" }];
  return JSON.stringify(doc);
}

describe("duplicates", () => {
  it("a retry of the same Zendesk event, re-signed with a later timestamp, is a duplicate and stores nothing new", async () => {
    const hook = await connect("zendesk");
    const body = zendesk("ticket.created", "9001", "2026-01-05T09:00:00Z");
    const first = await hook.send(body, { at: new Date(Date.now() - 60_000) });
    expect(first.body).toMatchObject({ duplicate: false, caseId: "ticket:zendesk:9001" });
    const before = (await hook.readCase("ticket:zendesk:9001")).body;
    const retry = await hook.send(body);
    expect(retry.status).toBe(202);
    expect(retry.body).toMatchObject({ duplicate: true, caseId: "ticket:zendesk:9001", eventId: first.body.eventId });
    expect(retry.body.events.every((e: { duplicate: boolean }) => e.duplicate)).toBe(true);
    const after = (await hook.readCase("ticket:zendesk:9001")).body;
    expect(after.timeline.events).toEqual(before.timeline.events);
    expect(after.counters).toEqual(before.counters);
  });

  it("two copies of one delivery racing each other: exactly one is stored", async () => {
    const hook = await connect("aftership");
    const body = aftership("InTransit", "2026-01-05T10:00:00-06:00");
    const [a, b] = await Promise.all([hook.send(body), hook.send(body)]);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect([a.body.duplicate, b.body.duplicate].sort()).toEqual([false, true]);
    expect(a.body.eventId).toBe(b.body.eventId);
    const view = await hook.readCase(a.body.caseId);
    expect(view.body.timeline.events).toHaveLength(1);
  });

  it("providers without event ids (Freshdesk) dedupe on what identifies the change; a new change is new", async () => {
    const hook = await connect("freshdesk");
    const delivery = (status: string, updatedAt: string) =>
      JSON.stringify({ freshdesk_webhook: { event: "ticket_updated", ticket_id: 4242, ticket_status: status, ticket_subject: "Late parcel", triggered_at: updatedAt } });
    const first = await hook.send(delivery("Pending", "2026-01-05T09:00:00Z"));
    expect(first.body.duplicate).toBe(false);
    expect((await hook.send(delivery("Pending", "2026-01-05T09:00:00Z"))).body.duplicate).toBe(true);
    const next = await hook.send(delivery("Resolved", "2026-01-05T11:00:00Z"));
    expect(next.body.duplicate).toBe(false);
    expect((await hook.readCase("ticket:freshdesk:4242")).body.status).toBe("solved");
  });

  it("a delivery id reused across stores is not a duplicate: each store's cases are its own", async () => {
    const a = await connect("zammad");
    const b = await connect("zammad");
    const body = fixtureText("zammad/ticket-trigger-default-payload.json");
    const ra = await a.send(body, { deliveryId: "job-shared-1" });
    const rb = await b.send(body, { deliveryId: "job-shared-1" });
    expect(ra.body.duplicate).toBe(false);
    expect(rb.body.duplicate).toBe(false);
    expect((await a.readCase("ticket:zammad:81")).body.storeId).toBe(a.storeId);
    expect((await b.readCase("ticket:zammad:81")).body.storeId).toBe(b.storeId);
    // Store A's token cannot read store B's case, even knowing its id.
    const cross = await call("GET", `/v1/stores/${b.storeId}/cases/${encodeURIComponent("ticket:zammad:81")}`, { token: a.adminToken });
    expect(cross.status).toBe(401);
  });
});

describe("out of order", () => {
  it("an older status change arriving late is kept in the history but does not reopen a solved ticket", async () => {
    const hook = await connect("zendesk");
    const caseId = "ticket:zendesk:9100";
    expect((await hook.send(zendesk("ticket.created", "9100", "2026-01-05T09:00:00Z"))).status).toBe(202);
    const solved = await hook.send(zendesk("ticket.status_changed", "9100", "2026-01-05T12:00:00Z", { event: { current: "SOLVED", previous: "OPEN" } }));
    expect(solved.body.events[0]).toMatchObject({ duplicate: false, stale: false });
    expect((await hook.readCase(caseId)).body.status).toBe("solved");

    const lateId = crypto.randomUUID();
    const late = zendesk("ticket.status_changed", "9100", "2026-01-05T10:00:00Z", { event: { current: "PENDING", previous: "OPEN" } }, lateId);
    const res = await hook.send(late);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ duplicate: false, eventId: `zendesk:${lateId}` });
    expect(res.body.events[0]).toMatchObject({ kind: "case.status_changed", stale: true });

    const view = (await hook.readCase(caseId)).body;
    expect(view.status).toBe("solved");
    const stored = view.timeline.events.find((e: { eventId: string }) => e.eventId === `zendesk:${lateId}`);
    expect(stored).toMatchObject({ stale: true, occurredAt: "2026-01-05T10:00:00.000Z" });
    // History is in the order things happened, not the order they arrived.
    expect(view.timeline.events.map((e: { occurredAt: string }) => e.occurredAt)).toEqual([...view.timeline.events.map((e: { occurredAt: string }) => e.occurredAt)].sort());

    const again = await hook.send(late);
    expect(again.body).toMatchObject({ duplicate: true });
    expect(again.body.events[0].stale).toBe(true);
  });

  it("an in-transit scan arriving after the delivery does not move the parcel back", async () => {
    const hook = await connect("aftership");
    const delivered = await hook.send(aftership("Delivered", "2026-01-06T15:00:00-06:00"));
    expect(delivered.status).toBe(202);
    const caseId = delivered.body.caseId;
    expect((await hook.readCase(caseId)).body.shipment.milestone).toBe("shipment.delivered");
    const before = await storedFootprint(hook.storeId);
    const late = await hook.send(aftership("InTransit", "2026-01-05T08:00:00-06:00"));
    expect(late.body.events[0]).toMatchObject({ stale: true, duplicate: false });
    const view = (await hook.readCase(caseId)).body;
    expect(view.shipment.milestone).toBe("shipment.delivered");
    expect(view.shipment.deliveredAt).toBe("2026-01-06T21:00:00.000Z");
    expect(view.timeline.events).toHaveLength(2);
    expect((await storedFootprint(hook.storeId)).cases).toBe(before.cases);
  });
});
