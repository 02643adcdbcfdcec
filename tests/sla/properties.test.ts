/**
 * Properties of the SLA fold over random cases: random targets (24/7 and office calendars in
 * two hemispheres, random pause statuses), random conversations, status and priority changes.
 * Run counts are bounded to keep CI quick.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { BusinessCalendar } from "../../src/calendar/index";
import type { CaseStatus } from "../../src/events/model";
import { type ClockEvent, type ClockState, foldClocks, SlaMetric, SlaPolicy } from "../../src/sla/index";
import { HOUR, MINUTE, OFFICE, resolverOf, T } from "./helpers";

const SYDNEY: BusinessCalendar = { timeZone: "Australia/Sydney", week: Object.fromEntries(["mon", "tue", "wed", "thu", "fri"].map((d) => [d, [["08:30", "12:00"], ["13:00", "17:30"]]])) };
const PAUSING: CaseStatus[] = ["pending", "on-hold", "waiting-on-third-party"];
const STATUSES: CaseStatus[] = ["open", "pending", "on-hold", "waiting-on-third-party", "solved", "closed"];
// Around the southern and northern DST changes of 2026.
const START = fc.constantFrom(T("2026-04-02T10:00+11:00"), T("2026-10-22T11:00+02:00"), T("2026-06-05T16:00+02:00"));

const target = fc.record({
  durationMs: fc.integer({ min: 1, max: 40 }).map((q) => q * 15 * MINUTE),
  calendar: fc.constantFrom<"24/7" | BusinessCalendar>("24/7", OFFICE, SYDNEY),
  pauseOn: fc.subarray(PAUSING),
  warningOffsetsMs: fc.array(fc.integer({ min: 1, max: 8 }).map((q) => q * 15 * MINUTE), { maxLength: 2 }),
  escalationDelaysMs: fc.array(fc.integer({ min: 0, max: 8 }).map((q) => q * 15 * MINUTE), { maxLength: 2 }),
});
const PRIORITIES = ["low", "normal", "high", "urgent"] as const;
/** Each metric × priority cell has a target three times in four. */
const policyArb = (id: string) =>
  fc.array(fc.option(target, { freq: 3, nil: null }), { minLength: 16, maxLength: 16 }).map((cells) =>
    SlaPolicy.parse({
      id,
      targets: cells.flatMap((t, i) => (t === null ? [] : [{ metric: SlaMetric.options[i % 4], priority: PRIORITIES[Math.floor(i / 4)], ...t }])),
    }),
  );

type Kind = "customer" | "reply" | "note" | "status" | "priority" | "policy";
interface Step {
  minutes: number;
  kind: Kind;
  status: CaseStatus;
  priority: "low" | "normal" | "high" | "urgent";
  policyId: string | null;
  id: string | undefined;
}
const step = (kinds: Kind[]): fc.Arbitrary<Step> =>
  fc.record({
    minutes: fc.integer({ min: 0, max: 5 * 24 * 4 }).map((q) => q * 15),
    kind: fc.constantFrom(...kinds),
    status: fc.constantFrom(...STATUSES),
    priority: fc.constantFrom("low", "normal", "high", "urgent" as const),
    policyId: fc.constantFrom<string | null>("p", "q", null),
    id: fc.option(fc.string({ minLength: 1, maxLength: 3 }), { nil: undefined }),
  });

function toEvent(start: number, s: Step): ClockEvent {
  const at = start + s.minutes * MINUTE;
  const id = s.id === undefined ? {} : { id: s.id };
  switch (s.kind) {
    case "customer":
      return { type: "case.customer_message", at, ...id };
    case "reply":
      return { type: "case.agent_reply", at, ...id };
    case "note":
      return { type: "case.agent_note", at, ...id };
    case "status":
      return { type: "case.status_changed", at, status: s.status, ...id };
    case "priority":
      return { type: "case.priority_changed", at, priority: s.priority, ...id };
    case "policy":
      return { type: "policy_changed", at, policyId: s.policyId, ...id };
  }
}

const scenario = (kinds: Kind[]) =>
  fc.record({
    start: START,
    p: policyArb("p"),
    q: policyArb("q"),
    steps: fc.array(step(kinds), { maxLength: 14 }),
    /** How long after the last event the fold looks: the case object folds at or after its events. */
    nowMinutes: fc.integer({ min: 0, max: 2 * 24 * 4 }).map((q) => q * 15),
  });

/** `now` for a case: some time after its last event. */
const nowFor = (events: readonly ClockEvent[], afterMinutes: number): number => Math.max(...events.map((e) => e.at)) + afterMinutes * MINUTE;

