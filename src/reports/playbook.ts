/**
 * Playbook outcome records and shipment delay episodes from a case's state and a few instants of
 * its log, and what a push must carry. Pure: no Cloudflare imports.
 *
 * A shipment case sees only its own log. A linked ticket (the customer's open conversation the
 * case notes its reminders on) is another case object: the parcel's case never reads its messages.
 * So the store's contact and the customer's message are those recorded on the parcel's own case
 * (POST …/contacted, a callback done, a reply or message a source put on the parcel); see
 * docs/reports.md.
 */
import { addBusinessTime, businessTimeBetween } from "../calendar/index";
import { pinAt, calendarOf, type RulesPin } from "../cases/policy";
import { shipmentDelay } from "../cases/plan";
import type { CaseState } from "../cases/state";
import { parseDuration } from "../rules/schema";
import { fnv1a } from "./outcomes";
import { playbookKey, type DelayOutcome, type PlaybookPush, type PlaybookRecord, type ShipmentEpisode, type ShipmentPush } from "./schema";

/** The instants of the case's log the records need beyond its state, each ascending. */
export interface CaseActivity {
  agentReplies: readonly number[];
  customerMessages: readonly number[];
  /** Carrier scans, label creation excluded (the no-scan signal reads them). */
  carrierScans: readonly number[];
  /**
   * Customer messages and statuses in the order they happened (going in circles reads them):
   * `resolved` is whether the event's status solves or closes the case, null when it states none.
   */
  conversation: readonly { at: number; message: boolean; resolved: boolean | null }[];
}

const firstAfter = (xs: readonly number[], since: number, strict = false): number | null => xs.find((x) => (strict ? x > since : x >= since)) ?? null;

/** Callback promises with a time, and bad ratings: what each asked of the store and when it was done. */
export function playbookRecords(caseId: string, state: CaseState, activity: CaseActivity, pins: readonly RulesPin[], dispute: { at: number } | null = null): PlaybookRecord[] {
  if (pins.length === 0) return [];
  const out: PlaybookRecord[] = [...circlesRecords(caseId, state, activity, pins)];
  const resolutions = resolvedAt(activity);
  if (dispute && state.type === "ticket") {
    // Acted on: an agent answered publicly after the flag, before the case next ended.
    out.push({
      caseId,
      rule: "dispute_risk",
      ref: String(dispute.at),
      triggeredAt: dispute.at,
      dueAt: firstAfter(resolutions, dispute.at),
      actedAt: firstAfter(activity.agentReplies, dispute.at, true),
      caseEnded: state.status === "solved" || state.status === "closed" ? state.status : null,
    });
  }
  for (const cb of state.callbacks) {
    // A promise with no time cannot be kept late; one replaced by a newer promise was not acted on, it moved.
    if (cb.at === null || cb.doneReason === "replaced by a newer promise") continue;
    const rule = pinAt(pins, cb.promisedAt).document.playbook.callback;
    if (!rule.enabled) continue;
    out.push({ caseId, rule: "callback", ref: cb.id, triggeredAt: cb.promisedAt, dueAt: cb.at + parseDuration(rule.grace), actedAt: cb.doneAt });
  }
  for (const r of state.ratings) {
    if (r.score !== "bad") continue;
    const doc = pinAt(pins, r.at).document;
    const rule = doc.playbook.badRating;
    if (!rule.enabled) continue;
    const dueAt = addBusinessTime(calendarOf(doc, rule.calendar), r.at, parseDuration(rule.replyWithin));
    out.push({ caseId, rule: "bad_rating", ref: String(r.at), triggeredAt: r.at, dueAt, actedAt: firstAfter(activity.agentReplies, r.at, true) });
  }
  return out;
}

/**
 * The parcel's delay episode, if it has one: the first delay signal the rules in force at the time
 * count (as the planner finds it), up to delivery. One episode per parcel: a parcel late once stays
 * one late parcel for the customer, however many signals follow.
 */
