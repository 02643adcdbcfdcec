/**
 * Ownership of a breach: once a person says "mine" (an acknowledgement from Slack, the console or
 * the API, or, where the store opts in, the helpdesk assigning the case to someone), the breach's
 * remaining escalation levels stop. Pure (no Cloudflare imports): the case engine folds the claims
 * into the case state and the timer plan drops what they cover, so a late acknowledgement, a
 * replayed log and the dry-run all agree.
 *
 * The semantics, as docs/rules.md states them:
 * - A claim owns every breach that had happened by the claim's instant (its due instant ≤ the
 *   claim). Escalation levels of an owned breach are not planned; the case view says
 *   "acknowledged by <name>" for the ones that were pending.
 * - Acknowledging is not replying: SLA clocks, warnings and breach reminders are untouched.
 * - A breach after the claim (the next reply's target of a later customer message, a deadline
 *   that moved later) is not owned: its ladder starts again.
 * - Snoozing a warning fires it again later, never at or past its target's due instant.
 */
import type { SlaMetric } from "../sla/index";
import type { ClockState } from "../sla/index";
import { parseDuration, type Policy, type RulesDocument } from "../rules/schema";
import type { NormalizedEvent } from "../events/model";
import type { PlannedTimer } from "./plan";
import type { CaseEvent, CaseState } from "./state";

export type OwnershipVia = "api" | "console" | "slack" | "helpdesk";

export interface OwnershipClaim {
  by: string;
  at: number;
  via: OwnershipVia;
  note?: string | undefined;
}

export interface WarningSnooze {
  timerKey: string;
  metric: SlaMetric;
  /** The due instant of the target the warning is about: the re-fire never reaches it. */
  dueAt: number;
  until: number;
  by: string;
  at: number;
}

/** What the fold keeps about ownership; lives on `CaseState.ownership`. */
export interface OwnershipState {
  claims: OwnershipClaim[];
  warningSnoozes: WarningSnooze[];
}

export const emptyOwnership = (): OwnershipState => ({ claims: [], warningSnoozes: [] });

/** Snoozing a warning from Slack moves it this much later (clamped before the due instant). */
export const WARNING_SNOOZE_MS = 15 * 60_000;
/** A snoozed warning fires at least this long before its target is due, or not again at all. */
const SNOOZE_MARGIN_MS = 60_000;

/**
 * Folds one event's ownership facts. `assigneeBefore` is the case's assignee before this event:
 * a helpdesk snapshot restating the same assignee is not a new claim.
 */
export function applyOwnershipEvent(o: OwnershipState, c: CaseEvent, assigneeBefore: string | undefined): void {
  const e: NormalizedEvent = c.event;
  if (e.kind === "case.acknowledged" && e.acknowledgement) {
    o.claims.push({ by: e.acknowledgement.by, at: c.occurredAt, via: e.acknowledgement.via, note: e.acknowledgement.note });
  } else if (e.kind === "case.warning_snoozed" && e.warningSnooze) {
    const w = e.warningSnooze;
    o.warningSnoozes.push({ timerKey: w.timerKey, metric: w.metric, dueAt: Date.parse(w.dueAt), until: Date.parse(w.until), by: w.by, at: c.occurredAt });
  } else if (e.provider !== "promptly" && e.assignee !== undefined && e.assignee.trim() !== "" && e.assignee !== assigneeBefore) {
    o.claims.push({ by: e.assignee, at: c.occurredAt, via: "helpdesk" });
  }
}

/** Whether helpdesk assignments count as ownership under these rules (opt-in). */
export const assigneeCountsAsOwner = (doc: RulesDocument): boolean => doc.escalation?.assigneeCountsAsOwner === true;

/** The first claim that owns a breach due at `breachAt`, or null. */
export function ownerOfBreach(o: OwnershipState, breachAt: number, doc: RulesDocument | null): OwnershipClaim | null {
  const helpdesk = doc ? assigneeCountsAsOwner(doc) : true;
  return o.claims.find((cl) => cl.at >= breachAt && (cl.via !== "helpdesk" || helpdesk)) ?? null;
}

/** The latest claim (for the case view's `owner`), or null. */
export function currentOwner(o: OwnershipState, doc: RulesDocument | null): OwnershipClaim | null {
  const helpdesk = doc ? assigneeCountsAsOwner(doc) : true;
  for (let i = o.claims.length - 1; i >= 0; i--) {
    const cl = o.claims[i]!;
    if (cl.via !== "helpdesk" || helpdesk) return cl;
  }
  return null;
}

