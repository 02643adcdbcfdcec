/**
 * The SLA clock fold, metric by metric and rule by rule, with the instants a support lead
 * would check on the case view.
 */
import { describe, expect, it } from "vitest";
import type { NormalizedEvent } from "../../src/events/model";
import { clockEventOf, foldClocks, type MetricEvent, sortClockEvents, type ClockEvent } from "../../src/sla/index";
import { clockOf, customer, fold, HOUR, MINUTE, note, OFFICE, opened, policy, priority, reply, resolverOf, status, T } from "./helpers";

const T0 = T("2026-06-01T09:00+02:00");
const P = policy("p", {
  first_reply: { durationMs: 2 * HOUR },
  next_reply: { durationMs: HOUR },
  periodic_update: { durationMs: 4 * HOUR },
  resolution: { durationMs: 8 * HOUR },
});
/** One metric's timeline as "type@minutes after T0", without apply_target (see the timeline test). */
const events = (state: { timeline: MetricEvent[] }, metric: MetricEvent["metric"]) =>
  state.timeline.filter((e) => e.metric === metric && e.type !== "apply_target").map((e) => `${e.type}@${(e.at - T0) / MINUTE}m`);

describe("first reply: case opened → first public agent reply", () => {
  it("is fulfilled by the first reply, with the business time it used", () => {
    const s = fold([...opened(T0), customer(T0), reply(T0 + HOUR)], T0 + 5 * HOUR, P);
    const c = clockOf(s, "first_reply");
    expect(c).toMatchObject({ status: "fulfilled", running: false, usedMs: HOUR, fulfilledAt: T0 + HOUR, breachedAt: null, dueAt: null, wakeups: [] });
    expect(events(s, "first_reply")).toEqual(["activate@0m", "fulfill@60m"]);
  });

  it("is active with a due instant before the target, and breached once now reaches it", () => {
    const running = clockOf(fold(opened(T0), T0 + 30 * MINUTE, P), "first_reply");
    expect(running).toMatchObject({ status: "active", running: true, usedMs: 30 * MINUTE, remainingMs: 90 * MINUTE, dueAt: T0 + 2 * HOUR, breachedAt: null });
    expect(clockOf(fold(opened(T0), T0 + 2 * HOUR - 1, P), "first_reply").status).toBe("active");
    const late = fold(opened(T0), T0 + 2 * HOUR, P);
    expect(clockOf(late, "first_reply")).toMatchObject({ status: "breached", breachedAt: T0 + 2 * HOUR, dueAt: T0 + 2 * HOUR });
    expect(clockOf(fold(opened(T0), T0 + 3 * HOUR, P), "first_reply")).toMatchObject({ usedMs: 3 * HOUR, remainingMs: -HOUR });
    expect(events(late, "first_reply")).toEqual(["activate@0m", "breach@120m"]);
  });

  it("counts a reply at exactly the due instant as on time, one millisecond later as a breach", () => {
    const onTime = clockOf(fold([...opened(T0), reply(T0 + 2 * HOUR)], T0 + 5 * HOUR, P), "first_reply");
    expect(onTime).toMatchObject({ status: "fulfilled", breachedAt: null });
    const late = fold([...opened(T0), reply(T0 + 2 * HOUR + 1)], T0 + 5 * HOUR, P);
    expect(clockOf(late, "first_reply")).toMatchObject({ status: "fulfilled", breachedAt: T0 + 2 * HOUR, fulfilledAt: T0 + 2 * HOUR + 1 });
    expect(late.timeline.filter((e) => e.metric === "first_reply").map((e) => [e.type, e.at - T0])).toEqual([
      ["apply_target", 0],
      ["activate", 0],
      ["breach", 2 * HOUR],
      ["fulfill", 2 * HOUR + 1],
    ]);
  });

  it("counts business time only: opened Friday 16:00 with 2 h is due Monday 10:00", () => {
    const office = policy("p", { first_reply: { durationMs: 2 * HOUR, calendar: OFFICE } });
    const s = fold(opened(T("2026-06-05T16:00+02:00")), T("2026-06-06T12:00+02:00"), office);
    expect(clockOf(s, "first_reply")).toMatchObject({ status: "active", running: true, usedMs: HOUR, dueAt: T("2026-06-08T10:00+02:00") });
  });

  it("is never fulfilled by a private note", () => {
    const s = fold([...opened(T0), customer(T0), note(T0 + HOUR)], T0 + 90 * MINUTE, P);
    expect(clockOf(s, "first_reply")).toMatchObject({ status: "active", usedMs: 90 * MINUTE, fulfilledAt: null });
    expect(events(s, "first_reply")).toEqual(["activate@0m"]);
  });
});