export function shipmentEpisodes(caseId: string, state: CaseState, activity: CaseActivity, pins: readonly RulesPin[], now: number): ShipmentEpisode[] {
  const sh = state.shipment;
  if (!sh || pins.length === 0) return [];
  const asOf = sh.deliveredAt ?? now;
  const doc = pinAt(pins, asOf).document;
  const rule = doc.playbook.shipmentDelay;
  if (!rule.enabled) return [];
  const cal = calendarOf(doc, rule.calendar);
  // The planner's own finding, so the report and the reminders agree on when a delay began.
  const ctx = { doc, input: { state, now: asOf, log: { carrierScans: activity.carrierScans } } } as unknown as Parameters<typeof shipmentDelay>[0];
  const { delay } = shipmentDelay(ctx, cal);
  if (!delay) return [];
  const detectedAt = delay.at;
  const callbacksDone = state.callbacks
    .filter((cb) => cb.doneAt !== null && cb.doneReason !== "replaced by a newer promise")
    .map((cb) => cb.doneAt!)
    .sort((a, b) => a - b);
  const contacts = [...activity.agentReplies, ...callbacksDone].filter((t) => t >= detectedAt).sort((a, b) => a - b);
  const contactedAt = contacts[0] ?? null;
  const customerMessageAt = firstAfter(activity.customerMessages, detectedAt);
  // Same instant: the customer is taken to have written first (the store did not beat them).
  const outcome: DelayOutcome =
    contactedAt !== null && (customerMessageAt === null || contactedAt < customerMessageAt) ? "contactedFirst" : customerMessageAt !== null ? "customerFirst" : "notContacted";
  const contactBy = addBusinessTime(cal, detectedAt, parseDuration(rule.proactiveContactWithin));
  // Updates: one per `updateEvery` of the rule's calendar from the first contact (or detection)
  // until delivery (a parcel on its way back owes none after the return), as of `now` while open.
  const end = Math.min(sh.deliveredAt ?? now, sh.returnedAt ?? Infinity, now);
  const anchor = contactedAt ?? detectedAt;
  const updatesOwed = end > anchor ? Math.floor(businessTimeBetween(cal, anchor, end) / parseDuration(rule.updateEvery)) : 0;
  const updatesSent = contactedAt === null ? 0 : contacts.filter((t) => t > contactedAt && t < end).length;
  return [
    {
      caseId,
      detectedAt,
      signal: delay.trigger,
      reason: delay.reason ?? sh.reason ?? null,
      contactedAt,
      customerMessageAt,
      outcome,
      contactBy,
      updatesOwed,
      updatesSent,
      deliveredAt: sh.deliveredAt,
    },
  ];
}

/** Instants the case became solved or closed (from not resolved). */
function resolvedAt(activity: CaseActivity): number[] {
  const out: number[] = [];
  let resolved = false;
  for (const e of activity.conversation) {
    if (e.resolved === null) continue;
    if (e.resolved && !resolved) out.push(e.at);
    resolved = e.resolved;
  }
  return out;
}

/**
 * Going in circles, as the planner nudges (src/cases/plan.ts): at the Nth customer message since
 * the case was last resolved, and at its Nth reopening. Acted on: a callback promised or made
 * after the nudge; due: before the case was next resolved (no due while it stays open).
 */
function circlesRecords(caseId: string, state: CaseState, activity: CaseActivity, pins: readonly RulesPin[]): PlaybookRecord[] {
  if (state.type !== "ticket") return [];
  const nudges: { at: number; reason: "messages" | "reopenings" }[] = [];
  let resolved = false;
  let messages = 0;
  let reopenings = 0;
  for (const e of activity.conversation) {
    const rule = pinAt(pins, e.at).document.playbook.goingInCircles;
    if (e.resolved !== null) {
      if (e.resolved && !resolved) messages = 0;
      if (!e.resolved && resolved) {
        reopenings += 1;
        if (rule.enabled && reopenings === rule.reopenings) nudges.push({ at: e.at, reason: "reopenings" });
      }
      resolved = e.resolved;
    }
    if (e.message) {
      messages += 1;
      if (rule.enabled && messages === rule.customerMessages) nudges.push({ at: e.at, reason: "messages" });
    }
  }
  const resolutions = resolvedAt(activity);
  const calls = state.callbacks.flatMap((cb) => (cb.doneAt !== null ? [cb.promisedAt, cb.doneAt] : [cb.promisedAt])).sort((a, b) => a - b);
  return nudges.map((n) => ({
    caseId,
    rule: "going_in_circles" as const,
    ref: `${n.reason}@${n.at}`,
    triggeredAt: n.at,
    dueAt: firstAfter(resolutions, n.at),
    actedAt: firstAfter(calls, n.at),
  }));
}

export const shipmentKey = (e: Pick<ShipmentEpisode, "detectedAt">): string => String(e.detectedAt);

/** Fingerprints by record key, as last taken by the registry (case meta `playbookPushed`). */
export interface PushedPlaybook {
  playbook: Record<string, string>;
  shipments: Record<string, string>;
}

function diff<T>(pushed: Record<string, string>, records: readonly T[], key: (r: T) => string): { upsert: T[]; remove: string[]; next: Record<string, string> } {
  const next: Record<string, string> = {};
  const upsert: T[] = [];
  for (const r of records) {
    const k = key(r);
    const fp = fnv1a(JSON.stringify(r));
    next[k] = fp;
    if (pushed[k] !== fp) upsert.push(r);
  }
  return { upsert, remove: Object.keys(pushed).filter((k) => !(k in next)), next };
}

/** What the next push must carry for the playbook and shipments (null: nothing changed), and what to remember once taken. */
export function playbookDiff(
  pushed: PushedPlaybook,
  playbook: readonly PlaybookRecord[],
  shipments: readonly ShipmentEpisode[],
): { playbook: PlaybookPush | null; shipments: ShipmentPush | null; next: PushedPlaybook } {
  const p = diff(pushed.playbook, playbook, playbookKey);
  const s = diff(pushed.shipments, shipments, shipmentKey);
  return {
    playbook: p.upsert.length > 0 || p.remove.length > 0 ? { upsert: p.upsert, remove: p.remove } : null,
    shipments: s.upsert.length > 0 || s.remove.length > 0 ? { upsert: s.upsert, remove: s.remove } : null,
    next: { playbook: p.next, shipments: s.next },
  };
}
