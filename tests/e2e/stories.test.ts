/**
 * End-to-end stories: the real `wrangler dev` on a free loopback port with a fresh state
 * directory per story, configured over HTTP exactly as the README tells a user, fed signed
 * provider payloads, and judged by what a support lead would see: the case view, the delivery
 * log, and what their endpoints (a real local receiver) got. Targets are seconds long so each
 * story runs in seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request } from "./support/http";
import { Inbox } from "./support/inbox";
import { aftership, freshdesk, helpscout, helpscoutRating, SECRETS, shopifyFulfillment, zendesk, zendeskComment } from "./support/providers";
import { configureProvider, createStore, CUSTOM_SECRET, postCustom, readCase, saveRules, waitForCase, type E2EStore } from "./support/store";
import { DevServer, sleep } from "./support/wrangler";

/** One story's world: a fresh service, a fresh store, and the store's endpoints. */
function world(vars: Record<string, string> = {}) {
  const w = { server: new DevServer({ vars: { DELIVERY_RETRY_BASE_SECONDS: "1", ...vars } }), inbox: new Inbox(), store: undefined as unknown as E2EStore };
  beforeAll(async () => {
    await w.inbox.start();
    await w.server.start();
    w.store = await createStore(w.server.url, "Story shop");
  });
  afterAll(async () => {
    await w.server.dispose();
    await w.inbox.stop();
  });
  return w;
}

const kinds = (xs: { data: { kind: string } }[]) => xs.map((x) => x.data.kind);

describe("story 1: urgent chat on Zendesk — warning, breach, escalation, then the reply stops it", () => {
  const w = world();
  it("tells the team before and at the deadline, the lead after it, and nothing once the agent replied", async () => {
    await configureProvider(w.store, "zendesk", { secrets: [SECRETS.zendesk] });
    await saveRules(w.store, {
      channels: { team: w.inbox.channel("team"), lead: w.inbox.channel("lead") },
      policies: [
        {
          name: "Urgent chat",
          when: { channels: ["chat"], priorities: ["urgent"] },
          targets: { firstReply: { byPriority: { urgent: "4s" }, warnings: ["2s"] }, nextReply: { byPriority: { urgent: "1h" } } },
          notify: ["team"],
          escalations: [
            { level: 1, after: "2s", channels: ["lead"], message: "Shift lead: take the chat now" },
            { level: 2, after: "10s", channels: ["lead"], message: "Head of support: this customer has waited too long" },
          ],
        },
      ],
    });
    const ticket = { id: "1001", priority: "urgent", channel: "chat", subject: "Payment failed twice" };
    const opened = Date.now();
    const res = await zendesk(w.store, "created", ticket, {}, new Date(opened));
    expect(res.status, w.server.logs()).toBe(202);
    const caseId = res.body.caseId as string;

    const [warning] = await w.inbox.waitForReminders("first_reply.warning");
    const [breach] = await w.inbox.waitForReminders("first_reply.breach");
    const [escalation] = await w.inbox.waitForReminders("first_reply.escalation");
    expect(warning!.path).toBe("/team");
    expect(breach!.path).toBe("/team");
    expect(escalation!.path).toBe("/lead");
    expect(breach!.data.title).toMatch(/^First reply overdue/);
    expect(escalation!.data.nextAction).toBe("Shift lead: take the chat now");
    expect(escalation!.data.escalationLevel).toBe(1);

    const reply = await zendeskComment(w.store, ticket, { body: "So sorry — fixing it now.", staff: true });
    expect(reply.status).toBe(202);
    await zendeskComment(w.store, ticket, { body: "Thanks, still waiting for the refund", staff: false });
    // Level 2 would have fired at opened + 14 s.
    await sleep(Math.max(0, opened + 16_000 - Date.now()));
    expect(kinds(w.inbox.reminders())).toEqual(["first_reply.warning", "first_reply.breach", "first_reply.escalation"]);

    const view = await readCase(w.store, caseId);
    const clock = (m: string) => view.clocks.find((c: { metric: string }) => c.metric === m);
    expect(clock("first_reply").status).toBe("fulfilled");
    expect(clock("next_reply").status).toBe("active");
    expect(view.timers.done.find((t: { kind: string; level?: number; state: string }) => t.kind === "first_reply.escalation" && t.state === "cancelled").cancelledBecause).toMatch(/^first reply fulfilled at/);
    const deliveries = await request(w.store.url, "GET", `/v1/stores/${w.store.storeId}/deliveries?state=delivered`, { token: w.store.token });
    expect(deliveries.body.deliveries.map((d: { reminder: { kind: string } }) => d.reminder.kind).sort()).toEqual(["first_reply.breach", "first_reply.escalation", "first_reply.warning"]);
  });
});