describe("next reply: oldest unanswered customer message → next public agent reply", () => {
  const conversation = [...opened(T0), customer(T0), reply(T0 + HOUR), customer(T0 + 2 * HOUR), customer(T0 + 3 * HOUR), reply(T0 + 4 * HOUR), customer(T0 + 5 * HOUR)];

  it("runs from the oldest unanswered message, not the latest one", () => {
    const s = fold(conversation, T0 + 5.5 * HOUR, P);
    // Due one hour after the 2 h message: the reply at 4 h is late even though the 3 h message is only one hour old.
    expect(events(s, "next_reply")).toEqual(["activate@120m", "breach@180m", "fulfill@240m", "activate@300m"]);
  });

  it("starts a new cycle with every customer message after an agent reply", () => {
    const c = clockOf(fold(conversation, T0 + 5.5 * HOUR, P), "next_reply");
    expect(c).toMatchObject({ status: "active", startedAt: T0 + 5 * HOUR, usedMs: 30 * MINUTE, dueAt: T0 + 6 * HOUR, breachedAt: null });
  });

  it("does not start before the first reply: those messages are first reply time", () => {
    const s = fold([...opened(T0), customer(T0), customer(T0 + 30 * MINUTE)], T0 + HOUR, P);
    expect(s.clocks.map((c) => c.metric)).toEqual(["first_reply", "resolution"]);
  });

  it("is not fulfilled by a private note", () => {
    const s = fold([...opened(T0), reply(T0 + HOUR), customer(T0 + 2 * HOUR), note(T0 + 2.5 * HOUR)], T0 + 2.75 * HOUR, P);
    expect(clockOf(s, "next_reply")).toMatchObject({ status: "active", usedMs: 45 * MINUTE, startedAt: T0 + 2 * HOUR });
  });

  it("treats a customer message and a reply at the same instant as answered", () => {
    const s = fold([...opened(T0), reply(T0 + HOUR), reply(T0 + 2 * HOUR), customer(T0 + 2 * HOUR)], T0 + 3 * HOUR, P);
    expect(clockOf(s, "next_reply")).toMatchObject({ status: "fulfilled", startedAt: T0 + 2 * HOUR, usedMs: 0 });
  });
});

describe("periodic update: public agent reply → next public agent reply while unresolved", () => {
  it("restarts at every public reply", () => {
    const s = fold([...opened(T0), reply(T0 + HOUR), note(T0 + 2 * HOUR), reply(T0 + 3 * HOUR)], T0 + 4 * HOUR, P);
    expect(clockOf(s, "periodic_update")).toMatchObject({ status: "active", startedAt: T0 + 3 * HOUR, usedMs: HOUR, dueAt: T0 + 7 * HOUR });
    expect(events(s, "periodic_update")).toEqual(["activate@60m", "fulfill@180m", "activate@180m"]);
  });

  it("stops when the case is solved, and a reply on a solved case starts nothing", () => {
    const s = fold([...opened(T0), reply(T0 + HOUR), status(T0 + 2 * HOUR, "solved"), reply(T0 + 3 * HOUR)], T0 + 10 * HOUR, P);
    expect(clockOf(s, "periodic_update")).toMatchObject({ status: "fulfilled", startedAt: T0 + HOUR, fulfilledAt: T0 + 2 * HOUR });
    expect(events(s, "periodic_update")).toEqual(["activate@60m", "fulfill@120m"]);
  });

  it("counts the reply before the status when an agent replies and solves at once", () => {
    const s = fold([...opened(T0), status(T0 + HOUR, "solved"), reply(T0 + HOUR)], T0 + 2 * HOUR, P);
    expect(clockOf(s, "first_reply")).toMatchObject({ status: "fulfilled", fulfilledAt: T0 + HOUR });
    expect(clockOf(s, "resolution")).toMatchObject({ status: "fulfilled", usedMs: HOUR });
  });
});

