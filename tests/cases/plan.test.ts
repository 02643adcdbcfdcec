/**
 * Timer planning without any bindings: the pure engine decides which timers a case needs from
 * its events, its rules and the clock. The Durable Object only stores and fires what this says.
 */
import { describe, expect, it } from "vitest";
import { evaluateCase } from "../../src/cases/engine";
import { cancelReason } from "../../src/cases/explain";
import type { RulesPin } from "../../src/cases/policy";
import { simulateCases } from "../../src/cases/simulate";
import type { CaseEvent } from "../../src/cases/state";
import type { NormalizedEvent } from "../../src/events/model";
import { RulesDocument, type RulesDocumentInput } from "../../src/rules/schema";

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.parse("2026-12-01T09:00:00Z"); // a Tuesday

const RULES: RulesDocumentInput = {
  calendars: { office: { timeZone: "Europe/Istanbul", week: { mon: [["09:00", "18:00"]], tue: [["09:00", "18:00"]], wed: [["09:00", "18:00"]], thu: [["09:00", "18:00"]], fri: [["09:00", "18:00"]] } } },
  channels: {
    team: { type: "slack", webhookUrl: "https://hooks.slack.com/services/T/B/x" },
    lead: { type: "slack", webhookUrl: "https://hooks.slack.com/services/T/B/y" },
  },
  policies: [
    {
      name: "VIP",
      when: { tags: { any: ["vip"] } },
      targets: { firstReply: { byPriority: { normal: "30m" } } },
      notify: ["lead"],
    },
    {
      name: "Default",
      targets: {
        firstReply: { calendar: "office", byPriority: { normal: "2h", urgent: "30m" }, warnings: ["30m"], pauseOn: ["pending"] },
        resolution: { byPriority: { normal: "3d", urgent: "1d" } },
      },
      notify: ["team"],
      escalations: [{ level: 1, after: "1h", channels: ["lead"], message: "Lead: take it", metrics: ["firstReply"] }],
    },
  ],
};

function pins(input: RulesDocumentInput = RULES, version = 1): RulesPin[] {
  return [{ version, from: 0, document: RulesDocument.parse(input) }];
}

let n = 0;
function ev(kind: NormalizedEvent["kind"], at: number, extra: Partial<NormalizedEvent> = {}, key: NormalizedEvent["caseKey"] = { type: "ticket", provider: "zendesk", ticketId: "1" }): CaseEvent {
  n += 1;
  const event: NormalizedEvent = { storeId: "st_x", provider: "zendesk", providerEventId: `e${n}`, occurredAt: new Date(at).toISOString(), caseKey: key, kind, ...extra };
  return { eventId: `zendesk:e${n}`, occurredAt: at, event };
}

const plan = (events: CaseEvent[], now: number, p = pins(), fired: string[] = []) => evaluateCase({ events, pins: p, now, fired: new Set(fired), known: new Set() })!;
const dueOf = (timers: ReturnType<typeof plan>["timers"], kind: string) => timers.filter((t) => t.kind === kind).map((t) => new Date(t.dueAt).toISOString());

