/**
 * Which policy governs a case, and when: rules documents (admin-facing, durations as text,
 * calendars by name) turned into the SLA fold's targets (milliseconds, calendar documents).
 *
 * Pure. A case is pinned to the rules version it was opened under; when an admin applies a new
 * version to open cases, the pin changes at that instant and the clocks keep the business time
 * already used (the fold's `policy_changed`).
 */
import type { Calendar } from "../calendar/index";
import type { ProviderId } from "../events/model";
import { PROVIDERS } from "../events/model";
import { matchPolicy, type PolicyMatch } from "../rules/match";
import { ALWAYS_OPEN, METRICS, parseDuration, type CaseFacts, type Escalation, type Metric, type Policy, type RulesDocument } from "../rules/schema";
import type { ClockEvent, SlaMetric, SlaPolicy, SlaTarget } from "../sla/index";
import { applyCaseEvent, type CaseEvent, type CaseState, foldCaseState, sortCaseEvents } from "./state";

/** A rules version in force for a case from `from` on. */
export interface RulesPin {
  version: number;
  /** Epoch ms; the first pin of a case applies from the beginning (use -Infinity or 0). */
  from: number;
  document: RulesDocument;
}

export const METRIC_OF: Record<Metric, SlaMetric> = {
  firstReply: "first_reply",
  nextReply: "next_reply",
  periodicUpdate: "periodic_update",
  resolution: "resolution",
};
export const RULE_METRIC_OF: Record<SlaMetric, Metric> = {
  first_reply: "firstReply",
  next_reply: "nextReply",
  periodic_update: "periodicUpdate",
  resolution: "resolution",
};

/** A calendar by name from the document; "24/7" and unknown names count wall-clock time. */
export function calendarOf(doc: RulesDocument, name: string | undefined): Calendar {
  if (name === undefined || name === ALWAYS_OPEN) return ALWAYS_OPEN;
  return doc.calendars[name] ?? ALWAYS_OPEN;
}

/**
 * The business hours a case is held to, for warning that a promised time falls outside them:
 * the first-reply target's calendar of the policy the case matches (the hours its agents answer
 * customers in), else that policy's resolution target's calendar, else the quiet-hours calendar.
 * A target on "24/7" names no hours, so the next one is tried; null when none names any.
 */
export function businessHoursOf(doc: RulesDocument, policy: Policy | null): Calendar | null {
  const names = [policy?.targets.firstReply?.calendar, policy?.targets.resolution?.calendar, doc.quietHours?.calendar];
  const name = names.find((n) => n !== undefined && n !== ALWAYS_OPEN && doc.calendars[n] !== undefined);
  return name === undefined ? null : calendarOf(doc, name);
}

/** The escalation levels that apply to breaches of `metric`, in level order. */
export function escalationsFor(policy: Policy, metric: Metric): Escalation[] {
  return policy.escalations.filter((e) => !e.metrics || e.metrics.includes(metric)).sort((a, b) => a.level - b.level);
}

export const policyIdOf = (version: number, index: number): string => `v${version}:${index}`;

export function parsePolicyId(id: string): { version: number; index: number } | null {
  const m = /^v(\d+):(\d+)$/.exec(id);
  return m ? { version: Number(m[1]), index: Number(m[2]) } : null;
}

/** Built once per rules document (they are immutable): every re-plan of every case asks again. */
const slaPolicies = new WeakMap<RulesDocument, Map<string, SlaPolicy>>();

/** The SLA fold's view of one policy of one rules version. */
export function slaPolicyOf(doc: RulesDocument, version: number, index: number): SlaPolicy {
  let byId = slaPolicies.get(doc);
  if (!byId) slaPolicies.set(doc, (byId = new Map()));
  const id = policyIdOf(version, index);
  let built = byId.get(id);
  if (!built) byId.set(id, (built = buildSlaPolicy(doc, version, index)));
  return built;
}

function buildSlaPolicy(doc: RulesDocument, version: number, index: number): SlaPolicy {
  const policy = doc.policies[index]!;
  const targets: SlaTarget[] = [];
  for (const metric of METRICS) {
    const spec = policy.targets[metric];
    if (!spec) continue;
    const calendar = calendarOf(doc, spec.calendar);
    const escalationDelaysMs = escalationsFor(policy, metric).map((e) => parseDuration(e.after));
    for (const [priority, duration] of Object.entries(spec.byPriority)) {
      if (duration === undefined) continue;
      targets.push({
        metric: METRIC_OF[metric],
        priority: priority as SlaTarget["priority"],
        durationMs: parseDuration(duration),
        calendar,
        pauseOn: spec.pauseOn,
        warningOffsetsMs: spec.warnings.map(parseDuration),
        escalationDelaysMs,
      });
    }
  }
  return { id: policyIdOf(version, index), targets };
}