describe("resolution: opened → solved; reopening resumes it", () => {
  it("is fulfilled when solved and resumes with the time already used when reopened", () => {
    const solved = fold([...opened(T0), status(T0 + 3 * HOUR, "solved")], T0 + 5 * HOUR, P);
    expect(clockOf(solved, "resolution")).toMatchObject({ status: "fulfilled", usedMs: 3 * HOUR, fulfilledAt: T0 + 3 * HOUR });

    const reopened = fold([...opened(T0), status(T0 + 3 * HOUR, "solved"), status(T0 + 10 * HOUR, "open")], T0 + 11 * HOUR, P);
    expect(clockOf(reopened, "resolution")).toMatchObject({ status: "active", startedAt: T0, usedMs: 4 * HOUR, dueAt: T0 + 15 * HOUR, fulfilledAt: null });
    expect(events(reopened, "resolution")).toEqual(["activate@0m", "fulfill@180m", "resume@600m"]);
  });

  it("restarts next reply on reopening only for a customer message that came after the solve", () => {
    const base = [...opened(T0), reply(T0 + HOUR), customer(T0 + 2 * HOUR), status(T0 + 2.5 * HOUR, "solved")];
    const byCustomer = fold([...base, customer(T0 + 5 * HOUR), status(T0 + 5 * HOUR, "open")], T0 + 5.5 * HOUR, P);
    expect(clockOf(byCustomer, "next_reply")).toMatchObject({ status: "active", startedAt: T0 + 5 * HOUR, usedMs: 30 * MINUTE });
    expect(clockOf(byCustomer, "periodic_update")).toMatchObject({ status: "active", startedAt: T0 + 5 * HOUR });
    const byAgent = fold([...base, status(T0 + 5 * HOUR, "open")], T0 + 5.5 * HOUR, P);
    expect(clockOf(byAgent, "next_reply")).toMatchObject({ status: "fulfilled", startedAt: T0 + 2 * HOUR, fulfilledAt: T0 + 2.5 * HOUR });
  });

  it("treats closed like solved, and solved → closed changes nothing", () => {
    const s = fold([...opened(T0), status(T0 + HOUR, "solved"), status(T0 + 2 * HOUR, "closed")], T0 + 3 * HOUR, P);
    expect(clockOf(s, "resolution")).toMatchObject({ status: "fulfilled", fulfilledAt: T0 + HOUR });
    expect(events(s, "resolution")).toEqual(["activate@0m", "fulfill@60m"]);
  });
});

describe("pausing is per target", () => {
  const PAUSING = policy("p", {
    first_reply: { durationMs: 4 * HOUR },
    resolution: { durationMs: 8 * HOUR, pauseOn: ["pending", "on-hold", "waiting-on-third-party"] },
  });
  const pendingTwoHours = [...opened(T0), status(T0 + HOUR, "pending"), status(T0 + 3 * HOUR, "open")];

  it("stops only the clocks whose target names the status, keeping their used time", () => {
    const s = fold(pendingTwoHours, T0 + 3.5 * HOUR, PAUSING);
    expect(clockOf(s, "resolution")).toMatchObject({ status: "active", usedMs: 1.5 * HOUR, dueAt: T0 + 10 * HOUR });
    expect(clockOf(s, "first_reply")).toMatchObject({ status: "active", usedMs: 3.5 * HOUR, dueAt: T0 + 4 * HOUR });
    expect(events(s, "resolution")).toEqual(["activate@0m", "pause@60m", "resume@180m"]);
    expect(events(s, "first_reply")).toEqual(["activate@0m"]);
  });

  it("has no due instant and nothing to wake for while paused", () => {
    const s = fold(pendingTwoHours.slice(0, 3), T0 + 2 * HOUR, PAUSING);
    expect(clockOf(s, "resolution")).toMatchObject({ status: "paused", running: false, usedMs: HOUR, dueAt: null, wakeups: [] });
    expect(s.nextWakeupAt).toBe(T0 + 4 * HOUR);
  });

  it("pauses from the start when a case is opened in a pausing status", () => {
    const s = fold(opened(T0, "p", { status: "on-hold" }), T0 + HOUR, PAUSING);
    expect(clockOf(s, "resolution")).toMatchObject({ status: "paused", usedMs: 0 });
    expect(events(s, "resolution")).toEqual(["activate@0m", "pause@0m"]);
  });

  it("moves from one pausing status to another without resuming", () => {
    const s = fold([...opened(T0), status(T0 + HOUR, "pending"), status(T0 + 2 * HOUR, "waiting-on-third-party"), status(T0 + 5 * HOUR, "open")], T0 + 6 * HOUR, PAUSING);
    expect(clockOf(s, "resolution")).toMatchObject({ usedMs: 2 * HOUR });
    expect(events(s, "resolution")).toEqual(["activate@0m", "pause@60m", "resume@300m"]);
  });
});