describe("SLA timers", () => {
  it("counts business hours of the policy's calendar, warns before, escalates to the level's channels", () => {
    // 09:00Z is 12:00 in Istanbul; 2 business hours → 14:00 local.
    const { timers } = plan([ev("case.opened", T0, { channel: "email", status: "open" })], T0);
    expect(dueOf(timers, "first_reply.warning")).toEqual(["2026-12-01T10:30:00.000Z"]);
    expect(dueOf(timers, "first_reply.breach")).toEqual(["2026-12-01T11:00:00.000Z"]);
    expect(dueOf(timers, "first_reply.escalation")).toEqual(["2026-12-01T12:00:00.000Z"]);
    expect(timers.find((t) => t.kind === "first_reply.breach")!.channels).toEqual(["team"]);
    expect(timers.find((t) => t.kind === "first_reply.escalation")!.channels).toEqual(["lead"]);
    // Resolution has no escalation (the level is limited to firstReply) and counts wall-clock time.
    expect(dueOf(timers, "resolution.breach")).toEqual(["2026-12-04T09:00:00.000Z"]);
    expect(dueOf(timers, "resolution.escalation")).toEqual([]);
  });

  it("pausing on pending removes the deadline; resuming plans it again with the time already used", () => {
    const events = [ev("case.opened", T0, { channel: "email", status: "open" }), ev("case.status_changed", T0 + 30 * MIN, { status: "pending" })];
    expect(dueOf(plan(events, T0 + 40 * MIN).timers, "first_reply.breach")).toEqual([]);
    events.push(ev("case.customer_message", T0 + 60 * MIN, { status: "open" }));
    // 30 min used before the pause; 90 min left from 10:00Z → 11:30Z.
    expect(dueOf(plan(events, T0 + 61 * MIN).timers, "first_reply.breach")).toEqual(["2026-12-01T11:30:00.000Z"]);
  });

  it("a priority change moves the deadline (new key), keeping the business time used", () => {
    const opened = [ev("case.opened", T0, { channel: "email", status: "open" })];
    const before = plan(opened, T0).timers.find((t) => t.kind === "first_reply.breach")!;
    const after = plan([...opened, ev("case.priority_changed", T0 + 10 * MIN, { priority: "urgent" })], T0 + 10 * MIN).timers.find((t) => t.kind === "first_reply.breach")!;
    expect(new Date(after.dueAt).toISOString()).toBe("2026-12-01T09:30:00.000Z");
    expect(after.key).not.toBe(before.key);
    expect(after.urgency).toBe("urgent");
  });

  it("a tag that matches an earlier policy switches the case to it from that instant", () => {
    const events = [ev("case.opened", T0, { channel: "email", status: "open" }), ev("case.tags_changed", T0 + 10 * MIN, { tags: ["vip"] })];
    const e = plan(events, T0 + 10 * MIN);
    expect(e.spans.map((s) => s.match?.policy.name)).toEqual(["Default", "VIP"]);
    // VIP: 30 min of wall-clock time, 10 of which the case had already used.
    expect(dueOf(e.timers, "first_reply.breach")).toEqual(["2026-12-01T09:30:00.000Z"]);
    expect(e.timers.find((t) => t.kind === "first_reply.breach")!.channels).toEqual(["lead"]);
  });

  it("a timer that fired is never planned again", () => {
    const events = [ev("case.opened", T0, { channel: "email", status: "open" })];
    const first = plan(events, T0 + 5 * HOUR);
    const breach = first.timers.find((t) => t.kind === "first_reply.breach")!;
    const again = plan(events, T0 + 5 * HOUR, pins(), [breach.key]);
    expect(again.timers.map((t) => t.key)).not.toContain(breach.key);
  });

  it("a snooze holds reminders until it ends, but never a promised callback", () => {
    const events = [
      ev("case.opened", T0, { channel: "email", status: "open" }),
      ev("case.snoozed", T0 + MIN, { snoozeUntil: new Date(T0 + 6 * HOUR).toISOString() }),
      ev("case.callback_promised", T0 + 2 * MIN, { callback: { id: "cb1", at: new Date(T0 + HOUR).toISOString() } }),
    ];
    const { timers } = plan(events, T0 + 3 * MIN);
    expect(dueOf(timers, "first_reply.breach")).toEqual([new Date(T0 + 6 * HOUR).toISOString()]);
    expect(dueOf(timers, "callback.due")).toEqual([new Date(T0 + HOUR + 10 * MIN).toISOString()]);
  });
});

describe("callbacks signalled by a helpdesk tag", () => {
  it("stop when the tag is removed", () => {
    const events = [
      ev("case.opened", T0, { channel: "phone", status: "open", tags: [] }),
      ev("case.callback_promised", T0 + MIN, { tags: ["callback"], callback: { at: new Date(T0 + HOUR).toISOString(), tag: "callback" } }),
    ];
    expect(dueOf(plan(events, T0 + 2 * MIN).timers, "callback.due")).toHaveLength(1);
    events.push(ev("case.tags_changed", T0 + 20 * MIN, { tags: ["called"] }));
    const after = plan(events, T0 + 21 * MIN);
    expect(dueOf(after.timers, "callback.due")).toHaveLength(0);
    expect(after.state.callbacks[0]!.doneReason).toBe('tag "callback" removed');
  });
});