export function factsOf(state: CaseState): CaseFacts {
  const provider = (PROVIDERS as readonly string[]).includes(state.provider) ? (state.provider as ProviderId) : undefined;
  return {
    type: state.type,
    channel: state.channel,
    priority: state.priority,
    provider,
    tags: state.tags,
    group: state.group,
    customerTags: state.customerTags,
    orderValue: state.orderValue,
  };
}

export function pinAt(pins: readonly RulesPin[], at: number): RulesPin {
  let current = pins[0]!;
  for (const p of pins) if (p.from <= at) current = p;
  return current;
}

export interface PolicySpan {
  from: number;
  version: number;
  /** Null when no policy matched (the case then has no SLA targets). */
  match: PolicyMatch | null;
}

/** Where a replay of the policy in force stands: the spans so far and the policy id of the last. */
export interface PolicyReplay {
  spans: PolicySpan[];
  /** The policy id in force (null: none matched); undefined before the first point. */
  current: string | null | undefined;
}

/**
 * Re-matches the policy at one point of the replay (after an event has been applied to `state`,
 * or where a rules pin starts). A change is recorded as a span; a second change at the instant
 * of the last span replaces it, since only the policy an instant ends with was ever in force.
 * Returns what happened to the spans.
 */
export function replayPolicyAt(replay: PolicyReplay, state: CaseState, pins: readonly RulesPin[], at: number): "same" | "added" | "replaced" {
  const pin = pinAt(pins, at);
  const span: PolicySpan = { from: at, version: pin.version, match: matchPolicy(pin.document, factsOf(state)) };
  const id = spanPolicyId(span);
  if (id === replay.current) return "same";
  replay.current = id;
  const last = replay.spans[replay.spans.length - 1];
  if (last?.from !== at) {
    replay.spans.push(span);
    return "added";
  }
  replay.spans.pop();
  const before = replay.spans[replay.spans.length - 1];
  // Back to what was in force before the instant: the instant changed nothing.
  if (!before || spanPolicyId(before) !== id) replay.spans.push(span);
  return "replaced";
}

/** The policy id a span stands for (null: no policy matched). */
export function spanPolicyId(span: PolicySpan): string | null {
  return span.match ? policyIdOf(span.version, span.match.index) : null;
}

/** The `policy_changed` clock event that starts a span. */
export function policyEventOf(span: PolicySpan): ClockEvent {
  return { type: "policy_changed", at: span.from, policyId: spanPolicyId(span) };
}

/** The instants after the first event where a rules pin starts: points of the replay of their own. */
export function pinPoints(pins: readonly RulesPin[], firstEventAt: number): number[] {
  return pins.filter((p) => Number.isFinite(p.from) && p.from > firstEventAt).map((p) => p.from);
}

/**
 * The clock events of a case, with `policy_changed` inserted wherever the governing policy
 * changes: when the case's facts (priority, tags, channel, group, customer tags, order value)
 * start matching another policy, or when a new rules version is applied to it. Also returns the
 * replay (its spans are for the case view).
 */
export function policyTimeline(events: readonly CaseEvent[], pins: readonly RulesPin[]): { replay: PolicyReplay; policyEvents: ClockEvent[] } {
  const sorted = sortCaseEvents(events);
  const replay: PolicyReplay = { spans: [], current: undefined };
  if (sorted.length === 0 || pins.length === 0) return { replay, policyEvents: [] };
  // Replay, re-matching after each event and at each pin change (after the events of its instant).
  const s: CaseState = foldCaseState([sorted[0]!])!;
  const points: { at: number; event?: CaseEvent; apply: boolean }[] = sorted.map((event, i) => ({ at: event.occurredAt, event, apply: i > 0 }));
  for (const at of pinPoints(pins, sorted[0]!.occurredAt)) points.push({ at, apply: false });
  points.sort((a, b) => a.at - b.at || (a.event ? 0 : 1) - (b.event ? 0 : 1));
  for (const point of points) {
    if (point.event && point.apply) applyCaseEvent(s, point.event);
    replayPolicyAt(replay, s, pins, point.at);
  }
  return { replay, policyEvents: replay.spans.map(policyEventOf) };
}