describe("a priority or policy change recomputes the deadline from business time already used", () => {
  const BY_PRIORITY = policy("p", { first_reply: { durationMs: 4 * HOUR, byPriority: { low: 8 * HOUR, normal: 4 * HOUR, high: 2 * HOUR, urgent: HOUR } } });

  it("keeps the used time and applies the new target (not a restart, not ignored)", () => {
    const s = fold([...opened(T0), priority(T0 + 30 * MINUTE, "urgent")], T0 + 40 * MINUTE, BY_PRIORITY);
    expect(clockOf(s, "first_reply")).toMatchObject({ targetMs: HOUR, usedMs: 40 * MINUTE, dueAt: T0 + HOUR, startedAt: T0 });
    expect(s.priority).toBe("urgent");
    // The audit shows which target applied when: normal at opening, urgent from the change on.
    expect(s.timeline.filter((e) => e.type === "apply_target")).toEqual([
      { metric: "first_reply", type: "apply_target", at: T0, target: { policyId: "p", priority: "normal", durationMs: 4 * HOUR } },
      { metric: "first_reply", type: "apply_target", at: T0 + 30 * MINUTE, target: { policyId: "p", priority: "urgent", durationMs: HOUR } },
    ]);
  });

  it("breaches at the change when more than the new target is already used", () => {
    const s = fold([...opened(T0), priority(T0 + 2 * HOUR, "urgent")], T0 + 2 * HOUR + MINUTE, BY_PRIORITY);
    expect(clockOf(s, "first_reply")).toMatchObject({ status: "breached", breachedAt: T0 + 2 * HOUR, usedMs: 2 * HOUR + MINUTE });
  });

  it("gives more time when the priority is lowered", () => {
    const s = fold([...opened(T0, "p", { priority: "urgent" }), priority(T0 + 30 * MINUTE, "low")], T0 + HOUR, BY_PRIORITY);
    expect(clockOf(s, "first_reply")).toMatchObject({ status: "active", targetMs: 8 * HOUR, dueAt: T0 + 8 * HOUR });
  });

  it("carries business time across the weekend: 1.5 h used of 4, then urgent (2 h) is due Monday 10:00", () => {
    const office = policy("p", { first_reply: { durationMs: 4 * HOUR, calendar: OFFICE, byPriority: { urgent: 2 * HOUR } } });
    const s = fold([...opened(T("2026-06-05T16:00+02:00")), priority(T("2026-06-08T09:30+02:00"), "urgent")], T("2026-06-08T09:45+02:00"), office);
    expect(clockOf(s, "first_reply")).toMatchObject({ targetMs: 2 * HOUR, usedMs: 1.75 * HOUR, dueAt: T("2026-06-08T10:00+02:00") });
  });

  it("does the same when the policy changes, even to another calendar", () => {
    const q = policy("q", { first_reply: { durationMs: 3 * HOUR, calendar: OFFICE } });
    const evs = [...opened(T("2026-06-05T15:00+02:00")), { type: "policy_changed", at: T("2026-06-05T16:00+02:00"), policyId: "q" } as ClockEvent];
    const s = fold(evs, T("2026-06-06T12:00+02:00"), P, q);
    // 1 h used under 24/7 before the change, 1 h of office time on Friday after it: 1 h left for Monday.
    expect(clockOf(s, "first_reply")).toMatchObject({ targetMs: 3 * HOUR, usedMs: 2 * HOUR, dueAt: T("2026-06-08T10:00+02:00") });
    expect(s.policyId).toBe("q");
  });

  it("counts from the case's start when the first policy arrives after it opened", () => {
    const evs: ClockEvent[] = [{ type: "case.opened", at: T0 }, { type: "policy_changed", at: T0 + HOUR, policyId: "p" }];
    const s = fold(evs, T0 + 90 * MINUTE, P);
    expect(clockOf(s, "first_reply")).toMatchObject({ startedAt: T0, usedMs: 90 * MINUTE, dueAt: T0 + 2 * HOUR });
  });

  it("drops the clocks when the policy is removed", () => {
    const evs: ClockEvent[] = [...opened(T0), { type: "policy_changed", at: T0 + HOUR, policyId: null }];
    const s = fold(evs, T0 + 3 * HOUR, P);
    expect(s.clocks).toEqual([]);
    expect(s.nextWakeupAt).toBeNull();
    expect(s.timeline.filter((e) => e.type === "apply_target" && e.at === T0 + HOUR).map((e) => [e.metric, e.target])).toEqual([
      ["first_reply", null],
      ["resolution", null],
    ]);
  });
});

