/**
 * One case of a backtest: its real history replayed in virtual time twice, under the rules it
 * actually ran with (its pins, so a version later rolled back or superseded still applies where it
 * applied) and under the draft, and what differs. Pure: the case object hands in its events and
 * pins; nothing is stored and nothing is sent.
 *
 * What counts, per side, within the window [from, until]:
 * - SLA cycles, one per activation of a metric's clock: **met** when fulfilled with no breach
 *   (counted at the instant it was fulfilled), **missed** once breached (counted at the breach,
 *   whether it was fulfilled late later or is still open at `until`). A cycle still running and
 *   not yet due at `until` is neither.
 * - Reminders, by kind, at the instant they would have fired; a normal-urgency one that fired
 *   while the rules' quiet hours were closed counts as "during quiet hours" (it would have been
 *   held for the digest); escalations are also counted per level.
 */
import { displayZone } from "../cases/engine";
import { pinAt, type RulesPin } from "../cases/policy";
import { runInVirtualTime } from "../cases/simulate";
import type { CaseEvent } from "../cases/state";
import { quietUntil } from "../notify/plan";
import type { RulesDocument } from "../rules/schema";
import { SlaMetric } from "../sla/model";

export interface Cycle {
  metric: SlaMetric;
  /** Which activation of this metric, from 0, so the two sides can be compared cycle by cycle. */
  n: number;
  startedAt: number;
  breachedAt: number | null;
  fulfilledAt: number | null;
  outcome: "met" | "missed" | "running";
}

export interface SideCounts {
  byMetric: Partial<Record<SlaMetric, { cycles: number; met: number; missed: number }>>;
  reminders: { total: number; byKind: Record<string, number>; duringQuietHours: number; escalationsByLevel: Record<string, number> };
}

export interface CaseReplay {
  caseId: string;
  current: SideCounts;
  draft: SideCounts;
  /** The first difference in words, or null when the draft changes nothing for this case. */
  change: string | null;
  /** When that difference happened (for ordering the changed list). */
  changeAt: number | null;
}

interface Side {
  cycles: Cycle[];
  reminders: { kind: string; at: number; level: number | undefined; quiet: boolean }[];
  zone: string;
}

/** Guard against a pathological history: a backtest of one case never sends more than this many reminders through the engine. */
const MAX_REMINDERS_PER_CASE = 2_000;

function replaySide(storeId: string, caseId: string, events: readonly CaseEvent[], pins: readonly RulesPin[], until: number): Side {
  const run = runInVirtualTime({ storeId, caseId, events, pins, until, maxReminders: MAX_REMINDERS_PER_CASE, zone: (timer) => displayZone(pinAt(pins, timer.dueAt).document, timer) });
  const cycles: Cycle[] = [];
  const open = new Map<SlaMetric, Cycle>();
  const count = new Map<SlaMetric, number>();
  for (const m of run.last?.clocks.timeline ?? []) {
    if (m.type === "activate") {
      const n = count.get(m.metric) ?? 0;
      count.set(m.metric, n + 1);
      const c: Cycle = { metric: m.metric, n, startedAt: m.at, breachedAt: null, fulfilledAt: null, outcome: "running" };
      cycles.push(c);
      open.set(m.metric, c);
    } else if (m.type === "breach") {
      const c = open.get(m.metric);
      if (c && c.breachedAt === null) {
        c.breachedAt = m.at;
        c.outcome = "missed";
      }
    } else if (m.type === "fulfill") {
      const c = open.get(m.metric);
      if (c) {
        c.fulfilledAt = m.at;
        if (c.outcome === "running") c.outcome = "met";
        open.delete(m.metric);
      }
    }
  }
  const reminders = run.fired.map(({ timer, reminder, at }) => ({ kind: timer.kind, at, level: timer.level, quiet: quietUntil(reminder, pinAt(pins, at).document, at) !== null }));
  const lastPin = pins[pins.length - 1];
  return { cycles, reminders, zone: lastPin ? displayZone(lastPin.document) : "UTC" };
}

/** When a cycle's outcome was decided: a met cycle when it was fulfilled, a missed one at its breach. */
export function decidedAt(c: Cycle): number | null {
  return c.outcome === "met" ? c.fulfilledAt : c.outcome === "missed" ? c.breachedAt : null;
}

function counts(side: Side, from: number, until: number): SideCounts {
  const inWindow = (t: number | null): t is number => t !== null && t >= from && t <= until;
  const byMetric: SideCounts["byMetric"] = {};
  for (const c of side.cycles) {
    if (!inWindow(decidedAt(c))) continue;
    const m = (byMetric[c.metric] ??= { cycles: 0, met: 0, missed: 0 });
    m.cycles += 1;
    if (c.outcome === "met") m.met += 1;
    else m.missed += 1;
  }
  const reminders: SideCounts["reminders"] = { total: 0, byKind: {}, duringQuietHours: 0, escalationsByLevel: {} };
  for (const r of side.reminders) {
    if (!inWindow(r.at)) continue;
    reminders.total += 1;
    reminders.byKind[r.kind] = (reminders.byKind[r.kind] ?? 0) + 1;
    if (r.quiet) reminders.duringQuietHours += 1;
    if (r.kind.endsWith(".escalation") && r.level !== undefined) reminders.escalationsByLevel[String(r.level)] = (reminders.escalationsByLevel[String(r.level)] ?? 0) + 1;
  }
  return { byMetric, reminders };
}

