/**
 * Which buttons a reminder offers, and what a click becomes (pure): an event on the case, or a
 * refusal the clicker is told about when the reminder no longer applies.
 */
import { describe, expect, it } from "vitest";
import { evaluateCase } from "../../src/cases/engine";
import type { RulesPin } from "../../src/cases/policy";
import { actionsFor, decideReminderAction } from "../../src/cases/reminder-actions";
import type { CaseEvent } from "../../src/cases/state";
import type { NormalizedEvent } from "../../src/events/model";
import { RulesDocument } from "../../src/rules/schema";

const MIN = 60_000;
const T0 = Date.parse("2026-12-01T09:00:00Z");
const pins: RulesPin[] = [{ version: 1, from: 0, document: RulesDocument.parse({ policies: [{ name: "All", targets: { firstReply: { byPriority: { normal: "1h" }, warnings: ["20m"] } } }] }) }];
let n = 0;
const ev = (kind: NormalizedEvent["kind"], at: number, extra: Partial<NormalizedEvent> = {}): CaseEvent => {
  n += 1;
  return { eventId: `zendesk:e${n}`, occurredAt: at, event: { storeId: "st_x", provider: "zendesk", providerEventId: `e${n}`, occurredAt: new Date(at).toISOString(), caseKey: { type: "ticket", provider: "zendesk", ticketId: "1" }, kind, ...extra } };
};

describe("buttons by reminder kind", () => {
  it("acknowledge on breaches and escalations, snooze on SLA warnings only, called on parcels and callbacks", () => {
    expect(actionsFor("first_reply.breach")).toEqual(["acknowledge", "promise_callback"]);
    expect(actionsFor("next_reply.escalation")).toEqual(["acknowledge", "promise_callback"]);
    expect(actionsFor("first_reply.warning")).toEqual(["snooze"]);
    expect(actionsFor("shipment.contact_due")).toEqual(["called", "promise_callback"]);
    expect(actionsFor("callback.due")).toEqual(["acknowledge", "called"]);
    expect(actionsFor("rating.bad")).toEqual([]);
  });
});

describe("what a click becomes", () => {
  const events = [ev("case.opened", T0, { status: "open" })];
  const at = T0 + 45 * MIN;
  const ev45 = evaluateCase({ events, pins, now: at })!;
  const warning = evaluateCase({ events, pins, now: T0 })!.timers.find((t) => t.kind === "first_reply.warning")!;

  it("snooze: a warning_snoozed event 15 minutes on, clamped a minute before the target", () => {
    const d = decideReminderAction({ action: "snooze", timer: warning, ev: ev45, by: "Ayşe", via: "slack", now: at });
    expect(d).toMatchObject({ type: "event", kind: "case.warning_snoozed", fields: { warningSnooze: { until: new Date(T0 + 59 * MIN).toISOString(), dueAt: new Date(T0 + 60 * MIN).toISOString() } } });
  });

  it("refuses a snooze once the target was met, and anything on a solved case", () => {
    const replied = evaluateCase({ events: [...events, ev("case.agent_reply", T0 + 42 * MIN)], pins, now: at })!;
    expect(decideReminderAction({ action: "snooze", timer: warning, ev: replied, by: "Ayşe", via: "slack", now: at })).toMatchObject({ type: "refused", reason: expect.stringContaining("out of date") });
    const solved = evaluateCase({ events: [...events, ev("case.status_changed", T0 + 42 * MIN, { status: "solved" })], pins, now: at })!;
    expect(decideReminderAction({ action: "acknowledge", timer: warning, ev: solved, by: "Ayşe", via: "slack", now: at })).toMatchObject({ type: "refused", reason: "the case is already solved" });
  });

  it("a button the reminder does not offer is refused", () => {
    expect(decideReminderAction({ action: "called", timer: warning, ev: ev45, by: "Ayşe", via: "slack", now: at })).toMatchObject({ type: "refused" });
  });
});