describe("wakeups: warnings before the due instant, the due instant, escalations after it", () => {
  const LADDER = policy("p", {
    first_reply: { durationMs: 2 * HOUR, calendar: OFFICE, warningOffsetsMs: [3 * HOUR, HOUR, 30 * MINUTE], escalationDelaysMs: [0, HOUR, 2 * HOUR] },
  });
  const FRIDAY = T("2026-06-05T16:00+02:00");

  it("places every level in business time, a warning before the start at the start", () => {
    const s = fold(opened(FRIDAY), T("2026-06-06T12:00+02:00"), LADDER);
    const c = clockOf(s, "first_reply");
    expect(c.dueAt).toBe(T("2026-06-08T10:00+02:00"));
    expect(c.wakeups.map((w) => [w.kind, w.level, new Date(w.at).toISOString()])).toEqual([
      ["warning", 1, "2026-06-05T14:00:00.000Z"],
      ["warning", 2, "2026-06-08T07:00:00.000Z"],
      ["warning", 3, "2026-06-08T07:30:00.000Z"],
      ["due", 0, "2026-06-08T08:00:00.000Z"],
      ["escalation", 1, "2026-06-08T08:00:00.000Z"],
      ["escalation", 2, "2026-06-08T09:00:00.000Z"],
      ["escalation", 3, "2026-06-08T10:00:00.000Z"],
    ]);
    expect(c.wakeups[1]?.key).toBe(`first_reply:${FRIDAY}:warning:2:${T("2026-06-08T09:00+02:00")}`);
    // The case alarm goes to the earliest wakeup still ahead.
    expect(s.nextWakeupAt).toBe(T("2026-06-08T09:00+02:00"));
  });

  it("keeps escalations after a breach and clears everything once fulfilled", () => {
    const breached = fold(opened(FRIDAY), T("2026-06-08T10:30+02:00"), LADDER);
    expect(clockOf(breached, "first_reply").status).toBe("breached");
    expect(breached.nextWakeupAt).toBe(T("2026-06-08T11:00+02:00"));
    const answered = fold([...opened(FRIDAY), reply(T("2026-06-08T09:15+02:00"))], T("2026-06-08T09:20+02:00"), LADDER);
    expect(clockOf(answered, "first_reply").wakeups).toEqual([]);
    expect(answered.nextWakeupAt).toBeNull();
  });

  it("moves with the deadline when the clock is paused and resumed", () => {
    const pausing = policy("p", { resolution: { durationMs: 2 * HOUR, pauseOn: ["pending"], warningOffsetsMs: [30 * MINUTE] } });
    const s = fold([...opened(T0), status(T0 + HOUR, "pending"), status(T0 + 4 * HOUR, "open")], T0 + 4 * HOUR, pausing);
    expect(clockOf(s, "resolution").wakeups.map((w) => [w.kind, (w.at - T0) / MINUTE])).toEqual([
      ["warning", 270],
      ["due", 300],
    ]);
    expect(s.nextWakeupAt).toBe(T0 + 270 * MINUTE);
  });

  it("takes the earliest wakeup over all metrics", () => {
    const s = fold([...opened(T0), reply(T0 + 10 * MINUTE), customer(T0 + 20 * MINUTE)], T0 + 30 * MINUTE, P);
    // next reply is due at 80 min, before periodic update (250 min) and resolution (480 min).
    expect(s.nextWakeupAt).toBe(T0 + 80 * MINUTE);
  });
});

