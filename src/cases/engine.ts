/**
 * The case engine: events + rules + now → state, SLA clocks and the timers the case needs.
 * Pure; the SupportCase Durable Object and the rules dry-run both run exactly this code, so a
 * dry-run shows what a real case would do.
 */
import { foldClocks, clockEventOf, type ClockEvent, type ClockState, type SlaPolicy } from "../sla/index";
import type { RulesDocument } from "../rules/schema";
import { parsePolicyId, policyTimeline, slaPolicyOf, type PolicySpan, type RulesPin } from "./policy";
import { planTimers, type PlannedTimer } from "./plan";
import { type CaseEvent, type CaseState, foldCaseState, sortCaseEvents } from "./state";

export interface Evaluation {
  state: CaseState;
  clocks: ClockState;
  spans: PolicySpan[];
  timers: PlannedTimer[];
}

export interface EvaluateInput {
  events: readonly CaseEvent[];
  pins: readonly RulesPin[];
  now: number;
  fired?: ReadonlySet<string>;
  known?: ReadonlySet<string>;
}

/** Builds a resolver that turns `v<version>:<index>` policy ids back into SLA targets. */
function resolverFor(pins: readonly RulesPin[]): (id: string) => SlaPolicy | undefined {
  const cache = new Map<string, SlaPolicy>();
  return (id) => {
    const hit = cache.get(id);
    if (hit) return hit;
    const parsed = parsePolicyId(id);
    const pin = parsed && pins.find((p) => p.version === parsed.version);
    if (!parsed || !pin || !pin.document.policies[parsed.index]) return undefined;
    const policy = slaPolicyOf(pin.document, parsed.version, parsed.index);
    cache.set(id, policy);
    return policy;
  };
}

/**
 * The clock events one case event contributes, kept per event object: a case object keeps its
 * events as the same objects between evaluations, and deriving them again (a date parse and a
 * few objects per event, per re-plan) showed in profiles of long cases. Clock events are never
 * modified once made.
 */
const clockEventsMemo = new WeakMap<CaseEvent, readonly ClockEvent[]>();

function clockEventsOf(e: CaseEvent): readonly ClockEvent[] {
  const hit = clockEventsMemo.get(e);
  if (hit) return hit;
  const out: ClockEvent[] = [];
  const ce = clockEventOf(e.event);
  if (ce) out.push(ce);
  // Snapshot events carry the status and priority alongside their own kind.
  if (e.event.kind !== "case.status_changed" && e.event.kind !== "case.opened" && e.event.status) {
    out.push({ type: "case.status_changed", at: e.occurredAt, id: `${e.eventId}#status`, status: e.event.status });
  }
  if (e.event.kind !== "case.priority_changed" && e.event.kind !== "case.opened" && e.event.priority) {
    out.push({ type: "case.priority_changed", at: e.occurredAt, id: `${e.eventId}#priority`, priority: e.event.priority });
  }
  clockEventsMemo.set(e, out);
  return out;
}

export function evaluateCase(input: EvaluateInput): Evaluation | null {
  const events = sortCaseEvents(input.events);
  const state = foldCaseState(events);
  if (!state) return null;
  const { spans, policyEvents } = policyTimeline(events, input.pins);
  const clockEvents: ClockEvent[] = [...policyEvents];
  // A ticket we first hear about mid-life (no "opened" in the log) is watched from then on.
  if (state.type === "ticket" && !state.openedExplicitly) {
    const first = events[0]!;
    clockEvents.push({ type: "case.opened", at: first.occurredAt, id: "promptly:first-seen", ...(first.event.status ? { status: first.event.status } : {}), ...(first.event.priority ? { priority: first.event.priority } : {}) });
  }
  for (const e of events) clockEvents.push(...clockEventsOf(e));
  const clocks = foldClocks(clockEvents, resolverFor(input.pins), input.now);
  const timers = planTimers({
    state,
    events,
    clocks,
    spans,
    pins: input.pins,
    now: input.now,
    fired: input.fired ?? new Set(),
    known: input.known ?? new Set(),
  });
  return { state, clocks, spans, timers };
}

/** The zone reminders of a case show times in: the rule's calendar, else quiet hours, else UTC. */
export function displayZone(doc: RulesDocument, timer?: PlannedTimer): string {
  const zoneOf = (name: string | undefined) => (name && name !== "24/7" ? doc.calendars[name]?.timeZone : undefined);
  const fromRule = (() => {
    if (!timer) return undefined;
    const path = timer.rule.path;
    const m = /^policies\[(\d+)\]\.targets\.(\w+)/.exec(path);
    if (m) {
      const spec = doc.policies[Number(m[1])]?.targets[m[2] as keyof RulesDocument["policies"][number]["targets"]];
      return zoneOf(spec?.calendar);
    }
    if (path.startsWith("playbook.badRating")) return zoneOf(doc.playbook.badRating.calendar);
    if (path.startsWith("playbook.shipmentDelay")) return zoneOf(doc.playbook.shipmentDelay.calendar);
    return undefined;
  })();
  const firstPolicyZone = doc.policies
    .flatMap((p) => Object.values(p.targets))
    .map((t) => zoneOf(t?.calendar))
    .find((z) => z !== undefined);
  return fromRule ?? zoneOf(doc.quietHours?.calendar) ?? firstPolicyZone ?? Object.values(doc.calendars)[0]?.timeZone ?? "UTC";
}
