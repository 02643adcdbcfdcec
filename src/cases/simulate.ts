/**
 * Dry-run: what a rules document would do to a sequence of events, without touching any state.
 *
 * It runs the same engine as the SupportCase object, in virtual time: events are applied at
 * their own timestamps, and every timer fires exactly at its due instant (the real object fires
 * within about a second). Events that share an instant with a due timer are applied first, as in
 * the real object, where a reply at the deadline is on time. Pure.
 */
import { caseIdOf, type NormalizedEvent } from "../events/model";
import type { RulesDocument } from "../rules/schema";
import type { Language } from "../i18n";
import { reminderIn } from "../notify/localize";
import type { Reminder } from "../notify/reminder";
import type { PlannedTimer } from "./plan";
import { channelLanguage, reminderLanguages } from "../rules/language";
import { CaseEngine, displayZone, type Evaluation } from "./engine";
import type { RulesPin } from "./policy";
import { buildReminder } from "./reminder-text";
import { clockView } from "./view";
import type { CaseEvent } from "./state";

export interface SimulationInput {
  storeId: string;
  rules: RulesDocument;
  rulesVersion: number;
  events: NormalizedEvent[];
  /** Stop simulating at this instant (epoch ms). Default: 14 days after the last event. */
  until?: number;
}

export interface SimulatedReminder {
  at: string;
  caseId: string;
  kind: string;
  urgency: Reminder["urgency"];
  title: string;
  nextAction: string;
  details: string[];
  dueAt: string;
  channels: string[];
  rule: Reminder["rule"];
  /** The reminder's idempotency key, as the real case would send it. */
  reminderId: string;
  /** The language of `title`, `nextAction` and `details`: the store's. */
  language: Language;
  /** What each of its channels would read, in that channel's language. */
  byChannel: { channel: string; language: Language; title: string; nextAction: string; details: string[] }[];
}

export interface SimulatedCase {
  caseId: string;
  /** The policy in force at the end, and every change of policy with the instant it applied. */
  policy: { name: string; index: number } | null;
  policyChanges: { at: string; policy: { name: string; index: number } | null }[];
  /** Clocks as of the end of the simulation. */
  clocks: {
    metric: string;
    status: string;
    startedAt: string;
    dueAt: string | null;
    targetMs: number;
    usedMs: number;
    remainingMs: number;
    breachedAt: string | null;
    fulfilledAt: string | null;
    /** Every instant the case would have been woken at for this clock (warnings, due, escalations). */
    wakeups: { kind: string; level: number; at: string }[];
  }[];
  metricEvents: { metric: string; type: string; at: string }[];
  /** Timers still pending when the simulation stopped. */
  pending: { key: string; kind: string; dueAt: string; why: string }[];
}

export interface SimulationResult {
  until: string;
  cases: SimulatedCase[];
  /** Every reminder, in time order. */
  reminders: SimulatedReminder[];
  /** True when the simulation stopped at the reminder cap before `until`. */
  truncated: boolean;
}

const MAX_REMINDERS = 500;
const DEFAULT_HORIZON_MS = 14 * 86_400_000;
const iso = (t: number): string => new Date(t).toISOString();

export interface VirtualRunInput {
  storeId: string;
  caseId: string;
  events: readonly CaseEvent[];
  pins: readonly RulesPin[];
  /** Stop at this instant (epoch ms): nothing after it is folded or fired. */
  until: number;
  /** Stop after this many reminders (`truncated`). */
  maxReminders: number;
  /** The zone a reminder's times are written in. */
  zone: (timer: PlannedTimer) => string;
  /** The languages its words are written in (the dry-run shows each channel's); English when left out. */
  languages?: (timer: PlannedTimer) => Language[];
}

export interface VirtualRun {
  /** The case as of the end of the run (null when no rules applied to it). */
  last: Evaluation | null;
  /** Every timer that fired, at its due instant, with the reminder the case would have sent. */
  fired: { timer: PlannedTimer; reminder: Reminder; at: number }[];
  truncated: boolean;
}

/**
 * One case in virtual time: events are folded as the simulated clock reaches them, and every
 * timer fires exactly at its due instant, with the same engine a case object keeps (`arrived`
 * stands in for the case's storage). Used by the dry-run and by the backtest.
 */