function opening(start: number): ClockEvent[] {
  return [
    { type: "policy_changed", at: start, policyId: "p" },
    { type: "case.opened", at: start },
  ];
}

describe("SLA fold properties", () => {
  it("folds events given in any order to the same state", () => {
    fc.assert(
      fc.property(
        scenario(["customer", "reply", "note", "status", "priority", "policy"]).chain((sc) => {
          const events = [...opening(sc.start), ...sc.steps.map((s) => toEvent(sc.start, s))];
          return fc.record({ sc: fc.constant(sc), events: fc.constant(events), shuffled: fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }) });
        }),
        ({ sc, events, shuffled }) => {
          const now = nowFor(events, sc.nowMinutes);
          expect(foldClocks(shuffled, resolverOf(sc.p, sc.q), now)).toEqual(foldClocks(events, resolverOf(sc.p, sc.q), now));
        },
      ),
      { numRuns: 60 },
    );
  });

  it("pausing never makes a deadline earlier, and leaves clocks that do not pause on it alone", () => {
    fc.assert(
      fc.property(
        scenario(["customer", "reply", "note", "priority", "policy"]),
        fc.constantFrom(...PAUSING),
        fc.integer({ min: 0, max: 5 * 24 * 4 }),
        fc.integer({ min: 1, max: 2 * 24 * 4 }),
        (sc, pausing, fromQ, lengthQ) => {
          const events = [...opening(sc.start), ...sc.steps.map((s) => toEvent(sc.start, s))];
          const from = sc.start + fromQ * 15 * MINUTE;
          const paused = [...events, { type: "case.status_changed", at: from, status: pausing } as ClockEvent, { type: "case.status_changed", at: from + lengthQ * 15 * MINUTE, status: "open" } as ClockEvent];
          const now = nowFor(paused, sc.nowMinutes);
          const resolver = resolverOf(sc.p, sc.q);
          const without = foldClocks(events, resolver, now);
          const withPause = foldClocks(paused, resolver, now);
          for (const c of without.clocks) {
            const d = withPause.clocks.find((x) => x.metric === c.metric);
            expect(d).toBeDefined();
            if (!d) continue;
            expect(d.usedMs).toBeLessThanOrEqual(c.usedMs);
            if (c.dueAt !== null && d.dueAt !== null) expect(d.dueAt).toBeGreaterThanOrEqual(c.dueAt);
            if (c.breachedAt === null) expect(d.breachedAt).toBeNull();
            const pausesEver = [sc.p, sc.q].some((pol) => pol.targets.some((t) => t.metric === c.metric && t.pauseOn.includes(pausing)));
            if (!pausesEver) expect({ ...d, wakeups: d.wakeups.length }).toEqual({ ...c, wakeups: c.wakeups.length });
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  // A clock stopped after its due instant in closed hours has used exactly its target and is
  // still breached (the due instant passed while it ran), so equality can go either way.
  it("reports a breach whenever more than the target was used, and never before the target was used up", () => {
    fc.assert(
      fc.property(scenario(["customer", "reply", "note", "status"]), (sc) => {
        const events = [...opening(sc.start), ...sc.steps.map((s) => toEvent(sc.start, s))];
        const now = nowFor(events, sc.nowMinutes);
        const state: ClockState = foldClocks(events, resolverOf(sc.p), now);
        for (const c of state.clocks) {
          if (c.usedMs > c.targetMs) expect(c.breachedAt).not.toBeNull();
          if (c.breachedAt !== null) expect(c.usedMs).toBeGreaterThanOrEqual(c.targetMs);
          if (c.running) expect(c.status === "breached").toBe(c.usedMs >= c.targetMs);
          expect(c.remainingMs).toBe(c.targetMs - c.usedMs);
          for (let i = 1; i < c.wakeups.length; i++) expect(c.wakeups[i]!.at).toBeGreaterThanOrEqual(c.wakeups[i - 1]!.at);
          if (c.dueAt !== null) expect(c.wakeups.find((w) => w.kind === "due")?.at).toBe(c.dueAt);
        }
        if (state.nextWakeupAt !== null) expect(state.nextWakeupAt).toBeGreaterThan(now);
        expect(state.timeline.every((e, i, all) => i === 0 || all[i - 1]!.at <= e.at)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});

// A guard against the generators producing nothing interesting: most cases have running clocks.
it("the generated cases exercise the clocks", () => {
  const samples = fc.sample(scenario(["customer", "reply", "note", "status"]), { numRuns: 40, seed: 7 });
  const withClocks = samples.filter((sc) => foldClocks(opening(sc.start), resolverOf(sc.p), sc.start + HOUR).clocks.length > 0);
  expect(withClocks.length).toBeGreaterThan(30);
});
