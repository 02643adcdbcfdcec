/**
 * Re-plan cost per case length: what the case engine spends on one webhook of a case that already
 * holds N events (fold the new event on, then plan its timers), next to folding all N events from
 * scratch (what every webhook cost before the engine kept its fold, and what a late event or a new
 * rules version still costs). Default rules; a conversation of customer messages with an agent
 * reply every fourth event. Node, performance.now(); median of timed batches.
 */
import { CaseEngine, evaluateCase } from "../src/cases/engine";
import type { RulesPin } from "../src/cases/policy";
import type { CaseEvent } from "../src/cases/state";
import { DEFAULT_RULES } from "../src/rules/schema";

const T0 = Date.parse("2026-12-01T09:00:00Z");
const MINUTE = 60_000;
export const CASE_LENGTHS = [10, 100, 300, 1000] as const;
const BATCHES = 15;
const PER_BATCH = 40;

function eventAt(i: number): CaseEvent {
  const at = T0 + i * MINUTE;
  const kind = i === 0 ? "case.opened" : i % 4 === 0 ? "case.agent_reply" : "case.customer_message";
  return {
    eventId: `zendesk:e${i}`,
    occurredAt: at,
    event: { storeId: "st_bench", provider: "zendesk", providerEventId: `e${i}`, occurredAt: new Date(at).toISOString(), caseKey: { type: "ticket", provider: "zendesk", ticketId: "1" }, kind, channel: "email", status: "open", priority: "normal", tags: ["order"], body: "Where is my order? It has been days." },
  };
}

function medianMicros(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export interface ReplanRow {
  events: number;
  /** The case's length over the timed "one new event" calls: it grows as they add events. */
  timedFrom: number;
  timedTo: number;
  fromScratchMicros: number;
  oneNewEventMicros: number;
}

export function benchReplan(): { rows: ReplanRow[]; batches: number; perBatch: number } {
  const pins: RulesPin[] = [{ version: 1, from: 0, document: DEFAULT_RULES }];
  const rows: ReplanRow[] = [];
  // Warm the JIT on both paths first, so the first row is not paying for compilation.
  const warmLog = Array.from({ length: 50 }, (_, i) => eventAt(i));
  const warm = new CaseEngine(() => warmLog);
  for (let i = 50; i < 3000; i++) {
    warmLog.push(eventAt(i));
    warm.add(warmLog[warmLog.length - 1]!);
    warm.evaluate({ pins, now: T0 + i * MINUTE });
    if (i % 100 === 0) evaluateCase({ events: Array.from({ length: 50 }, (_, j) => eventAt(j)), pins, now: T0 + 50 * MINUTE });
  }
  for (const n of CASE_LENGTHS) {
    const events = Array.from({ length: n }, (_, i) => eventAt(i));
    const now = T0 + n * MINUTE;
    for (let i = 0; i < 20; i++) evaluateCase({ events, pins, now }); // warm-up
    const scratch: number[] = [];
    for (let b = 0; b < BATCHES; b++) {
      const t = performance.now();
      for (let i = 0; i < PER_BATCH; i++) evaluateCase({ events, pins, now });
      scratch.push(((performance.now() - t) * 1000) / PER_BATCH);
    }
    // One engine per case, as a case object keeps: each timed call is one webhook's new event.
    // The case grows by 20 + BATCHES × PER_BATCH events while timed (620: from 10 to 630 events in
    // the first row), so each row reports the range it was timed over, not only where it started.
    // `log` stands in for the case's storage, which the engine reads only to fold from scratch.
    const log = events.slice();
    const engine = new CaseEngine(() => log);
    engine.evaluate({ pins, now });
    let next = n;
    for (let i = 0; i < 20; i++, next++) {
      log.push(eventAt(next));
      engine.add(log[log.length - 1]!);
      engine.evaluate({ pins, now: T0 + next * MINUTE });
    }
    const incremental: number[] = [];
    for (let b = 0; b < BATCHES; b++) {
      const batch = Array.from({ length: PER_BATCH }, (_, i) => eventAt(next + i));
      const t = performance.now();
      for (const e of batch) {
        log.push(e);
        engine.add(e);
        engine.evaluate({ pins, now: e.occurredAt });
      }
      incremental.push(((performance.now() - t) * 1000) / PER_BATCH);
      next += PER_BATCH;
    }
    if (engine.folds.fromScratch !== 1) throw new Error(`the engine folded from scratch ${engine.folds.fromScratch} times on in-order events`);
    rows.push({ events: n, timedFrom: n + 20, timedTo: next, fromScratchMicros: medianMicros(scratch), oneNewEventMicros: medianMicros(incremental) });
  }
  return { rows, batches: BATCHES, perBatch: PER_BATCH };
}