describe("shipment delays", () => {
  const ship = { type: "shipment" as const, carrier: "ups", trackingNumber: "1Z1" };
  const sev = (kind: NormalizedEvent["kind"], at: number, extra: Partial<NormalizedEvent> = {}) =>
    ev(kind, at, { ...extra, shipment: { carrier: "ups", trackingNumber: "1Z1", ...(extra.shipment ?? {}) } }, ship);

  it("after downtime only the latest missed update is sent, not a burst", () => {
    const events = [sev("shipment.in_transit", T0), sev("shipment.exception", T0 + HOUR, { shipment: { carrier: "ups", trackingNumber: "1Z1", reason: "Address problem" } })];
    const e = plan(events, T0 + HOUR + 3 * 24 * HOUR + MIN, pins({ ...RULES, playbook: { shipmentDelay: { updateEvery: "24h" } } }), [`shipment:contact:${T0 + HOUR}`]);
    expect(dueOf(e.timers, "shipment.update_due")).toEqual([new Date(T0 + HOUR + 3 * 24 * HOUR).toISOString()]);
  });

  it("a parcel late for years catches up with one update that says so, then continues on the interval", () => {
    const DAY = 24 * HOUR;
    const rules = pins({ ...RULES, playbook: { shipmentDelay: { updateEvery: "24h" } } });
    const exceptionAt = T0 - 1500 * DAY;
    const events = [sev("shipment.in_transit", exceptionAt - HOUR), sev("shipment.exception", exceptionAt, { shipment: { carrier: "ups", trackingNumber: "1Z1", reason: "Lost" } })];
    const updates = (now: number, fired: string[]) => plan(events, now, rules, [`shipment:contact:${exceptionAt}`, ...fired]).timers.filter((t) => t.kind === "shipment.update_due");
    const now = T0 + MIN;
    const [catchUp, ...more] = updates(now, []);
    expect(more).toEqual([]);
    // The latest interval already owed, once, saying since when updates were missed.
    expect(catchUp!.dueAt).toBe(exceptionAt + 1500 * DAY);
    expect(catchUp!.detail).toMatchObject({ update: 1500, missedSince: exceptionAt + DAY });
    expect(catchUp!.why).toMatch(/catching up: the updates owed since .* were missed/);
    // Once it has fired, the next is owed one interval later, and so on: never a burst, never a stop.
    const [next, ...none] = updates(now, [catchUp!.key]);
    expect(none).toEqual([]);
    expect(next!.dueAt).toBe(exceptionAt + 1501 * DAY);
    expect(next!.why).not.toMatch(/catching up/);
    const [after] = updates(exceptionAt + 1501 * DAY + MIN, [catchUp!.key, next!.key]);
    expect(after!.dueAt).toBe(exceptionAt + 1502 * DAY);
  });

  it("label created but never scanned counts as a delay after the configured days", () => {
    const events = [sev("shipment.label_created", T0)];
    const e = plan(events, T0 + MIN, pins({ ...RULES, playbook: { shipmentDelay: { signals: { labelNotShippedFor: "3d" } } } }));
    const contact = e.timers.find((t) => t.kind === "shipment.proactive_contact")!;
    expect(contact.dueAt).toBe(T0 + 3 * 24 * HOUR);
    expect(contact.why).toMatch(/^watch: label created but not shipped/);
  });

  it("the proactive-contact target is a timer at its instant on the playbook's calendar, until an agent replies on the parcel", () => {
    // Exception Tue 16:00 Istanbul (13:00Z); 4 business hours on the 09–18 office calendar:
    // 2 h that day, 2 h from Wednesday's opening → Wed 11:00 Istanbul (08:00Z).
    const rules = pins({ ...RULES, playbook: { shipmentDelay: { calendar: "office", proactiveContactWithin: "4h" } } });
    const exceptionAt = Date.parse("2026-12-01T13:00:00Z");
    const events = [sev("shipment.in_transit", T0), sev("shipment.exception", exceptionAt, { shipment: { carrier: "ups", trackingNumber: "1Z1", reason: "Held in customs" } })];
    // On the default wall-clock calendar it is simply 4 h later.
    expect(dueOf(plan(events, exceptionAt + MIN).timers, "shipment.contact_due")).toEqual(["2026-12-01T17:00:00.000Z"]);
    const e = plan(events, exceptionAt + MIN, rules);
    const due = e.timers.find((t) => t.kind === "shipment.contact_due")!;
    expect(new Date(due.dueAt).toISOString()).toBe("2026-12-02T08:00:00.000Z");
    expect(due.rule.path).toBe("playbook.shipmentDelay.proactiveContactWithin");
    expect(due.why).toMatch(/^nobody has contacted the customer about the carrier exception yet/);
    // A reply before the delay began told the customer nothing about it; one after it did.
    const before = [sev("shipment.in_transit", T0), sev("case.agent_reply", T0 + MIN), ...events.slice(1)];
    expect(dueOf(plan(before, exceptionAt + MIN, rules).timers, "shipment.contact_due")).toEqual(["2026-12-02T08:00:00.000Z"]);
    const after = [...events, sev("case.agent_reply", exceptionAt + 30 * MIN)];
    expect(dueOf(plan(after, exceptionAt + 31 * MIN, rules).timers, "shipment.contact_due")).toEqual([]);
    // The updates owed until delivery go on: telling the customer once is not keeping them updated.
    expect(dueOf(plan(after, exceptionAt + 31 * MIN, rules).timers, "shipment.update_due")).toHaveLength(1);
  });

  it("the next update is owed an interval after the customer was last contacted, not on the delay's old schedule", () => {
    const rules = pins({ ...RULES, playbook: { shipmentDelay: { updateEvery: "24h" } } });
    const exceptionAt = T0 + HOUR;
    const events = [sev("shipment.in_transit", T0), sev("shipment.exception", exceptionAt, { shipment: { carrier: "ups", trackingNumber: "1Z1", reason: "Held in customs" } })];
    expect(dueOf(plan(events, exceptionAt + MIN, rules).timers, "shipment.update_due")).toEqual([new Date(exceptionAt + 24 * HOUR).toISOString()]);
    // Called 23 hours in: the update that was due an hour later moves to a day after the call.
    const calledAt = exceptionAt + 23 * HOUR;
    const called = plan([...events, sev("case.agent_reply", calledAt)], calledAt + MIN, rules);
    const update = called.timers.find((t) => t.kind === "shipment.update_due")!;
    expect(new Date(update.dueAt).toISOString()).toBe(new Date(calledAt + 24 * HOUR).toISOString());
    expect(update.why).toMatch(/since they were contacted at/);
    // And once that one fires, the one after follows a day later.
    const later = plan([...events, sev("case.agent_reply", calledAt)], calledAt + 24 * HOUR + MIN, rules, [update.key]);
    expect(dueOf(later.timers, "shipment.update_due")).toEqual([new Date(calledAt + 48 * HOUR).toISOString()]);
    // The case view says why each replaced update went: a later call, or the parcel going back.
    const calledAgain = plan([...events, sev("case.agent_reply", calledAt), sev("case.agent_reply", calledAt + HOUR)], calledAt + HOUR + MIN, rules);
    expect(cancelReason({ kind: update.kind, spec: update }, calledAgain, calledAt + HOUR + MIN)).toBe(`customer contacted at ${new Date(calledAt + HOUR).toISOString()}: the next update is owed an interval after that`);
    const returnedAt = calledAt + 2 * HOUR;
    const returned = plan([...events, sev("case.agent_reply", calledAt), sev("shipment.returned", returnedAt)], returnedAt + MIN, rules);
    expect(dueOf(returned.timers, "shipment.update_due")).toEqual([]);
    expect(cancelReason({ kind: update.kind, spec: update }, returned, returnedAt + MIN)).toBe(`parcel returning to sender since ${new Date(returnedAt).toISOString()}`);
  });

  it("nothing is planned once the parcel is delivered", () => {
    const events = [sev("shipment.in_transit", T0), sev("shipment.exception", T0 + HOUR), sev("shipment.delivered", T0 + 2 * HOUR)];
    expect(plan(events, T0 + 3 * HOUR).timers).toEqual([]);
  });
});

