/**
 * Ownership in the pure engine: an acknowledgement stops the breach's remaining escalation
 * levels (and only that breach's), never the SLA clock; a snoozed warning fires again before its
 * target is due; a helpdesk assignment counts only where the store opted in.
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
const T0 = Date.parse("2026-12-01T09:00:00Z");

const RULES: RulesDocumentInput = {
  channels: {
    team: { type: "slack", webhookUrl: "https://hooks.slack.com/services/T/B/x" },
    lead: { type: "slack", webhookUrl: "https://hooks.slack.com/services/T/B/y" },
    head: { type: "slack", webhookUrl: "https://hooks.slack.com/services/T/B/z" },
  },
  policies: [
    {
      name: "Default",
      targets: { nextReply: { byPriority: { normal: "1h" }, warnings: ["20m"] } },
      notify: ["team"],
      escalations: [
        { level: 1, after: "30m", channels: ["lead"], message: "Lead: take it" },
        { level: 2, after: "2h", channels: ["head"], message: "Head of support: take it" },
      ],
    },
  ],
};

const pins = (input: RulesDocumentInput = RULES): RulesPin[] => [{ version: 1, from: 0, document: RulesDocument.parse(input) }];

let n = 0;
function ev(kind: NormalizedEvent["kind"], at: number, extra: Partial<NormalizedEvent> = {}): CaseEvent {
  n += 1;
  const provider = kind === "case.acknowledged" || kind === "case.warning_snoozed" ? "promptly" : "zendesk";
  const event: NormalizedEvent = { storeId: "st_x", provider, providerEventId: `e${n}`, occurredAt: new Date(at).toISOString(), caseKey: { type: "ticket", provider: "zendesk", ticketId: "1" }, kind, ...extra };
  return { eventId: `${provider}:e${n}`, occurredAt: at, event };
}
const ack = (at: number, by = "Ayşe", via: "slack" | "api" = "slack") => ev("case.acknowledged", at, { acknowledgement: { by, via } });

const plan = (events: CaseEvent[], now: number, p = pins(), fired: string[] = []) => evaluateCase({ events, pins: p, now, fired: new Set(fired), known: new Set() })!;
const kinds = (timers: ReturnType<typeof plan>["timers"]) => timers.map((t) => `${t.kind}@${new Date(t.dueAt).toISOString().slice(11, 16)}`);

// Answered once, then the customer writes again at 09:00: the next reply is due 10:00.
const opened = () => [ev("case.opened", T0 - 30 * MIN, { status: "open" }), ev("case.customer_message", T0 - 30 * MIN), ev("case.agent_reply", T0 - 20 * MIN), ev("case.customer_message", T0)];

describe("acknowledging a breach", () => {
  it("stops the remaining escalation levels of that breach with the acknowledger's name, and not the SLA clock", () => {
    const events = opened();
    const before = plan(events, T0 + HOUR + MIN);
    expect(kinds(before.timers)).toContain("next_reply.escalation@10:30");
    expect(kinds(before.timers)).toContain("next_reply.escalation@12:00");
    const level1 = before.timers.find((t) => t.kind === "next_reply.escalation" && t.level === 1)!;
    const level2 = before.timers.find((t) => t.kind === "next_reply.escalation" && t.level === 2)!;

    // Ayşe says "I'm on it" at 10:40, after level 1 paged the lead.
    events.push(ack(T0 + HOUR + 40 * MIN));
    const after = plan(events, T0 + HOUR + 41 * MIN, pins(), [level1.key]);
    expect(after.timers.filter((t) => t.kind.endsWith(".escalation"))).toEqual([]);
    expect(cancelReason({ kind: level2.kind, spec: level2 }, after, T0 + HOUR + 41 * MIN)).toBe(`acknowledged by Ayşe (slack) at ${new Date(T0 + HOUR + 40 * MIN).toISOString()}`);
    // Acknowledging is not replying: the clock stays breached.
    expect(after.clocks.clocks.find((c) => c.metric === "next_reply")!.status).toBe("breached");
    expect(after.state.ownership.claims).toEqual([{ by: "Ayşe", at: T0 + HOUR + 40 * MIN, via: "slack", note: undefined }]);
  });

  it("a breach after the acknowledgement starts its ladder again", () => {
    const events = [...opened(), ack(T0 + HOUR + 10 * MIN), ev("case.agent_reply", T0 + HOUR + 20 * MIN), ev("case.customer_message", T0 + 2 * HOUR)];
    const { timers } = plan(events, T0 + 2 * HOUR + MIN);
    // The second customer message's target is due 12:00; its ladder is planned in full.
    expect(kinds(timers).filter((k) => k.includes("escalation"))).toEqual(["next_reply.escalation@12:30", "next_reply.escalation@14:00"]);
  });

  it("an acknowledgement before the breach does not own it", () => {
    const events = [...opened(), ack(T0 + 30 * MIN)];
    expect(kinds(plan(events, T0 + 31 * MIN).timers).filter((k) => k.includes("escalation"))).toEqual(["next_reply.escalation@10:30", "next_reply.escalation@12:00"]);
  });

  it("a helpdesk assignment counts as ownership only where the store opted in", () => {
    const events = [...opened(), ev("case.assignment_changed", T0 + HOUR + 5 * MIN, { assignee: "Mehmet" })];
    expect(kinds(plan(events, T0 + HOUR + 6 * MIN).timers).filter((k) => k.includes("escalation"))).toHaveLength(2);
    const optedIn = pins({ ...RULES, escalation: { assigneeCountsAsOwner: true } });
    expect(kinds(plan(events, T0 + HOUR + 6 * MIN, optedIn).timers).filter((k) => k.includes("escalation"))).toEqual([]);
    // A later snapshot restating the same assignee is not a second claim.
    events.push(ev("case.status_changed", T0 + HOUR + 9 * MIN, { status: "open", assignee: "Mehmet" }));
    expect(plan(events, T0 + HOUR + 10 * MIN, optedIn).state.ownership.claims).toHaveLength(1);
  });

  it("shows in the dry-run: the level-2 page disappears when an acknowledgement is given as an event", () => {
    const base = opened().map((e) => e.event);
    const rules = RulesDocument.parse(RULES);
    const without = simulateCases({ storeId: "st_x", rules, rulesVersion: 1, events: base, until: T0 + 5 * HOUR });
    const withAck = simulateCases({ storeId: "st_x", rules, rulesVersion: 1, events: [...base, ack(T0 + HOUR + 40 * MIN).event], until: T0 + 5 * HOUR });
    expect(without.reminders.map((r) => r.kind)).toEqual(["next_reply.warning", "next_reply.breach", "next_reply.escalation", "next_reply.escalation"]);
    expect(withAck.reminders.map((r) => r.kind)).toEqual(["next_reply.warning", "next_reply.breach", "next_reply.escalation"]);
  });
});

describe("snoozing a warning", () => {
  const snooze = (at: number, until: number, timerKey: string, dueAt: number) =>
    ev("case.warning_snoozed", at, { warningSnooze: { timerKey, metric: "next_reply", dueAt: new Date(dueAt).toISOString(), until: new Date(until).toISOString(), by: "Ayşe" } });

  it("fires the warning again 15 minutes later under a new key", () => {
    const events = opened();
    const warning = plan(events, T0).timers.find((t) => t.kind === "next_reply.warning")!;
    expect(new Date(warning.dueAt).toISOString()).toBe("2026-12-01T09:40:00.000Z");
    events.push(snooze(T0 + 41 * MIN, T0 + 56 * MIN, warning.key, T0 + HOUR));
    const again = plan(events, T0 + 42 * MIN, pins(), [warning.key]).timers.filter((t) => t.kind === "next_reply.warning");
    expect(again.map((t) => new Date(t.dueAt).toISOString())).toEqual(["2026-12-01T09:56:00.000Z"]);
    expect(again[0]!.key).not.toBe(warning.key);
  });

  it("never past the due instant: clamped a minute before it, and dropped when there is no time left", () => {
    const events = opened();
    const warning = plan(events, T0).timers.find((t) => t.kind === "next_reply.warning")!;
    events.push(snooze(T0 + 50 * MIN, T0 + 65 * MIN, warning.key, T0 + HOUR));
    const clamped = plan(events, T0 + 51 * MIN, pins(), [warning.key]).timers.filter((t) => t.kind === "next_reply.warning");
    expect(clamped.map((t) => new Date(t.dueAt).toISOString())).toEqual(["2026-12-01T09:59:00.000Z"]);

    const late = opened();
    late.push(snooze(T0 + 59 * MIN + 30_000, T0 + 74 * MIN, warning.key, T0 + HOUR));
    expect(plan(late, T0 + 59 * MIN + 31_000, pins(), [warning.key]).timers.filter((t) => t.kind === "next_reply.warning")).toEqual([]);
  });

  it("a reply before the re-fire cancels it", () => {
    const events = opened();
    const warning = plan(events, T0).timers.find((t) => t.kind === "next_reply.warning")!;
    events.push(snooze(T0 + 41 * MIN, T0 + 56 * MIN, warning.key, T0 + HOUR), ev("case.agent_reply", T0 + 45 * MIN));
    expect(plan(events, T0 + 46 * MIN, pins(), [warning.key]).timers.filter((t) => t.kind === "next_reply.warning")).toEqual([]);
  });
});