describe("story 2: Help Scout conversation set to pending — the clock pauses and resumes with time used", () => {
  const w = world();
  it("does not breach while waiting on the customer, and resumes from the business time already used", async () => {
    await configureProvider(w.store, "helpscout", { secrets: [SECRETS.helpscout] });
    await saveRules(w.store, {
      channels: { team: w.inbox.channel("team") },
      policies: [{ name: "Email", targets: { firstReply: { byPriority: { normal: "6s" }, pauseOn: ["pending"] } }, notify: ["team"] }],
    });
    const convo = { id: 5501, customerEmail: "mia@example.com" };
    const t0 = Date.now();
    const created = await helpscout(w.store, "convo.created", convo, new Date(t0));
    expect(created.status, w.server.logs()).toBe(202);
    const caseId = created.body.caseId as string;
    await sleep(2000);
    const pausedAt = Date.now();
    expect((await helpscout(w.store, "convo.status", { ...convo, status: "pending" }, new Date(pausedAt))).status).toBe(202);
    const paused = await readCase(w.store, caseId);
    expect(paused.clocks[0]).toMatchObject({ metric: "first_reply", status: "paused", dueAt: null });
    // Past the original deadline (t0 + 6 s): nothing fires while the case waits on the customer.
    await sleep(Math.max(0, t0 + 7000 - Date.now()));
    expect(w.inbox.reminders()).toHaveLength(0);

    const resumedAt = Date.now();
    expect((await helpscout(w.store, "convo.customer.reply.created", { ...convo, status: "active", threadBody: "Hello? Still there?" }, new Date(resumedAt))).status).toBe(202);
    const resumed = await readCase(w.store, caseId);
    const used = pausedAt - t0;
    expect(resumed.clocks[0].status).toBe("active");
    expect(Date.parse(resumed.clocks[0].dueAt)).toBe(resumedAt + 6000 - used);
    const [breach] = await w.inbox.waitForReminders("first_reply.breach");
    expect(Date.parse(breach!.data.dueAt as string)).toBe(resumedAt + 6000 - used);
    expect(resumed.timeline.metricEvents.map((m: { type: string }) => m.type)).toEqual(expect.arrayContaining(["activate", "pause", "resume"]));
  });
});

describe("story 3: a promised callback — from a helpdesk field and through the API", () => {
  const w = world();
  it("reminds before the time, breaches after the grace, escalates after that", async () => {
    await configureProvider(w.store, "helpscout", { secrets: [SECRETS.helpscout], options: { callbackField: "callback_at" } });
    await saveRules(w.store, {
      channels: { team: w.inbox.channel("team"), lead: w.inbox.channel("lead") },
      playbook: { callback: { remindBefore: "3s", grace: "2s", escalateAfter: "2s", channels: ["team"], escalationChannels: ["lead"] } },
    });
    const at = Date.now() + 6000;
    const viaField = await helpscout(w.store, "convo.created", { id: 7701, customFields: [{ name: "callback_at", value: new Date(at).toISOString() }] });
    expect(viaField.status, w.server.logs()).toBe(202);
    const apiCase = await helpscout(w.store, "convo.created", { id: 7702 });
    const apiAt = Date.now() + 6000;
    const promised = await request(w.store.url, "POST", `/v1/stores/${w.store.storeId}/cases/${encodeURIComponent(apiCase.body.caseId)}/callbacks`, {
      token: w.store.token,
      body: { at: new Date(apiAt).toISOString(), owner: "Deniz", phone: "+90 555 123 45 67", note: "refund status" },
    });
    expect(promised.status).toBe(201);

    const reminders = await w.inbox.waitForReminders("callback.reminder", 2);
    const dues = await w.inbox.waitForReminders("callback.due", 2);
    const escalations = await w.inbox.waitForReminders("callback.escalation", 2, 30_000);
    expect(reminders.every((r) => r.path === "/team" && r.data.urgency === "urgent")).toBe(true);
    expect(dues.every((r) => r.path === "/team")).toBe(true);
    expect(escalations.every((r) => r.path === "/lead")).toBe(true);
    const apiReminder = reminders.find((r) => r.data.caseId === apiCase.body.caseId)!;
    expect(apiReminder.data.nextAction).toMatch(/^Call \+90 555 123 45 67 at /);
    // Each reminder is worded against the promised time: ahead of it, then late by the grace.
    expect(apiReminder.data.lateByMs as number).toBeLessThan(0);
    const view = await readCase(w.store, apiCase.body.caseId);
    for (const t of view.timers.done) expect(t.lateByMs, t.kind).toBeLessThan(1000);
    expect(view.callbacks[0]).toMatchObject({ owner: "Deniz", source: "api", doneAt: null });
  });
});