describe("dry-run simulation", () => {
  it("lists every reminder of a case in time order with the rule that caused it, and respects a reply", () => {
    const events = [ev("case.opened", T0, { channel: "email", status: "open" }), ev("case.agent_reply", T0 + 100 * MIN)];
    const result = simulateCases({ storeId: "st_x", rules: RulesDocument.parse(RULES), rulesVersion: 1, events: events.map((e) => e.event) });
    // Warning at 10:30Z fires; the reply at 10:40Z comes before the 11:00Z breach. Nobody solves
    // the case, so the 3-day resolution target breaches (wall-clock) on Friday.
    expect(result.reminders.map((r) => [r.kind, r.at])).toEqual([
      ["first_reply.warning", "2026-12-01T10:30:00.000Z"],
      ["resolution.breach", "2026-12-04T09:00:00.000Z"],
    ]);
    expect(result.reminders[0]!.rule.path).toBe("policies[1].targets.firstReply.warnings[0]");
    expect(result.cases[0]!.clocks.find((c) => c.metric === "first_reply")!.status).toBe("fulfilled");
  });
});

describe("a ticket first seen already solved", () => {
  it("owes no first reply until it is reopened, then owes it from the reopening", () => {
    const events = [ev("case.status_changed", T0, { status: "solved" })];
    expect(plan(events, T0 + MIN).timers).toEqual([]);
    events.push(ev("case.customer_message", T0 + HOUR, { status: "open" }));
    // Reopened at 10:00Z (13:00 Istanbul): 2 business hours → 12:00Z.
    expect(dueOf(plan(events, T0 + HOUR + MIN).timers, "first_reply.breach")).toEqual(["2026-12-01T12:00:00.000Z"]);
  });
});

