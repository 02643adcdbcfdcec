/**
 * POST /rules/dry-run against timelines checked by hand. The calendar is Istanbul (UTC+3 all
 * year) open 09:00–18:00 Monday to Friday, i.e. 06:00–15:00 UTC; 2026-03-02 is a Monday.
 * Every expected instant below is worked out in the comment next to it.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { pointerKey } from "../../src/rules-store/kv";
import zendeskTicketCreated from "../fixtures/zendesk/ticket-created.json";
import zendeskMembership from "../fixtures/zendesk/user-group-membership-created.json";
import { call } from "../support/api";
import { newStore, rulesPath, saveRules, type Store } from "./helpers";

const WEEK = { mon: [["09:00", "18:00"]], tue: [["09:00", "18:00"]], wed: [["09:00", "18:00"]], thu: [["09:00", "18:00"]], fri: [["09:00", "18:00"]] };

function rules(playbook: Record<string, unknown> = {}) {
  return {
    calendars: { Office: { timeZone: "Europe/Istanbul", week: WEEK } },
    channels: {
      team: { type: "slack", webhookUrl: "https://hooks.slack.com/services/T/B/team-secret" },
      lead: { type: "slack", webhookUrl: "https://hooks.slack.com/services/T/B/lead-secret" },
    },
    policies: [
      {
        name: "Urgent chat",
        when: { channels: ["chat"], priorities: ["urgent"] },
        targets: { firstReply: { calendar: "Office", byPriority: { urgent: "5m" }, warnings: ["2m"] } },
        notify: ["team"],
        escalations: [{ level: 1, after: "5m", channels: ["lead"], message: "Shift lead: take the chat or reassign it now" }],
      },
      { name: "Everything", targets: {}, notify: ["team"] },
    ],
    playbook,
  };
}

let seq = 0;
function ticketEvent(kind: string, occurredAt: string, extra: Record<string, unknown> = {}, ticketId = "T1") {
  return { provider: "custom", providerEventId: `e${++seq}`, occurredAt, caseKey: { type: "ticket", provider: "custom", ticketId }, kind, ...extra };
}
function shipmentEvent(kind: string, occurredAt: string, extra: Record<string, unknown> = {}) {
  return { provider: "custom", providerEventId: `s${++seq}`, occurredAt, caseKey: { type: "shipment", carrier: "ups", trackingNumber: "1Z999" }, kind, ...extra };
}

interface Reminder {
  at: string;
  caseId: string;
  kind: string;
  title: string;
  nextAction: string;
  channels: string[];
  rule: { name: string; version: number; path?: string };
}

async function dryRun(store: Store, body: unknown) {
  const res = await call("POST", rulesPath(store, "/dry-run"), { token: store.adminToken, body });
  if (res.status !== 200) throw new Error(`dry-run ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as { rules: { source: string; version: number }; cases: any[]; reminders: Reminder[]; inputs: any[]; until: string }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const brief = (rs: Reminder[], prefix = "") => rs.filter((r) => r.kind.startsWith(prefix)).map((r) => [r.at, r.kind, r.rule.path]);

describe("SLA targets on a business calendar", () => {
  it("urgent chat opened at 17:58 Monday: warning, breach and escalation land in Tuesday's first business minutes", async () => {
    const store = await newStore();
    // Opened Mon 17:58 local (14:58Z): 2 business minutes on Monday, 3 more from Tue 09:00 → due Tue 09:03 (06:03Z).
    // Warning 2 business minutes before: Tue 09:01 (06:01Z). Escalation 5 business minutes after: Tue 09:08 (06:08Z).
    const out = await dryRun(store, {
      rules: rules(),
      events: [ticketEvent("case.opened", "2026-03-02T14:58:00Z", { channel: "chat", priority: "urgent" })],
      until: "2026-03-03T12:00:00Z",
    });
    expect(out.rules).toEqual({ source: "draft", version: 1 });
    expect(out.cases[0].policy).toEqual({ name: "Urgent chat", index: 0 });
    const clock = out.cases[0].clocks.find((c: { metric: string }) => c.metric === "first_reply");
    expect(clock).toMatchObject({ status: "breached", dueAt: "2026-03-03T06:03:00.000Z", targetMs: 300_000 });
    expect(clock.wakeups).toEqual([
      { kind: "warning", level: 1, at: "2026-03-03T06:01:00.000Z" },
      { kind: "due", level: 0, at: "2026-03-03T06:03:00.000Z" },
      { kind: "escalation", level: 1, at: "2026-03-03T06:08:00.000Z" },
    ]);
    expect(brief(out.reminders)).toEqual([
      ["2026-03-03T06:01:00.000Z", "first_reply.warning", "policies[0].targets.firstReply.warnings[0]"],
      ["2026-03-03T06:03:00.000Z", "first_reply.breach", "policies[0].targets.firstReply"],
      ["2026-03-03T06:08:00.000Z", "first_reply.escalation", "policies[0].escalations[0]"],
    ]);
    expect(out.reminders.map((r) => r.channels)).toEqual([["team"], ["team"], ["lead"]]);
    expect(out.reminders[2]!.nextAction).toBe("Shift lead: take the chat or reassign it now");
  });

  it("a reply a minute before the deadline cancels the breach and the escalation; only the warning fired", async () => {
    const store = await newStore();
    const out = await dryRun(store, {
      rules: rules(),
      events: [
        ticketEvent("case.opened", "2026-03-02T14:58:00Z", { channel: "chat", priority: "urgent" }),
        ticketEvent("case.agent_reply", "2026-03-03T06:02:00Z"),
      ],
      until: "2026-03-03T12:00:00Z",
    });
    expect(brief(out.reminders)).toEqual([["2026-03-03T06:01:00.000Z", "first_reply.warning", "policies[0].targets.firstReply.warnings[0]"]]);
    expect(out.cases[0].clocks.find((c: { metric: string }) => c.metric === "first_reply")).toMatchObject({ status: "fulfilled", fulfilledAt: "2026-03-03T06:02:00.000Z" });
  });

  it("an email case falls through to the catch-all policy, which has no targets: no SLA reminders", async () => {
    const store = await newStore();
    const out = await dryRun(store, { rules: rules(), events: [ticketEvent("case.opened", "2026-03-02T10:00:00Z", { channel: "email", priority: "urgent" })], until: "2026-03-04T00:00:00Z" });
    expect(out.cases[0].policy).toEqual({ name: "Everything", index: 1 });
    expect(out.cases[0].clocks).toEqual([]);
    expect(out.reminders).toEqual([]);
  });
});

describe("policies on customer segment and order value", () => {
  // Wall-clock targets, so each deadline is the opening time plus the target.
  const segmentRules = {
    policies: [
      { name: "VIP orders over 500 EUR", when: { segmentTags: ["vip"], minOrderValue: { amount: 500, currency: "EUR" } }, targets: { firstReply: { byPriority: { normal: "15m" } } } },
      { name: "Big orders", when: { minOrderValue: 2000 }, targets: { firstReply: { byPriority: { normal: "1h" } } } },
      { name: "Everything", targets: { firstReply: { byPriority: { normal: "4h" } } } },
    ],
  };
  const firstReplyDue = (out: Awaited<ReturnType<typeof dryRun>>) => out.cases[0].clocks.find((c: { metric: string }) => c.metric === "first_reply")?.dueAt;

  it("the same VIP ticket gets another policy, and another deadline, as its order value changes", async () => {
    const store = await newStore();
    const run = (orderValue?: { amount: number; currency?: string }) =>
      dryRun(store, {
        rules: segmentRules,
        events: [ticketEvent("case.opened", "2026-03-02T10:00:00Z", { channel: "email", customerTags: ["vip"], ...(orderValue ? { orderValue } : {}) })],
        until: "2026-03-02T18:00:00Z",
      });
    const big = await run({ amount: 812.4, currency: "EUR" });
    expect(big.cases[0].policy).toEqual({ name: "VIP orders over 500 EUR", index: 0 });
    expect(firstReplyDue(big)).toBe("2026-03-02T10:15:00.000Z");
    expect(brief(big.reminders)).toEqual([["2026-03-02T10:15:00.000Z", "first_reply.breach", "policies[0].targets.firstReply"]]);
    const small = await run({ amount: 120, currency: "EUR" });
    expect(small.cases[0].policy).toEqual({ name: "Everything", index: 2 });
    expect(firstReplyDue(small)).toBe("2026-03-02T14:00:00.000Z");
    // 812 dollars are not compared with 500 euros; 2,400 of any currency clears the bare 2000.
    expect((await run({ amount: 812.4, currency: "USD" })).cases[0].policy).toEqual({ name: "Everything", index: 2 });
    expect((await run({ amount: 2400, currency: "USD" })).cases[0].policy).toEqual({ name: "Big orders", index: 1 });
    // No order value known: neither order policy can be checked, so neither matches.
    expect((await run()).cases[0].policy).toEqual({ name: "Everything", index: 2 });
  });

  it("an order value learnt after opening moves the case at that instant, from a raw payload as from a normalized event", async () => {
    const store = await newStore();
    const out = await dryRun(store, {
      rules: segmentRules,
      events: [
        ticketEvent("case.opened", "2026-03-02T10:00:00Z", { channel: "email", customerTags: ["vip"] }),
        {
          provider: "custom",
          payload: { providerEventId: "crm-1", occurredAt: "2026-03-02T10:05:00Z", caseKey: { type: "ticket", ticketId: "T1" }, kind: "case.customer_message", orderValue: { amount: 650, currency: "EUR" }, body: "It was a gift" },
        },
      ],
      until: "2026-03-02T18:00:00Z",
    });
    expect(out.cases).toHaveLength(1);
    expect(out.cases[0].policyChanges).toEqual([
      { at: "2026-03-02T10:00:00.000Z", policy: { name: "Everything", index: 2 } },
      { at: "2026-03-02T10:05:00.000Z", policy: { name: "VIP orders over 500 EUR", index: 0 } },
    ]);
    // 15 minutes counted from opening (5 used before the switch): due 10:15.
    expect(firstReplyDue(out)).toBe("2026-03-02T10:15:00.000Z");
  });

  it("a negative minimum is refused with its path, and nothing is simulated", async () => {
    const store = await newStore();
    const res = await call("POST", rulesPath(store, "/dry-run"), {
      token: store.adminToken,
      body: { rules: { policies: [{ name: "Broken", when: { minOrderValue: -500 } }] }, events: [ticketEvent("case.opened", "2026-03-02T10:00:00Z")] },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.issues).toEqual([{ path: "rules.policies[0].when.minOrderValue", message: "an order value cannot be negative" }]);
  });
});

describe("playbook rules", () => {
  it("bad rating: a reminder at once, and the reply is due 2 business hours later (across the evening)", async () => {
    const store = await newStore();
    // Rated bad Mon 17:00 local (14:00Z): 1 business hour left Monday + 1 from Tue 09:00 → reply due Tue 10:00 (07:00Z).
    const events = [
      ticketEvent("case.opened", "2026-03-02T08:00:00Z", { channel: "email", customer: { name: "Ayşe" } }),
      ticketEvent("case.agent_reply", "2026-03-02T09:00:00Z"),
      ticketEvent("case.status_changed", "2026-03-02T09:30:00Z", { status: "solved" }),
      ticketEvent("case.rating", "2026-03-02T14:00:00Z", { rating: { score: "bad", comment: "Took forever" } }),
    ];
    const out = await dryRun(store, { rules: rules({ badRating: { replyWithin: "2h", calendar: "Office", channels: ["lead"] } }), events, until: "2026-03-04T00:00:00Z" });
    expect(brief(out.reminders, "rating.")).toEqual([
      ["2026-03-02T14:00:00.000Z", "rating.bad", "playbook.badRating"],
      ["2026-03-03T07:00:00.000Z", "rating.reply_due", "playbook.badRating.replyWithin"],
    ]);
    const first = out.reminders.find((r) => r.kind === "rating.bad")!;
    expect(first.channels).toEqual(["lead"]);
    expect(first.nextAction).toMatch(/^Reply publicly, on the rating before /);
    // Answered at Tue 09:30 local (06:30Z): the reply-due reminder no longer fires.
    const answered = await dryRun(store, { rules: rules({ badRating: { replyWithin: "2h", calendar: "Office" } }), events: [...events, ticketEvent("case.agent_reply", "2026-03-03T06:30:00Z")], until: "2026-03-04T00:00:00Z" });
    expect(brief(answered.reminders, "rating.")).toEqual([["2026-03-02T14:00:00.000Z", "rating.bad", "playbook.badRating"]]);
  });

  it("going in circles: the 4th customer message without a resolution asks for a call instead", async () => {
    const store = await newStore();
    const events = [
      ticketEvent("case.opened", "2026-03-02T07:00:00Z", { channel: "email", customer: { phone: "+90 532 000 00 00" } }),
      ticketEvent("case.customer_message", "2026-03-02T07:10:00Z"),
      ticketEvent("case.agent_reply", "2026-03-02T07:20:00Z"),
      ticketEvent("case.customer_message", "2026-03-02T08:00:00Z"),
      ticketEvent("case.customer_message", "2026-03-02T09:00:00Z"),
      ticketEvent("case.customer_message", "2026-03-02T10:00:00Z"),
      ticketEvent("case.customer_message", "2026-03-02T11:00:00Z"),
    ];
    const out = await dryRun(store, { rules: rules(), events, until: "2026-03-03T00:00:00Z" });
    // Messages 1–4 at 07:10, 08:00, 09:00, 10:00: the nudge fires with the 4th, once.
    expect(brief(out.reminders, "circles.")).toEqual([["2026-03-02T10:00:00.000Z", "circles.call_nudge", "playbook.goingInCircles.customerMessages"]]);
    // The number is where the call is, not after "if there is no phone number" (issue 25).
    expect(out.reminders.find((r) => r.kind === "circles.call_nudge")!.nextAction).toBe("Call the customer on +90 532 000 00 00 instead of writing again.");
  });

  it("going in circles: reopened for the second time", async () => {
    const store = await newStore();
    const events = [
      ticketEvent("case.opened", "2026-03-02T07:00:00Z", { channel: "email" }),
      ticketEvent("case.status_changed", "2026-03-02T08:00:00Z", { status: "solved" }),
      ticketEvent("case.status_changed", "2026-03-02T09:00:00Z", { status: "open" }),
      ticketEvent("case.status_changed", "2026-03-02T10:00:00Z", { status: "solved" }),
      ticketEvent("case.status_changed", "2026-03-02T11:00:00Z", { status: "open" }),
    ];
    const out = await dryRun(store, { rules: rules(), events, until: "2026-03-03T00:00:00Z" });
    expect(brief(out.reminders, "circles.")).toEqual([["2026-03-02T11:00:00.000Z", "circles.call_nudge", "playbook.goingInCircles.reopenings"]]);
  });

  it("dispute risk: a chargeback threat escalates at once with the coupon-or-refund suggestion", async () => {
    const store = await newStore();
    const events = [
      ticketEvent("case.opened", "2026-03-02T07:00:00Z", { channel: "email" }),
      ticketEvent("case.customer_message", "2026-03-02T08:00:00Z", { body: "Still nothing. I will open a Chargeback with my bank tomorrow." }),
      ticketEvent("case.tags_changed", "2026-03-02T09:00:00Z", { tags: ["dispute"] }),
    ];
    const out = await dryRun(store, { rules: rules({ disputeRisk: { channels: ["lead"] } }), events, until: "2026-03-03T00:00:00Z" });
    // Once per case: the first signal (the word at 08:00Z), not the tag an hour later.
    expect(brief(out.reminders, "dispute.")).toEqual([["2026-03-02T08:00:00.000Z", "dispute.escalation", "playbook.disputeRisk.words"]]);
    const r = out.reminders.find((x) => x.kind === "dispute.escalation")!;
    expect(r.title).toMatch(/"chargeback"/);
    expect(r.nextAction).toMatch(/offer a refund or a coupon now/);
    expect(r.channels).toEqual(["lead"]);
  });

  it("callback promised: reminder 15 min before, breach 10 min after, escalation 30 min after that", async () => {
    const store = await newStore();
    const promise = ticketEvent("case.callback_promised", "2026-03-02T10:00:00Z", { callback: { id: "cb1", at: "2026-03-02T13:00:00Z", phone: "+90 555 111 22 33", owner: "Mehmet" } });
    const events = [ticketEvent("case.opened", "2026-03-02T09:00:00Z", { channel: "phone" }), promise];
    const out = await dryRun(store, { rules: rules({ callback: { escalationChannels: ["lead"] } }), events, until: "2026-03-03T00:00:00Z" });
    // Promised for 13:00Z: reminder 12:45Z, due 13:00 + 10m grace = 13:10Z, escalation 13:10 + 30m = 13:40Z.
    expect(brief(out.reminders, "callback.")).toEqual([
      ["2026-03-02T12:45:00.000Z", "callback.reminder", "playbook.callback.remindBefore"],
      ["2026-03-02T13:10:00.000Z", "callback.due", "playbook.callback.grace"],
      ["2026-03-02T13:40:00.000Z", "callback.escalation", "playbook.callback.escalateAfter"],
    ]);
    expect(out.reminders.find((r) => r.kind === "callback.reminder")!.nextAction).toMatch(/^Call \+90 555 111 22 33 at /);
    expect(out.reminders.find((r) => r.kind === "callback.escalation")!.channels).toEqual(["lead"]);
    // The call made at 13:05Z: the breach and escalation never come.
    const done = await dryRun(store, { rules: rules(), events: [...events, ticketEvent("case.callback_done", "2026-03-02T13:05:00Z", { callback: { id: "cb1" } })], until: "2026-03-03T00:00:00Z" });
    expect(brief(done.reminders, "callback.")).toEqual([["2026-03-02T12:45:00.000Z", "callback.reminder", "playbook.callback.remindBefore"]]);
  });

  it("shipment delay: contact the customer at the exception (phone first), then an update every 24 h until delivered", async () => {
    const store = await newStore();
    const events = [
      shipmentEvent("shipment.label_created", "2026-03-02T06:00:00Z", { customer: { email: "ali@example.com", phone: "+90 533 444 55 66" } }),
      shipmentEvent("shipment.in_transit", "2026-03-02T08:00:00Z"),
      shipmentEvent("shipment.exception", "2026-03-03T08:00:00Z", { shipment: { carrier: "ups", trackingNumber: "1Z999", reason: "Held in customs" } }),
      shipmentEvent("shipment.delivered", "2026-03-05T20:00:00Z"),
    ];
    const out = await dryRun(store, { rules: rules({ shipmentDelay: { proactiveContactWithin: "4h", updateEvery: "24h" } }), events, until: "2026-03-08T00:00:00Z" });
    // Exception Tue 08:00Z → contact reminder then (contact by 12:00Z); nobody contacts the customer, so
    // the contact target is missed at 12:00Z; updates Wed 08:00Z and Thu 08:00Z; delivered Thu 20:00Z,
    // so Fri's update never comes.
    expect(brief(out.reminders, "shipment.")).toEqual([
      ["2026-03-03T08:00:00.000Z", "shipment.proactive_contact", "playbook.shipmentDelay.signals"],
      ["2026-03-03T12:00:00.000Z", "shipment.contact_due", "playbook.shipmentDelay.proactiveContactWithin"],
      ["2026-03-04T08:00:00.000Z", "shipment.update_due", "playbook.shipmentDelay.updateEvery"],
      ["2026-03-05T08:00:00.000Z", "shipment.update_due", "playbook.shipmentDelay.updateEvery"],
    ]);
    const contact = out.reminders.find((r) => r.kind === "shipment.proactive_contact")!;
    expect(contact.nextAction).toMatch(/^Call \+90 533 444 55 66 before .*Held in customs\. Tell the customer before they ask: admit the delay/);
    expect(contact.nextAction).toMatch(/refund/);
    expect(out.cases[0].pending).toEqual([]);
  });

  it("shipment delay: a label created but never scanned for 3 days is a delay too", async () => {
    const store = await newStore();
    const out = await dryRun(store, {
      rules: rules(),
      events: [shipmentEvent("shipment.label_created", "2026-03-02T06:00:00Z", { customer: { email: "ali@example.com" } })],
      until: "2026-03-06T00:00:00Z",
    });
    // Label Mon 06:00Z + 3d (wall clock) = Thu 06:00Z; no phone known, so write.
    const contact = out.reminders.find((r) => r.kind === "shipment.proactive_contact")!;
    expect(contact.at).toBe("2026-03-05T06:00:00.000Z");
    expect(contact.nextAction).toMatch(/^Write to ali@example.com before /);
  });

  it("a playbook rule turned off fires nothing", async () => {
    const store = await newStore();
    const events = [ticketEvent("case.opened", "2026-03-02T07:00:00Z"), ticketEvent("case.customer_message", "2026-03-02T08:00:00Z", { body: "chargeback!" })];
    const out = await dryRun(store, { rules: rules({ disputeRisk: { enabled: false } }), events, until: "2026-03-03T00:00:00Z" });
    expect(brief(out.reminders, "dispute.")).toEqual([]);
  });
});

describe("inputs, versions and safety", () => {
  it("without a draft it runs the current rules and says which version", async () => {
    const store = await newStore();
    await saveRules(store, rules());
    const out = await dryRun(store, { events: [ticketEvent("case.opened", "2026-03-02T14:58:00Z", { channel: "chat", priority: "urgent" })], until: "2026-03-03T12:00:00Z" });
    expect(out.rules).toEqual({ source: "current", version: 1 });
    expect(out.reminders.map((r) => r.rule.version)).toEqual([1, 1, 1]);
  });

  it("raw provider payloads go through the provider's adapter; `at` places them on the timeline; ignored ones say why", async () => {
    const store = await newStore();
    const out = await dryRun(store, {
      rules: rules(),
      events: [
        { provider: "zendesk", payload: zendeskTicketCreated, at: "2026-03-02T07:00:00Z" },
        { provider: "zendesk", payload: zendeskMembership },
      ],
      until: "2026-03-03T00:00:00Z",
    });
    expect(out.inputs[0]).toMatchObject({ index: 0, events: expect.any(Number) });
    expect(out.inputs[0].events).toBeGreaterThan(0);
    expect(out.inputs[0].ignored).toBeUndefined();
    expect(out.inputs[1]).toMatchObject({ index: 1, events: 0, ignored: expect.any(String) });
    expect(out.cases.map((c) => c.caseId)).toEqual(["ticket:zendesk:5158"]);
    expect(out.cases[0].policyChanges[0].at).toBe("2026-03-02T07:00:00.000Z");
  });

  it("400 lists every problem in the draft and in the events, with paths", async () => {
    const store = await newStore();
    const draft = rules();
    (draft.policies[0] as Record<string, unknown>).notify = ["nobody"];
    const res = await call("POST", rulesPath(store, "/dry-run"), {
      token: store.adminToken,
      body: {
        rules: draft,
        events: [
          ticketEvent("case.opened", "not a time"),
          { provider: "zendesk", payload: { hello: "world" } },
          { provider: "nope", payload: {} },
        ],
      },
    });
    expect(res.status).toBe(400);
    const paths: string[] = res.body.error.issues.map((i: { path: string }) => i.path);
    expect(paths).toContain("rules.policies[0].notify[0]");
    expect(paths).toContain("events[0].occurredAt");
    expect(paths.some((p) => p.startsWith("events[1].payload"))).toBe(true);
    expect(paths).toContain("events[2].provider");
  });

  it("a raw payload its adapter refuses while normalizing is reported at its field path", async () => {
    const store = await newStore();
    // A custom payload with no id of its own and no webhook-id header has no event id.
    const res = await call("POST", rulesPath(store, "/dry-run"), {
      token: store.adminToken,
      body: { events: [{ provider: "custom", payload: { occurredAt: "2026-12-01T09:00:00Z", caseKey: { type: "ticket", ticketId: "T1" }, kind: "case.opened" } }] },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.issues.map((i: { path: string }) => i.path)).toEqual(["events[0].payload.providerEventId"]);
  });

  it("changes nothing: no version, no KV pointer, no case, no audit entry", async () => {
    const store = await newStore();
    await dryRun(store, { rules: rules(), events: [ticketEvent("case.opened", "2026-03-02T14:58:00Z", { channel: "chat", priority: "urgent" })] });
    const registry = env.STORES.getByName(store.storeId);
    expect((await registry.rulesVersions(5)).current).toBe(0);
    expect(await env.RULES.get(pointerKey(store.storeId))).toBeNull();
    expect(await registry.hasCase("ticket:custom:T1")).toBe(false);
    expect((await call("GET", `/v1/stores/${store.storeId}/audit`, { token: store.adminToken })).body.entries).toEqual([]);
    const cases = await call("GET", `/v1/stores/${store.storeId}/cases`, { token: store.adminToken });
    expect(cases.status).toBe(200);
    expect(cases.body.cases).toEqual([]);
  });
});

describe("dry-run on a real case's own history", () => {
  it("replays the case's stored events under the draft, and refuses a case the store does not have", async () => {
    const { storeWithRules, ticketEvent, ingest, HOUR: H, MIN: M } = await import("../support/cases");
    const store = await storeWithRules({ policies: [{ name: "All", targets: { firstReply: { calendar: "24/7", byPriority: { normal: "30m" } } } }] });
    const t0 = Date.now() - 3 * H;
    const opened = ticketEvent(store.storeId, "DRY-CASE", "case.opened", t0, { status: "open", priority: "normal" });
    await ingest([opened]);
    await ingest([ticketEvent(store.storeId, "DRY-CASE", "case.agent_reply", t0 + 20 * M)]);
    const path = `/v1/stores/${store.storeId}/rules/dry-run`;
    const draft = { policies: [{ name: "All", targets: { firstReply: { calendar: "24/7", byPriority: { normal: "15m" } } } }] };
    const current = await call("POST", path, { token: store.adminToken, body: { caseId: "ticket:custom:DRY-CASE" } });
    expect(current.status, JSON.stringify(current.body)).toBe(200);
    expect(current.body.reminders.map((r: { kind: string }) => r.kind)).toEqual([]);
    const drafted = await call("POST", path, { token: store.adminToken, body: { caseId: "ticket:custom:DRY-CASE", rules: draft } });
    expect(drafted.body.reminders.map((r: { kind: string; at: string }) => [r.kind, r.at])).toEqual([["first_reply.breach", new Date(t0 + 15 * M).toISOString()]]);
    expect((await call("POST", path, { token: store.adminToken, body: { caseId: "ticket:custom:NOPE" } })).status).toBe(404);
    const both = await call("POST", path, { token: store.adminToken, body: { caseId: "ticket:custom:DRY-CASE", events: [{}] } });
    expect(both.status).toBe(400);
    expect(both.body.error.issues).toEqual([{ path: "events", message: "give either events or caseId" }]);
  });
});
