/**
 * Every cycle's result, exact: the four holes a report would have counted wrong, each computed
 * by hand on a Berlin office calendar (Mon–Fri 09:00–17:00) with a weekend and a holiday on
 * Thursday 2026-06-04. 2026-06-01 is a Monday; all times are Berlin summer time (+02:00).
 */
import { describe, expect, it } from "vitest";
import type { BusinessCalendar } from "../../src/calendar/index";
import { type ClockEvent, type ClockState } from "../../src/sla/index";
import { clockOf, customer, fold, HOUR, MINUTE, OFFICE, opened, policy, reply, status, T } from "./helpers";

const CAL: BusinessCalendar = { ...OFFICE, holidays: ["2026-06-04"] };
const at = (local: string): number => T(`2026-06-${local}+02:00`);
const P = policy("p", {
  first_reply: { durationMs: 2 * HOUR, calendar: CAL },
  next_reply: { durationMs: HOUR, calendar: CAL },
  periodic_update: { durationMs: 4 * HOUR, calendar: CAL },
  resolution: { durationMs: 16 * HOUR, calendar: CAL, pauseOn: ["pending"] },
});
/** Stamps arrival order on events, as the case object does from its log's row numbers. */
const arrived = (events: ClockEvent[]): ClockEvent[] => events.map((e, i) => ({ ...e, order: i + 1 }));
const cyclesOf = (s: ClockState, metric: ClockState["cycles"][number]["metric"]) => s.cycles.filter((c) => c.metric === metric);

describe("a reply that also solves the case is one action, not a new cycle", () => {
  // Opened Wed 16:00, replied Wed 16:30 (starts a periodic update), replied and solved Fri 10:00.
  const history = [...opened(at("03T16:00")), reply(at("03T16:30")), reply(at("05T10:00")), status(at("05T10:00"), "solved")];

  it("leaves exactly one periodic-update cycle: Wed 16:30 → Fri 10:00, 1.5 h used, met", () => {
    const s = fold(arrived(history), at("08T12:00"), P);
    expect(cyclesOf(s, "periodic_update")).toEqual([
      // Wed 16:30–17:00 and Fri 09:00–10:00 (Thursday is a holiday): 1.5 h of a 4 h target,
      // which would have run out Fri 12:30 (Wed 0.5 h + Fri 3.5 h).
      { metric: "periodic_update", policyId: "p", priority: "normal", startedAt: at("03T16:30"), endedAt: at("05T10:00"), dueAt: at("05T12:30"), targetMs: 4 * HOUR, usedMs: 1.5 * HOUR, pausedMs: 0, outcome: "met" },
    ]);
    expect(clockOf(s, "periodic_update")).toMatchObject({ status: "fulfilled", startedAt: at("03T16:30"), fulfilledAt: at("05T10:00") });
    expect(s.timeline.filter((e) => e.metric === "periodic_update" && e.type === "activate").map((e) => e.at)).toEqual([at("03T16:30")]);
  });

  it("opens no periodic update when the first reply solves the case, in whichever order the two arrived", () => {
    const first = [...opened(at("03T16:00")), reply(at("05T10:00")), status(at("05T10:00"), "solved")];
    for (const events of [arrived(first), arrived([first[0]!, first[1]!, first[3]!, first[2]!])]) {
      const s = fold(events, at("08T12:00"), P);
      expect(cyclesOf(s, "periodic_update")).toEqual([]);
      // Wed 16:00–17:00 and Fri 09:00–10:00: the reply lands exactly on the due instant, so on time.
      expect(cyclesOf(s, "first_reply")).toEqual([
        { metric: "first_reply", policyId: "p", priority: "normal", startedAt: at("03T16:00"), endedAt: at("05T10:00"), dueAt: at("05T10:00"), targetMs: 2 * HOUR, usedMs: 2 * HOUR, pausedMs: 0, outcome: "met" },
      ]);
    }
  });
});

describe("a solved, never-answered case that the customer reopens still owes its first reply", () => {
  it("resumes first reply with the business time it had used; the solved spell counts as paused", () => {
    // Opened Mon 16:00, solved Mon 16:30 without a reply (30 min used), reopened by the customer Wed 16:00.
    const history = [...opened(at("01T16:00")), status(at("01T16:30"), "solved"), customer(at("03T16:00")), status(at("03T16:00"), "open")];
    const waiting = fold(arrived(history), at("03T16:30"), P);
    // 1.5 h left from Wed 16:00: Wed 16:00–17:00, Thursday a holiday, Fri 09:00–09:30.
    expect(clockOf(waiting, "first_reply")).toMatchObject({ status: "active", startedAt: at("01T16:00"), usedMs: HOUR, dueAt: at("05T09:30") });
    expect(waiting.nextWakeupAt).toBe(at("05T09:30"));

    const answered = fold(arrived([...history, reply(at("05T10:00"))]), at("05T12:00"), P);
    expect(cyclesOf(answered, "first_reply")).toEqual([
      // Used: Mon 0.5 h + Wed 1 h + Fri 1 h; paused: Mon 16:30–17:00, Tue 8 h, Wed 09:00–16:00.
      { metric: "first_reply", policyId: "p", priority: "normal", startedAt: at("01T16:00"), endedAt: at("05T10:00"), dueAt: at("05T09:30"), targetMs: 2 * HOUR, usedMs: 2.5 * HOUR, pausedMs: 15.5 * HOUR, outcome: "missed" },
    ]);
    expect(cyclesOf(answered, "next_reply")).toEqual([]);
  });

  it("is the same definition as a case opened already solved: nothing used before, owed from the reopening", () => {
    const history = [...opened(at("01T16:00"), "p", { status: "solved" }), customer(at("03T16:00")), status(at("03T16:00"), "open")];
    const s = fold(arrived(history), at("03T16:30"), P);
    // 2 h from Wed 16:00: Wed 16:00–17:00, then Fri 09:00–10:00.
    expect(clockOf(s, "first_reply")).toMatchObject({ status: "active", startedAt: at("03T16:00"), usedMs: 30 * MINUTE, dueAt: at("05T10:00") });
  });
});