describe("the metric timeline", () => {
  it("lists activate, pause, resume, fulfill and breach in time order, like Zendesk's ticket metric events", () => {
    const pausing = policy("p", { first_reply: { durationMs: HOUR }, resolution: { durationMs: 3 * HOUR, pauseOn: ["pending"] } });
    const s = fold([...opened(T0), status(T0 + 30 * MINUTE, "pending"), status(T0 + 2 * HOUR, "open"), reply(T0 + 3 * HOUR), status(T0 + 6 * HOUR, "solved")], T0 + 7 * HOUR, pausing);
    expect(s.timeline.map((e) => `${e.metric} ${e.type}@${(e.at - T0) / MINUTE}m`)).toEqual([
      "first_reply apply_target@0m",
      "first_reply activate@0m",
      "resolution apply_target@0m",
      "resolution activate@0m",
      "resolution pause@30m",
      "first_reply breach@60m",
      "resolution resume@120m",
      "first_reply fulfill@180m",
      "resolution breach@270m",
      "resolution fulfill@360m",
    ]);
    expect(s.status).toBe("solved");
  });
});

describe("event order", () => {
  it("sorts by instant, then the order things happen at one instant, then id", () => {
    const evs: ClockEvent[] = [
      status(T0, "pending"),
      reply(T0, "b"),
      reply(T0, "a"),
      customer(T0),
      { type: "policy_changed", at: T0, policyId: "p" },
      { type: "case.opened", at: T0 },
      note(T0 - 1),
    ];
    expect(sortClockEvents(evs).map((e) => `${e.type}${e.id ?? ""}`)).toEqual([
      "case.agent_note",
      "case.opened",
      "policy_changed",
      "case.customer_message",
      "case.agent_replya",
      "case.agent_replyb",
      "case.status_changed",
    ]);
  });

  it("folds events given in any order to the same state", () => {
    const evs = [...opened(T0), customer(T0), reply(T0 + HOUR), customer(T0 + 2 * HOUR), status(T0 + 2 * HOUR, "pending"), status(T0 + 2 * HOUR, "on-hold"), priority(T0 + 3 * HOUR, "high")];
    const expected = foldClocks(evs, resolverOf(P), T0 + 4 * HOUR);
    expect(foldClocks([...evs].reverse(), resolverOf(P), T0 + 4 * HOUR)).toEqual(expected);
    // Two status changes at one instant without ids still come out in one fixed order.
    const swapped = evs.map((e, i) => (i === 5 ? evs[6]! : i === 6 ? evs[5]! : e));
    expect(foldClocks(swapped, resolverOf(P), T0 + 4 * HOUR)).toEqual(expected);
  });
});

describe("now", () => {
  it("applies events stamped after now too, counting used time only up to now", () => {
    // The case object folds events it knows are coming; the clock starts at its own instant.
    const s = fold(opened(T0 + HOUR), T0, P);
    expect(clockOf(s, "first_reply")).toMatchObject({ status: "active", startedAt: T0 + HOUR, usedMs: 0, dueAt: T0 + 3 * HOUR });
    expect(s.nextWakeupAt).toBe(T0 + 3 * HOUR);
  });
});

describe("clockEventOf", () => {
  const base: NormalizedEvent = {
    storeId: "s",
    provider: "zendesk",
    providerEventId: "evt-1",
    occurredAt: "2026-06-01T07:00:00Z",
    caseKey: { type: "ticket", provider: "zendesk", ticketId: "42" },
    kind: "case.opened",
  };

  it("maps the SLA-relevant kinds with their instant, provider and provider event id", () => {
    const src = { id: "evt-1", source: "zendesk" };
    expect(clockEventOf({ ...base, status: "open", priority: "high" })).toEqual({ type: "case.opened", at: T0, ...src, status: "open", priority: "high" });
    expect(clockEventOf({ ...base, kind: "case.agent_reply" })).toEqual({ type: "case.agent_reply", at: T0, ...src });
    expect(clockEventOf({ ...base, kind: "case.agent_note" })).toEqual({ type: "case.agent_note", at: T0, ...src });
    expect(clockEventOf({ ...base, kind: "case.status_changed", status: "pending" })).toEqual({ type: "case.status_changed", at: T0, ...src, status: "pending" });
    expect(clockEventOf({ ...base, kind: "case.agent_reply", sequence: 7 })).toEqual({ type: "case.agent_reply", at: T0, ...src, sequence: 7 });
  });

  it("ignores kinds that do not touch clocks, and changes without their new value", () => {
    expect(clockEventOf({ ...base, kind: "case.tags_changed", tags: ["vip"] })).toBeNull();
    expect(clockEventOf({ ...base, kind: "shipment.in_transit" })).toBeNull();
    expect(clockEventOf({ ...base, kind: "case.status_changed" })).toBeNull();
    expect(clockEventOf({ ...base, kind: "case.priority_changed" })).toBeNull();
  });
});
