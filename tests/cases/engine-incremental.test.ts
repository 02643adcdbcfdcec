/**
 * The case engine folds each new event onto what it folded before instead of folding the whole
 * log again. These properties hold it to the one thing that matters: whatever order events
 * arrive in, with evaluations in between, every evaluation equals folding the events known so far
 * from scratch (`evaluateCase`). Events arrive out of order, several at one instant, before and
 * after a rules version is applied mid-case; an evaluation already handed out never changes.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CaseEngine, evaluateCase, type Evaluation } from "../../src/cases/engine";
import type { RulesPin } from "../../src/cases/policy";
import type { CaseEvent } from "../../src/cases/state";
import type { CaseKey, NormalizedEvent } from "../../src/events/model";
import { RulesDocument, type RulesDocumentInput } from "../../src/rules/schema";

const MIN = 60_000;
const T0 = Date.parse("2026-12-04T15:30:00Z"); // a Friday afternoon: business hours end soon

const OFFICE = { timeZone: "Europe/Berlin", week: Object.fromEntries(["mon", "tue", "wed", "thu", "fri"].map((d) => [d, [["09:00", "17:00"]]])) };

const V1: RulesDocumentInput = {
  calendars: { office: OFFICE },
  channels: { team: { type: "slack", webhookUrl: "https://hooks.slack.com/services/T/B/x" }, lead: { type: "slack", webhookUrl: "https://hooks.slack.com/services/T/B/y" } },
  policies: [
    { name: "VIP", when: { tags: { any: ["vip"] } }, targets: { firstReply: { byPriority: { normal: "20m", urgent: "10m", high: "15m", low: "1h" }, warnings: ["5m"] }, nextReply: { byPriority: { normal: "30m" } } }, notify: ["lead"] },
    {
      name: "Chat",
      when: { channels: ["chat"], priorities: ["urgent", "high"] },
      targets: { firstReply: { calendar: "office", byPriority: { urgent: "15m", high: "1h" }, warnings: ["5m", "10m"], pauseOn: ["pending"] }, periodicUpdate: { byPriority: { urgent: "2h", high: "4h" } } },
      notify: ["team"],
      escalations: [{ level: 1, after: "10m", channels: ["lead"], message: "take it" }, { level: 2, after: "1h", channels: ["lead"], message: "now" }],
    },
    {
      name: "Default",
      targets: {
        firstReply: { calendar: "office", byPriority: { normal: "2h", urgent: "30m", low: "8h" }, warnings: ["30m"], pauseOn: ["pending", "on-hold"] },
        nextReply: { calendar: "office", byPriority: { normal: "4h", urgent: "1h" } },
        resolution: { byPriority: { normal: "3d", urgent: "1d" }, warnings: ["4h"] },
      },
      notify: ["team"],
    },
  ],
  playbook: { goingInCircles: { customerMessages: 3, reopenings: 1 }, shipmentDelay: { signals: { noScanFor: "2h", labelNotShippedFor: "1d" }, updateEvery: "3h" } },
};
// The version an admin applies to open cases mid-way: tighter targets, another calendar.
const V2: RulesDocumentInput = {
  ...V1,
  policies: [{ name: "Everything", targets: { firstReply: { byPriority: { normal: "1h", urgent: "5m", high: "20m", low: "3h" }, warnings: ["10m"] }, nextReply: { calendar: "office", byPriority: { normal: "1h" } } }, notify: ["team"] }],
  playbook: { goingInCircles: { customerMessages: 2 }, disputeRisk: { words: ["refund", "chargeback"] } },
};
const DOC1 = RulesDocument.parse(V1);
const DOC2 = RulesDocument.parse(V2);

const TICKET: CaseKey = { type: "ticket", provider: "zendesk", ticketId: "42" };
const PARCEL: CaseKey = { type: "shipment", carrier: "ups", trackingNumber: "1Z999" };

const TICKET_KINDS = ["case.opened", "case.customer_message", "case.agent_reply", "case.agent_note", "case.status_changed", "case.priority_changed", "case.tags_changed", "case.assignment_changed", "case.rating", "case.callback_promised", "case.callback_done", "case.snoozed"] as const;
const SHIPMENT_KINDS = ["shipment.label_created", "shipment.in_transit", "shipment.out_for_delivery", "shipment.delivery_failed", "shipment.exception", "shipment.eta_later", "shipment.delivered", "case.agent_reply", "case.status_changed"] as const;

interface Draw {
  /** Minutes after T0 (in a draw: after the previous arrival). */
  minute: number;
  kind: NormalizedEvent["kind"];
  status?: NormalizedEvent["status"];
  priority?: NormalizedEvent["priority"];
  channel?: NormalizedEvent["channel"];
  tags?: string[];
  body?: string;
  score: "good" | "bad";
  callbackId: number;
}