describe("same-instant events keep the order they happened in", () => {
  // First reply Mon 10:00; on Tue at 11:00:00 (whole seconds) a reply and a customer message.
  const before = [...opened(at("01T09:00")), reply(at("01T10:00"))];
  const r = reply(at("02T11:00"));
  const c = customer(at("02T11:00"));

  it("a reply that arrived before the customer's message did not answer it: next reply is owed", () => {
    const s = fold(arrived([...before, r, c]), at("02T13:00"), P);
    expect(clockOf(s, "next_reply")).toMatchObject({ status: "breached", startedAt: at("02T11:00"), dueAt: at("02T12:00"), usedMs: 2 * HOUR });
    expect(cyclesOf(s, "next_reply").map((x) => x.outcome)).toEqual(["open_missed"]);
  });

  it("a message that arrived before the reply was answered by it", () => {
    const s = fold(arrived([...before, c, r]), at("02T13:00"), P);
    expect(cyclesOf(s, "next_reply")).toEqual([
      { metric: "next_reply", policyId: "p", priority: "normal", startedAt: at("02T11:00"), endedAt: at("02T11:00"), dueAt: at("02T12:00"), targetMs: HOUR, usedMs: 0, pausedMs: 0, outcome: "met" },
    ]);
  });

  it("the provider's own sequence overrides arrival order, and the kind order is only the last resort", () => {
    // Arrived message first, but the helpdesk numbers the reply before it.
    const bySequence = [...arrived(before), { ...c, order: 3, source: "zendesk", sequence: 41 }, { ...r, order: 4, source: "zendesk", sequence: 40 }];
    expect(clockOf(fold(bySequence, at("02T13:00"), P), "next_reply")).toMatchObject({ status: "breached" });
    // Nothing known about how they happened (a dry-run's events): customer message first.
    expect(clockOf(fold([...before, r, c], at("02T13:00"), P), "next_reply")).toMatchObject({ status: "fulfilled", usedMs: 0 });
  });
});

describe("finished cycles keep their result, and a metric with a target never vanishes", () => {
  // Opened Wed 16:00; pending 16:30 (pauses resolution only); first reply Fri 11:00; the customer
  // writes Mon 09:00 and the case goes back to open; solved Mon 12:00 without another reply.
  const history = [
    ...opened(at("03T16:00")),
    status(at("03T16:30"), "pending"),
    reply(at("05T11:00")),
    customer(at("08T09:00")),
    status(at("08T09:00"), "open"),
    status(at("08T12:00"), "solved"),
  ];

  it("reports every cycle with due, used, paused and outcome", () => {
    const s = fold(arrived(history), at("09T09:00"), P);
    expect(s.cycles).toEqual([
      // Due Fri 10:00 (Wed 1 h + Fri 1 h), answered at 11:00 after 3 h: missed.
      { metric: "first_reply", policyId: "p", priority: "normal", startedAt: at("03T16:00"), endedAt: at("05T11:00"), dueAt: at("05T10:00"), targetMs: 2 * HOUR, usedMs: 3 * HOUR, pausedMs: 0, outcome: "missed" },
      // Used 30 min, paused Wed 16:30 → Mon 09:00 (0.5 + 0 + 8 h), 3 h on Monday; due then Tue 16:30.
      { metric: "resolution", policyId: "p", priority: "normal", startedAt: at("03T16:00"), endedAt: at("08T12:00"), dueAt: at("09T16:30"), targetMs: 16 * HOUR, usedMs: 3.5 * HOUR, pausedMs: 8.5 * HOUR, outcome: "met" },
      // From the reply Fri 11:00 (4 h: due Fri 15:00) to the solve Mon 12:00: Fri 6 h + Mon 3 h used.
      { metric: "periodic_update", policyId: "p", priority: "normal", startedAt: at("05T11:00"), endedAt: at("08T12:00"), dueAt: at("05T15:00"), targetMs: 4 * HOUR, usedMs: 9 * HOUR, pausedMs: 0, outcome: "missed" },
      // Due Mon 10:00, stopped by the solve at 12:00: breached, then stopped.
      { metric: "next_reply", policyId: "p", priority: "normal", startedAt: at("08T09:00"), endedAt: at("08T12:00"), dueAt: at("08T10:00"), targetMs: HOUR, usedMs: 3 * HOUR, pausedMs: 0, outcome: "missed" },
    ]);
  });

  it("shows a metric with a target but nothing counting as idle, and an open cycle as of now", () => {
    // Only what had happened by Friday noon (the fold applies every event it is given).
    const s = fold(arrived(history.slice(0, 4)), at("05T12:00"), P);
    expect(s.idle.map((m) => [m.metric, m.targetMs])).toEqual([
      ["first_reply", 2 * HOUR],
      ["next_reply", HOUR],
    ]);
    // Resolution is paused (pending): in progress with no deadline running, paused time so far.
    expect(cyclesOf(s, "resolution")).toEqual([
      { metric: "resolution", policyId: "p", priority: "normal", startedAt: at("03T16:00"), endedAt: null, dueAt: null, targetMs: 16 * HOUR, usedMs: 30 * MINUTE, pausedMs: 3.5 * HOUR, outcome: "in_progress" },
    ]);
  });
});