const METRIC_WORDS: Record<SlaMetric, { name: string; done: string }> = {
  first_reply: { name: "first reply", done: "replied" },
  next_reply: { name: "next reply", done: "replied" },
  periodic_update: { name: "periodic update", done: "updated" },
  resolution: { name: "resolution", done: "solved" },
};

function timeIn(zone: string): (t: number) => string {
  const f = new Intl.DateTimeFormat("en-GB", { timeZone: zone, day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  return (t) => f.format(t);
}

/** The first cycle whose outcome differs (by the instant it was decided on either side), in words. */
function firstCycleChange(current: Side, draft: Side, from: number, until: number): { at: number; words: string } | null {
  const at = timeIn(current.zone);
  const key = (c: Cycle) => `${c.metric}#${c.n}`;
  const drafts = new Map(draft.cycles.map((c) => [key(c), c]));
  const currents = new Map(current.cycles.map((c) => [key(c), c]));
  const changes: { at: number; words: string }[] = [];
  const inWindow = (t: number | null) => t !== null && t >= from && t <= until;
  for (const k of new Set([...currents.keys(), ...drafts.keys()])) {
    const c = currents.get(k);
    const d = drafts.get(k);
    const metric = (c ?? d)!.metric;
    const w = METRIC_WORDS[metric];
    const cOut = c?.outcome ?? "none";
    const dOut = d?.outcome ?? "none";
    if (cOut === dOut) continue;
    const when = Math.min(...[c && decidedAt(c), d && decidedAt(d)].filter((t): t is number => typeof t === "number"), Infinity);
    if (!inWindow(Number.isFinite(when) ? when : null)) continue;
    const done = (x: Cycle | undefined) => (x?.fulfilledAt != null ? `${w.done} ${at(x.fulfilledAt)}` : `not ${w.done} by ${at(until)}`);
    let words: string;
    if (dOut === "missed") words = `${w.name} missed under the draft: due ${at(d!.breachedAt!)}, ${done(d)}${cOut === "met" ? " (met under the current rules)" : ""}`;
    else if (cOut === "missed") words = `${w.name} ${dOut === "met" ? "met" : dOut === "running" ? "still within its target" : "not measured"} under the draft, ${done(d ?? c)}; missed under the current rules (due ${at(c!.breachedAt!)})`;
    else if (dOut === "none") words = `${w.name} has no target under the draft (${cOut} under the current rules)`;
    else words = `${w.name} ${dOut} under the draft (${cOut === "none" ? "no target" : cOut} under the current rules)`;
    changes.push({ at: when, words });
  }
  changes.sort((a, b) => a.at - b.at);
  return changes[0] ?? null;
}

/** The first reminder one side sends and the other does not, in words. */
function firstReminderChange(current: Side, draft: Side, from: number, until: number): { at: number; words: string } | null {
  const at = timeIn(current.zone);
  const inWindow = (r: { at: number }) => r.at >= from && r.at <= until;
  const bag = (side: Side) => {
    const m = new Map<string, number[]>();
    for (const r of side.reminders.filter(inWindow)) m.set(r.kind, [...(m.get(r.kind) ?? []), r.at]);
    return m;
  };
  const c = bag(current);
  const d = bag(draft);
  const diffs: { at: number; words: string }[] = [];
  for (const kind of new Set([...c.keys(), ...d.keys()])) {
    const cs = c.get(kind) ?? [];
    const ds = d.get(kind) ?? [];
    if (ds.length > cs.length) diffs.push({ at: ds[cs.length]!, words: `${ds.length - cs.length} more "${kind}" reminder${ds.length - cs.length === 1 ? "" : "s"} under the draft (the first at ${at(ds[cs.length]!)})` });
    else if (cs.length > ds.length) diffs.push({ at: cs[ds.length]!, words: `${cs.length - ds.length} fewer "${kind}" reminder${cs.length - ds.length === 1 ? "" : "s"} under the draft (the current rules sent one at ${at(cs[ds.length]!)})` });
  }
  diffs.sort((a, b) => a.at - b.at);
  return diffs[0] ?? null;
}

export interface ReplayInput {
  storeId: string;
  caseId: string;
  events: readonly CaseEvent[];
  /** The versions the case ran under, as its object holds them. */
  pins: readonly RulesPin[];
  draft: RulesDocument;
  /** The version the draft would become if saved now (its policies' ids carry it). */
  draftVersion: number;
  from: number;
  until: number;
}

export function replayCase(input: ReplayInput): CaseReplay {
  const draftPins: RulesPin[] = [{ version: input.draftVersion, from: 0, document: input.draft }];
  const current = replaySide(input.storeId, input.caseId, input.events, input.pins, input.until);
  const draft = replaySide(input.storeId, input.caseId, input.events, draftPins, input.until);
  const change = firstCycleChange(current, draft, input.from, input.until) ?? firstReminderChange(current, draft, input.from, input.until);
  return { caseId: input.caseId, current: counts(current, input.from, input.until), draft: counts(draft, input.from, input.until), change: change?.words ?? null, changeAt: change?.at ?? null };
}

export { SlaMetric };