describe("story 4: a late parcel meets the customer's open Freshdesk ticket", () => {
  const w = world();
  it("asks for proactive contact (phone first) on that ticket, owes updates every interval, and stops at delivery", async () => {
    await configureProvider(w.store, "freshdesk", { secrets: [SECRETS.freshdesk] });
    await configureProvider(w.store, "shopify", { secrets: [SECRETS.shopify] });
    await configureProvider(w.store, "aftership", { secrets: [SECRETS.aftership] });
    await saveRules(w.store, {
      channels: { desk: { type: "freshdesk_note", baseUrl: `${w.inbox.url}/fd`, apiKey: "fd-api-key" }, team: w.inbox.channel("team") },
      playbook: { shipmentDelay: { proactiveContactWithin: "1h", updateEvery: "4s", channels: ["desk", "team"] } },
    });
    const email = "ayse@example.com";
    const ticket = await freshdesk(w.store, "ticket_created", { id: "777", email, subject: "Order #1001" });
    expect(ticket.status, w.server.logs()).toBe(202);
    const tracking = "1ZE2E0000000000001";
    expect((await shopifyFulfillment(w.store, { id: 4001, orderId: 1001, trackingNumber: tracking, email, phone: "+90 532 111 22 33", shipmentStatus: "in_transit" })).status).toBe(202);
    const exception = await aftership(w.store, { trackingNumber: tracking, tag: "Exception", subtag: "Exception_004", message: "Held in customs" });
    expect(exception.status).toBe(202);
    const shipmentCase = exception.body.caseId as string;

    const notes = await w.inbox.waitForPath("/fd/api/v2/tickets/777/notes");
    const note = JSON.parse(notes[0]!.body) as { body: string; private: boolean };
    expect(note.private).toBe(true);
    expect(note.body).toContain("Call +90 532 111 22 33");
    expect(note.body).toContain("Held in customs");
    const [contact] = await w.inbox.waitForReminders("shipment.proactive_contact");
    expect(contact!.data.details.join(" ")).toContain("freshdesk #777");

    const updates = await w.inbox.waitForReminders("shipment.update_due", 2, 20_000);
    expect(updates).toHaveLength(2);
    const ticketView = await readCase(w.store, ticket.body.caseId);
    expect(ticketView.timeline.notes[0].text).toContain("Late parcel");

    expect((await aftership(w.store, { trackingNumber: tracking, tag: "Delivered", subtag: "Delivered_001", message: "Delivered" })).status).toBe(202);
    const delivered = await waitForCase(w.store, shipmentCase, (v) => (v.shipment.deliveredAt ? v : undefined));
    expect(delivered.timers.pending).toHaveLength(0);
    const countAtDelivery = w.inbox.reminders("shipment.update_due").length;
    await sleep(5000);
    expect(w.inbox.reminders("shipment.update_due").length).toBe(countAtDelivery);
  });
});