export function runInVirtualTime(input: VirtualRunInput): VirtualRun {
  const events = [...input.events].sort((a, b) => a.occurredAt - b.occurredAt).filter((e) => e.occurredAt <= input.until);
  const out: VirtualRun = { last: null, fired: [], truncated: false };
  if (events.length === 0) return out;
  const pins = input.pins;
  const fired = new Set<string>();
  const known = new Set<string>();
  let t = events[0]!.occurredAt;
  const arrived: CaseEvent[] = [];
  const engine = new CaseEngine(() => arrived);
  for (let guard = 0; guard < 5000; guard++) {
    while (arrived.length < events.length && events[arrived.length]!.occurredAt <= t) {
      const e = events[arrived.length]!;
      arrived.push(e);
      engine.add(e);
    }
    const ev = engine.evaluate({ pins, now: t, fired, known });
    if (!ev) break;
    out.last = ev;
    for (const timer of ev.timers) known.add(timer.key);
    const due = ev.timers.filter((x) => x.dueAt <= t);
    for (const timer of due) {
      fired.add(timer.key);
      const reminder = buildReminder({ storeId: input.storeId, caseId: input.caseId, state: ev.state, timer, firedAt: timer.dueAt, timeZone: input.zone(timer), ...(input.languages ? { languages: input.languages(timer) } : {}) });
      out.fired.push({ timer, reminder, at: timer.dueAt });
      if (out.fired.length >= input.maxReminders) out.truncated = true;
    }
    if (out.truncated) break;
    if (due.length > 0) continue; // fired timers may plan follow-ups at the same instant
    const nextEvent = events.find((e) => e.occurredAt > t)?.occurredAt ?? Infinity;
    const nextTimer = Math.min(...ev.timers.map((x) => x.dueAt).filter((d) => d > t), Infinity);
    const next = Math.min(nextEvent, nextTimer);
    if (!Number.isFinite(next) || next > input.until) {
      // Nothing more happens before `until`: report the clocks as they stand then.
      out.last = engine.evaluate({ pins, now: Math.max(t, input.until), fired, known }) ?? out.last;
      break;
    }
    t = next;
  }
  return out;
}

export function simulateCases(input: SimulationInput): SimulationResult {
  const byCase = new Map<string, CaseEvent[]>();
  for (const [i, e] of input.events.entries()) {
    const caseId = caseIdOf(e.caseKey);
    const list = byCase.get(caseId) ?? [];
    const occurredAt = Date.parse(e.occurredAt);
    // Dedupe by provider event id, as the real case does.
    const eventId = `${e.provider}:${e.providerEventId || `dry-run-${i}`}`;
    if (!list.some((x) => x.eventId === eventId)) list.push({ eventId, occurredAt, event: { ...e, storeId: input.storeId } });
    byCase.set(caseId, list);
  }
  const lastEvent = Math.max(...input.events.map((e) => Date.parse(e.occurredAt)));
  const until = input.until ?? (Number.isFinite(lastEvent) ? lastEvent + DEFAULT_HORIZON_MS : Date.now());
  const pins: RulesPin[] = [{ version: input.rulesVersion, from: 0, document: input.rules }];
  const reminders: SimulatedReminder[] = [];
  const cases: SimulatedCase[] = [];
  let truncated = false;

  for (const [caseId, all] of byCase) {
    const run = runInVirtualTime({
      storeId: input.storeId,
      caseId,
      events: all,
      pins,
      until,
      maxReminders: MAX_REMINDERS - reminders.length,
      zone: (timer) => displayZone(input.rules, timer),
      languages: (timer) => reminderLanguages(input.rules, timer.channels),
    });
    for (const { reminder: r, at } of run.fired) {
      const byChannel = r.channels.map((channel) => {
        const seen = reminderIn(r, channelLanguage(input.rules, channel));
        return { channel, language: seen.language ?? "en", title: seen.title, nextAction: seen.nextAction, details: seen.details };
      });
      reminders.push({ at: iso(at), caseId, kind: r.kind, urgency: r.urgency, title: r.title, nextAction: r.nextAction, details: r.details, dueAt: r.dueAt, channels: r.channels, rule: r.rule, reminderId: r.id, language: r.language ?? "en", byChannel });
    }
    truncated = run.truncated;
    const last = run.last;
    if (!last) continue;
    const span = last.spans[last.spans.length - 1];
    cases.push({
      caseId,
      policy: span?.match ? { name: span.match.policy.name, index: span.match.index } : null,
      policyChanges: last.spans.map((s) => ({ at: iso(s.from), policy: s.match ? { name: s.match.policy.name, index: s.match.index } : null })),
      clocks: last.clocks.clocks.map((c) => ({ ...clockView(c), wakeups: c.wakeups.map((w) => ({ kind: w.kind, level: w.level, at: iso(w.at) })) })),
      metricEvents: last.clocks.timeline.map((m) => ({ metric: m.metric, type: m.type, at: iso(m.at) })),
      pending: last.timers.map((x) => ({ key: x.key, kind: x.kind, dueAt: iso(x.dueAt), why: x.why })),
    });
    if (truncated) break;
  }
  reminders.sort((a, b) => a.at.localeCompare(b.at) || a.caseId.localeCompare(b.caseId));
  return { until: iso(until), cases, reminders: reminders.slice(0, MAX_REMINDERS), truncated };
}