describe("customer segment and order value, through the case's own fold", () => {
  const SEGMENTS: RulesDocumentInput = {
    policies: [
      { name: "VIP orders over 500 EUR", when: { segmentTags: ["vip"], minOrderValue: { amount: 500, currency: "EUR" } }, targets: { firstReply: { byPriority: { normal: "15m" } } } },
      { name: "VIP", when: { segmentTags: ["vip"] }, targets: { firstReply: { byPriority: { normal: "1h" } } } },
      { name: "Everyone", targets: { firstReply: { byPriority: { normal: "8h" } } } },
    ],
  };
  const policies = (events: CaseEvent[], now: number) => plan(events, now, pins(SEGMENTS)).spans.map((s) => [new Date(s.from).toISOString(), s.match?.policy.name]);
  const breach = (events: CaseEvent[], now: number) => dueOf(plan(events, now, pins(SEGMENTS)).timers, "first_reply.breach");

  it("a VIP customer's high-value order gets the tightest target from the moment the case opens", () => {
    const events = [ev("case.opened", T0, { channel: "email", customerTags: ["VIP", "newsletter"], orderValue: { amount: 812.5, currency: "EUR" } })];
    expect(policies(events, T0)).toEqual([["2026-12-01T09:00:00.000Z", "VIP orders over 500 EUR"]]);
    expect(breach(events, T0)).toEqual(["2026-12-01T09:15:00.000Z"]);
  });

  it("a VIP with a small order, or an order in another currency, gets the VIP policy; nobody special gets the default", () => {
    const small = [ev("case.opened", T0, { customerTags: ["vip"], orderValue: { amount: 120, currency: "EUR" } })];
    expect(policies(small, T0)).toEqual([["2026-12-01T09:00:00.000Z", "VIP"]]);
    const dollars = [ev("case.opened", T0, { customerTags: ["vip"], orderValue: { amount: 900, currency: "USD" } })];
    expect(policies(dollars, T0)).toEqual([["2026-12-01T09:00:00.000Z", "VIP"]]);
    const bigButNotVip = [ev("case.opened", T0, { orderValue: { amount: 5000, currency: "EUR" } })];
    expect(policies(bigButNotVip, T0)).toEqual([["2026-12-01T09:00:00.000Z", "Everyone"]]);
  });

  it("an order value learnt later switches the case at that instant, keeping the time already used", () => {
    const events = [
      ev("case.opened", T0, { customerTags: ["vip"] }),
      ev("case.customer_message", T0 + 5 * MIN, { orderValue: { amount: 640, currency: "EUR" } }),
    ];
    expect(policies(events, T0 + 5 * MIN)).toEqual([
      ["2026-12-01T09:00:00.000Z", "VIP"],
      ["2026-12-01T09:05:00.000Z", "VIP orders over 500 EUR"],
    ]);
    // 15 minutes from opening, 5 of them used under the VIP policy: due 09:15.
    expect(breach(events, T0 + 5 * MIN)).toEqual(["2026-12-01T09:15:00.000Z"]);
  });

  it("the latest statement by event time wins, whatever order the deliveries arrived in", () => {
    const opened = ev("case.opened", T0, { customerTags: ["vip"], orderValue: { amount: 900, currency: "EUR" } });
    // The order was partly refunded at 09:10, and the customer lost the VIP tag at 09:20.
    const refunded = ev("case.customer_message", T0 + 10 * MIN, { orderValue: { amount: 300, currency: "EUR" } });
    const untagged = ev("case.agent_note", T0 + 20 * MIN, { customerTags: [] });
    // An event that states nothing about the order or the customer keeps what is known.
    const silent = ev("case.agent_note", T0 + 15 * MIN);
    const expected = [
      ["2026-12-01T09:00:00.000Z", "VIP orders over 500 EUR"],
      ["2026-12-01T09:10:00.000Z", "VIP"],
      ["2026-12-01T09:20:00.000Z", "Everyone"],
    ];
    expect(policies([opened, refunded, silent, untagged], T0 + 30 * MIN)).toEqual(expected);
    expect(policies([untagged, silent, refunded, opened], T0 + 30 * MIN)).toEqual(expected);
    const state = plan([untagged, refunded, opened], T0 + 30 * MIN).state;
    expect(state.orderValue).toEqual({ amount: 300, currency: "EUR" });
    expect(state.customerTags).toEqual([]);
  });
});