/** The breach instant an escalation timer belongs to; null for timers that are not escalations. */
export function breachOf(t: Pick<PlannedTimer, "kind" | "detail">, doc: RulesDocument): number | null {
  if (!t.kind.endsWith(".escalation")) return null;
  if (t.detail.type === "sla") return t.detail.dueAt;
  if (t.detail.type === "callback") return t.detail.promisedFor + parseDuration(doc.playbook.callback.grace);
  return null;
}

export interface OwnershipPlanContext {
  timers: PlannedTimer[];
  state: CaseState;
  clocks: ClockState;
  doc: RulesDocument;
  version: number;
  policy: Policy | null;
  policyIndex: number | null;
  fired: ReadonlySet<string>;
}

const RULE_METRIC: Record<SlaMetric, string> = { first_reply: "firstReply", next_reply: "nextReply", periodic_update: "periodicUpdate", resolution: "resolution" };
const iso = (t: number): string => new Date(t).toISOString();

/** The key a snoozed warning fires again under: new, because the warning's own key has fired. */
export const snoozedWarningKey = (s: Pick<WarningSnooze, "timerKey" | "until">): string => `${s.timerKey}:snoozed@${s.until}`;

/** When a snoozed warning fires again, or null when that would be too close to its due instant. */
export function snoozedWarningAt(s: Pick<WarningSnooze, "dueAt" | "until" | "at">): number | null {
  const at = Math.min(s.until, s.dueAt - SNOOZE_MARGIN_MS);
  return at > s.at ? at : null;
}

/**
 * Applies ownership to a plan in place: drops escalations of owned breaches and adds the
 * re-fires of snoozed warnings whose target is still running towards the same due instant.
 */
export function applyOwnershipToPlan(c: OwnershipPlanContext): void {
  const o = c.state.ownership;
  if (o.claims.length > 0) {
    for (let i = c.timers.length - 1; i >= 0; i--) {
      const breachAt = breachOf(c.timers[i]!, c.doc);
      if (breachAt !== null && ownerOfBreach(o, breachAt, c.doc)) c.timers.splice(i, 1);
    }
  }
  if (c.policy === null || c.policyIndex === null) return;
  for (const s of o.warningSnoozes) {
    const key = snoozedWarningKey(s);
    if (c.fired.has(key)) continue;
    const clock = c.clocks.clocks.find((k) => k.metric === s.metric);
    // A reply fulfilled it, or the deadline moved: the snoozed warning is about a target that is gone.
    if (!clock || clock.status !== "active" || clock.dueAt !== s.dueAt) continue;
    const at = snoozedWarningAt(s);
    if (at === null) continue;
    const metric = RULE_METRIC[s.metric];
    c.timers.push({
      key,
      kind: `${s.metric}.warning`,
      dueAt: at,
      why: `warning snoozed by ${s.by} until ${iso(at)} (the target is due ${iso(s.dueAt)})`,
      urgency: "normal",
      channels: [...c.policy.notify],
      rule: { name: c.policy.name, version: c.version, path: `policies[${c.policyIndex}].targets.${metric}.warnings` },
      level: 1,
      detail: { type: "sla", metric: s.metric, dueAt: s.dueAt, targetMs: clock.targetMs },
    });
  }
}

/**
 * Why an escalation stopped, when a claim owns its breach: "acknowledged by Ayşe (slack) at …".
 * Null when the breach's clock was fulfilled first (then that is the reason) or nobody owns it.
 * Without the rules at hand a callback's breach is taken as its promised time.
 */
export function ownedEscalationReason(t: Pick<PlannedTimer, "kind" | "detail">, state: CaseState, clocks: ClockState): string | null {
  if (!t.kind.endsWith(".escalation")) return null;
  const breachAt = t.detail.type === "sla" ? t.detail.dueAt : t.detail.type === "callback" ? t.detail.promisedFor : null;
  if (breachAt === null) return null;
  if (t.detail.type === "sla") {
    const metric = t.detail.metric;
    if (clocks.clocks.find((k) => k.metric === metric)?.status === "fulfilled") return null;
  }
  const owner = ownerOfBreach(state.ownership, breachAt, null);
  return owner ? `acknowledged by ${owner.by} (${owner.via}) at ${iso(owner.at)}` : null;
}