describe("story 5: the playbook — a bad rating, a conversation going in circles, a dispute word", () => {
  const w = world();
  it("asks for a reply to the rating, a call instead of another email, and a refund offer", async () => {
    await configureProvider(w.store, "helpscout", { secrets: [SECRETS.helpscout] });
    await configureProvider(w.store, "zendesk", { secrets: [SECRETS.zendesk] });
    await saveRules(w.store, {
      channels: { team: w.inbox.channel("team") },
      playbook: { badRating: { replyWithin: "3s", channels: ["team"] }, goingInCircles: { customerMessages: 4, channels: ["team"] }, disputeRisk: { channels: ["team"] } },
    });
    const convo = await helpscout(w.store, "convo.created", { id: 9101 });
    expect(convo.status, w.server.logs()).toBe(202);
    expect((await helpscoutRating(w.store, 9101, "not good", "Took a week to answer")).status).toBe(202);
    const [bad] = await w.inbox.waitForReminders("rating.bad");
    expect(bad!.data.nextAction).toMatch(/^Reply publicly, on the rating/);
    await w.inbox.waitForReminders("rating.reply_due");

    const ticket = { id: "2002" };
    await zendesk(w.store, "created", ticket);
    for (const body of ["Where is it?", "Hello??", "Third time asking", "I will open a chargeback with my bank"]) {
      expect((await zendeskComment(w.store, ticket, { body, staff: false })).status).toBe(202);
    }
    const [nudge] = await w.inbox.waitForReminders("circles.call_nudge");
    expect(nudge!.data.nextAction).toMatch(/^Call the customer instead of writing again/);
    const [dispute] = await w.inbox.waitForReminders("dispute.escalation");
    expect(dispute!.data.title).toContain('"chargeback"');
    expect(dispute!.data.nextAction).toMatch(/offer a refund or a coupon now/);
  });
});

describe("story 6: quiet hours — a non-urgent reminder due at night arrives at opening in a digest", () => {
  const w = world();
  it("holds normal reminders until the quiet-hours calendar opens and sends urgent ones at once", async () => {
    await configureProvider(w.store, "custom", { secrets: [CUSTOM_SECRET] });
    // Closed from the start of this minute until the next minute boundary at least 20 s away.
    const now = new Date();
    const hhmm = (d: Date) => `${String(d.getUTCHours()).padStart(2, "0")}:${String(d.getUTCMinutes()).padStart(2, "0")}`;
    const start = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
    let opening = new Date(start.getTime() + 60_000);
    if (opening.getTime() - now.getTime() < 20_000) opening = new Date(opening.getTime() + 60_000);
    const sameDay = opening.getUTCDate() === start.getUTCDate();
    const everyDay = Object.fromEntries(["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((d) => [d, [["00:00", "24:00"]]]));
    await saveRules(w.store, {
      calendars: { staffed: { timeZone: "UTC", week: everyDay, closures: [{ date: start.toISOString().slice(0, 10), start: hhmm(start), end: sameDay ? hhmm(opening) : "24:00" }] } },
      quietHours: { calendar: "staffed" },
      channels: { team: w.inbox.channel("team") },
      policies: [{ name: "All", targets: { firstReply: { byPriority: { normal: "2s", urgent: "2s" } } }, notify: ["team"] }],
    });
    for (const id of ["N-1", "N-2"]) {
      expect((await postCustom(w.store, { occurredAt: new Date().toISOString(), caseKey: { type: "ticket", ticketId: id }, kind: "case.opened", priority: "normal", status: "open" })).status, w.server.logs()).toBe(202);
    }
    await postCustom(w.store, { occurredAt: new Date().toISOString(), caseKey: { type: "ticket", ticketId: "U-1" }, kind: "case.opened", priority: "urgent", status: "open" });

    const [urgent] = await w.inbox.waitForReminders("first_reply.breach");
    expect(urgent!.data.caseId).toBe("ticket:custom:U-1");
    expect(urgent!.raw.at).toBeLessThan(opening.getTime());
    const held = await request(w.store.url, "GET", `/v1/stores/${w.store.storeId}/deliveries?state=held`, { token: w.store.token });
    expect(held.body.deliveries).toHaveLength(2);

    const digest = await waitForDigest(w.inbox, 100_000);
    expect(digest.raw.at).toBeGreaterThanOrEqual(opening.getTime());
    expect(digest.path).toBe("/team");
    const data = digest.data as unknown as { count: number; reminders: { caseId: string; kind: string }[] };
    expect(data.count).toBe(2);
    expect(data.reminders.map((r) => r.caseId).sort()).toEqual(["ticket:custom:N-1", "ticket:custom:N-2"]);
    expect(w.inbox.reminders("first_reply.breach")).toHaveLength(1);
  });
});

async function waitForDigest(inbox: Inbox, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const d = inbox.webhooks().find((x) => x.type === "reminder.digest");
    if (d) return d;
    await sleep(250);
  }
  throw new Error("no digest arrived");
}