/**
 * Minutes after the previous arrival's: mostly later, as providers send, often the same instant
 * (several changes of one save), sometimes earlier (a retry of an old delivery).
 */
const gap = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 240 }) },
  { weight: 2, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.integer({ min: -600, max: -1 }) },
);

const draw = (kinds: readonly NormalizedEvent["kind"][]) =>
  fc.record(
    {
      minute: gap,
      kind: fc.constantFrom(...kinds),
      status: fc.constantFrom("open", "pending", "on-hold", "solved", "closed"),
      priority: fc.constantFrom("low", "normal", "high", "urgent"),
      channel: fc.constantFrom("email", "chat"),
      tags: fc.subarray(["vip", "dispute", "callback", "billing"]),
      body: fc.constantFrom("where is my parcel", "I want a refund now", "this is a chargeback", "thanks"),
      score: fc.constantFrom("good", "bad"),
      callbackId: fc.integer({ min: 1, max: 3 }),
    },
    { requiredKeys: ["minute", "kind", "score", "callbackId"] },
  );

function toEvent(d: Draw, i: number, key: CaseKey): CaseEvent {
  const at = T0 + d.minute * MIN;
  const event: NormalizedEvent = {
    storeId: "st_x",
    provider: "zendesk",
    providerEventId: `e${i}`,
    occurredAt: new Date(at).toISOString(),
    caseKey: key,
    kind: d.kind,
    ...(d.status ? { status: d.status } : {}),
    ...(d.priority ? { priority: d.priority } : {}),
    ...(d.channel ? { channel: d.channel } : {}),
    ...(d.tags ? { tags: d.tags } : {}),
    ...(d.body ? { body: d.body } : {}),
    ...(d.kind === "case.rating" ? { rating: { score: d.score } } : {}),
    ...(d.kind === "case.callback_promised" ? { callback: { id: `cb${d.callbackId}`, at: new Date(at + 30 * MIN).toISOString() } } : {}),
    ...(d.kind === "case.callback_done" ? { callback: { id: `cb${d.callbackId}` } } : {}),
    ...(d.kind === "case.snoozed" ? { snoozeUntil: new Date(at + 45 * MIN).toISOString() } : {}),
    ...(d.kind.startsWith("shipment.") ? { shipment: { carrier: "ups", trackingNumber: "1Z999", estimatedDelivery: new Date(at + (d.callbackId * 600 - 300) * MIN).toISOString(), reason: `scan ${i}` } } : {}),
  };
  return { eventId: `zendesk:e${i}`, occurredAt: at, event };
}

/** A case's events in arrival order, the instants evaluations happen at, and where a new rules version starts. */
const scenario = (key: CaseKey, kinds: readonly NormalizedEvent["kind"][]) =>
  fc.record({
    draws: fc.array(draw(kinds), { minLength: 1, maxLength: 30, size: "medium" }),
    /** After which arrivals the case is evaluated, beyond the last one (a case re-plans on most). */
    evaluateAfter: fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }).map((xs) => xs.flatMap((x, i) => (x ? [i] : []))),
    /**
     * Arrival index after which version 2 is applied, and when it starts, in minutes after the
     * latest event so far (an admin applies it "from now", and providers' clocks differ); null: never.
     */
    secondPin: fc.option(fc.record({ after: fc.integer({ min: 0, max: 23 }), minute: fc.integer({ min: -120, max: 120 }) }), { nil: null }),
    /** How long after the latest event an evaluation looks. */
    lookMinutes: fc.integer({ min: 0, max: 3000 }),
  }).map((s) => {
    let minute = 0;
    return { ...s, events: s.draws.map((d, i) => toEvent({ ...d, minute: (minute = Math.max(0, minute + d.minute)) }, i, key)) };
  });

/** An engine over a log standing in for the case's storage, counting how often it is read. */
function storedCase() {
  const log: CaseEvent[] = [];
  let reads = 0;
  const engine = new CaseEngine(() => {
    reads += 1;
    return log;
  });
  return {
    log,
    engine,
    reads: () => reads,
    /** As the case object does: the event is stored first, then handed to the engine. */
    arrive(e: CaseEvent) {
      log.push(e);
      engine.add(e);
    },
  };
}

/** Both ways of folding must come up, or the comparison proves nothing. */
const paths = { fromScratch: 0, onto: 0 };

/** Replays arrivals into one engine, keeping what a case keeps of its timer table (keys planned, some fired). */
function replay(s: { events: CaseEvent[]; evaluateAfter: number[]; secondPin: { after: number; minute: number } | null; lookMinutes: number }): void {
  const seen: CaseEvent[] = [];
  const engine = new CaseEngine(() => seen);
  let pins: RulesPin[] = [{ version: 1, from: 0, document: DOC1 }];
  const known = new Set<string>();
  const fired = new Set<string>();
  const handedOut: { ev: Evaluation; copy: Evaluation }[] = [];
  s.events.forEach((e, i) => {
    seen.push(e);
    engine.add(e);
    const latest = Math.max(...seen.map((x) => x.occurredAt));
    if (s.secondPin && s.secondPin.after === i) pins = [...pins, { version: 2, from: latest + s.secondPin.minute * MIN, document: DOC2 }];
    if (!s.evaluateAfter.includes(i) && i !== s.events.length - 1) return;
    const now = latest + s.lookMinutes * MIN;
    const input = { pins, now, fired: new Set(fired), known: new Set(known) };
    const folded = engine.evaluate(input);
    expect(folded).toEqual(evaluateCase({ ...input, events: [...seen].reverse() }));
    for (const t of folded!.timers) {
      known.add(t.key);
      if (t.dueAt <= now && t.key.length % 2 === 0) fired.add(t.key);
    }
    handedOut.push({ ev: folded!, copy: structuredClone(folded!) });
  });
  for (const { ev, copy } of handedOut) expect(ev).toEqual(copy);
  paths.fromScratch += engine.folds.fromScratch;
  paths.onto += engine.folds.onto;
}

function bothPathsTaken(run: () => void): void {
  paths.fromScratch = 0;
  paths.onto = 0;
  run();
  expect(paths.onto).toBeGreaterThan(100);
  expect(paths.fromScratch).toBeGreaterThan(100);
}

describe("the case engine folds new events onto old ones", () => {
  it("a ticket: every evaluation equals folding all events so far from scratch, whatever the arrival order", () => {
    bothPathsTaken(() => fc.assert(fc.property(scenario(TICKET, TICKET_KINDS), replay), { numRuns: 300 }));
  });

  it("a ticket first seen mid-life (no opening) that is opened explicitly later", () => {
    const kinds = TICKET_KINDS.filter((k) => k !== "case.opened");
    bothPathsTaken(() => fc.assert(
      fc.property(scenario(TICKET, kinds), fc.integer({ min: 0, max: 29 }), fc.integer({ min: 0, max: 4000 }), (s, at, minute) => {
        const opening = toEvent({ minute, kind: "case.opened", status: "open", score: "good", callbackId: 1 }, 99, TICKET);
        const events = [...s.events];
        events.splice(Math.min(at, events.length), 0, opening);
        replay({ ...s, events });
      }),
      { numRuns: 150 },
    ));
  });

  it("a parcel: scans, delays, contact and delivery", () => {
    bothPathsTaken(() => fc.assert(fc.property(scenario(PARCEL, SHIPMENT_KINDS), replay), { numRuns: 200 }));
  });

  it("events in order are folded once each, and still agree with a fold from scratch", () => {
    // The common case, made explicit: one event a minute, each evaluated as it comes.
    const stored = storedCase();
    const pins: RulesPin[] = [{ version: 1, from: 0, document: DOC1 }];
    for (let i = 0; i < 400; i++) {
      const kind = i === 0 ? "case.opened" : i % 4 === 0 ? "case.agent_reply" : "case.customer_message";
      const e = toEvent({ minute: i, kind, status: i % 50 === 25 ? "solved" : "open", priority: i < 200 ? "normal" : "urgent", score: "good", callbackId: 1 }, i, TICKET);
      stored.arrive(e);
      const ev = stored.engine.evaluate({ pins, now: e.occurredAt });
      if (i % 97 === 0 || i === 399) expect(ev).toEqual(evaluateCase({ events: stored.log, pins, now: e.occurredAt }));
    }
    expect(stored.engine.folds).toEqual({ fromScratch: 1, onto: 399 });
    // The case object's log is read from storage once, not per webhook.
    expect(stored.reads()).toBe(1);
  });

  it("a late event has the log read again; events after it are folded onto that", () => {
    const stored = storedCase();
    const pins: RulesPin[] = [{ version: 1, from: 0, document: DOC1 }];
    const arrive = (minute: number, i: number, kind: CaseEvent["event"]["kind"]) => {
      const e = toEvent({ minute, kind, status: "open", score: "good", callbackId: 1 }, i, TICKET);
      stored.arrive(e);
      const now = 100 * MIN + e.occurredAt;
      return { ev: stored.engine.evaluate({ pins, now }), reference: evaluateCase({ events: stored.log, pins, now }) };
    };
    arrive(0, 0, "case.opened");
    arrive(10, 1, "case.customer_message");
    arrive(20, 2, "case.customer_message");
    expect(stored.reads()).toBe(1);
    // A provider retry of a message sent at minute 5, delivered after the one of minute 20.
    const late = arrive(5, 3, "case.customer_message");
    expect(stored.reads()).toBe(2);
    expect(late.ev).toEqual(late.reference);
    const next = arrive(30, 4, "case.agent_reply");
    expect(stored.reads()).toBe(2);
    expect(next.ev).toEqual(next.reference);
    expect(stored.engine.folds).toEqual({ fromScratch: 2, onto: 3 });
  });
});
