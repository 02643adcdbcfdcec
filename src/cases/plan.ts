/**
 * Timer planning: which timers a case needs right now, as a pure function of its state, clocks
 * and history, its rules and the clock.
 *
 * The case object never "remembers to cancel" anything. After every change (and again at the
 * second a timer is due) it asks for the plan and reconciles its timer table with it: a planned
 * timer that is missing is added, a pending one that is no longer planned is cancelled, and a
 * due one fires only if it is still planned. So a reply that arrives a second before a breach
 * cancels the breach, and a timer that fired once never fires again (its key is in `fired`).
 *
 * Keys are stable for the same situation and change when the situation changes (a deadline that
 * moves gets a new key), so a key identifies one reminder forever: it is the idempotency key.
 */
import { addBusinessTime, businessTimeBetween, type Calendar } from "../calendar/index";
import type { SlaMetric } from "../sla/index";
import type { ClockState, MetricClock } from "../sla/index";
import { parseDuration, type Policy, type RulesDocument } from "../rules/schema";
import { calendarOf, escalationsFor, pinAt, RULE_METRIC_OF, type PolicySpan, type RulesPin } from "./policy";
import { applyOwnershipToPlan } from "./ownership";
import type { PlaybookLog } from "./playbook-log";
import { type CaseState, type DelaySignal, isResolvedStatus } from "./state";

export const TIMER_KINDS = [
  "first_reply.warning",
  "first_reply.breach",
  "first_reply.escalation",
  "next_reply.warning",
  "next_reply.breach",
  "next_reply.escalation",
  "periodic_update.warning",
  "periodic_update.breach",
  "periodic_update.escalation",
  "resolution.warning",
  "resolution.breach",
  "resolution.escalation",
  "callback.reminder",
  "callback.due",
  "callback.escalation",
  "rating.bad",
  "rating.reply_due",
  "circles.call_nudge",
  "dispute.escalation",
  "shipment.proactive_contact",
  "shipment.contact_due",
  "shipment.update_due",
] as const;
export type TimerKind = (typeof TIMER_KINDS)[number];

export type DelayTrigger = DelaySignal["kind"] | "no_scan" | "label_not_shipped" | "past_promised";

/** What the reminder text needs beyond the case state; one variant per family of timers. */
export type TimerDetail =
  | { type: "sla"; metric: SlaMetric; dueAt: number; targetMs: number; message?: string | undefined }
  | { type: "callback"; callbackId: string; promisedFor: number }
  | { type: "rating"; ratedAt: number; replyBy: number; comment?: string | undefined; publicReply: boolean }
  | { type: "circles"; reason: "messages" | "reopenings"; count: number; suggestion: string }
  | { type: "dispute"; signal: string; suggestion: string }
  | { type: "shipment"; trigger: DelayTrigger; since: number; reason?: string | undefined; contactBy: number; update?: number; missedSince?: number; guidance: string; preferPhone: boolean };

export interface PlannedTimer {
  /** Unique within the case; the timer row id and (with the case id) the reminder's idempotency key. */
  key: string;
  kind: TimerKind;
  dueAt: number;
  /** One line for the case view: why this timer exists. */
  why: string;
  urgency: "urgent" | "normal";
  channels: string[];
  rule: { name: string; version: number; path: string };
  /** 1-based warning or escalation level, when there is one. */
  level?: number;
  detail: TimerDetail;
}

export interface PlanInput {
  state: CaseState;
  /** What the playbook reads from the case's history beyond its state. */
  log: PlaybookLog;
  clocks: ClockState;
  spans: readonly PolicySpan[];
  pins: readonly RulesPin[];
  now: number;
  /** Keys of timers that already fired: never planned again. */
  fired: ReadonlySet<string>;
  /** Keys the case has seen before (any state): a stale warning is only worth sending if it was planned in time. */
  known: ReadonlySet<string>;
}

const ms = (d: string): number => parseDuration(d);
const iso = (t: number): string => new Date(t).toISOString();

interface Ctx {
  input: PlanInput;
  doc: RulesDocument;
  version: number;
  policy: Policy | null;
  policyIndex: number | null;
  out: PlannedTimer[];
}

function policyChannels(c: Ctx): string[] {
  return c.policy?.notify ?? [];
}

function orPolicy(c: Ctx, channels: readonly string[]): string[] {
  return channels.length > 0 ? [...channels] : policyChannels(c);
}

function add(c: Ctx, t: PlannedTimer): void {
  if (c.input.fired.has(t.key)) return;
  c.out.push(t);
}

// ── SLA clocks ───────────────────────────────────────────────────────────────────────────────

function planClock(c: Ctx, clock: MetricClock): void {
  if (clock.status === "fulfilled" || clock.dueAt === null || c.policy === null || c.policyIndex === null) return;
  const metric = RULE_METRIC_OF[clock.metric];
  const escalations = escalationsFor(c.policy, metric);
  const urgent = c.input.state.priority === "urgent";
  const basePath = `policies[${c.policyIndex}]`;
  for (const w of clock.wakeups) {
    const key = `sla:${w.key}`;
    if (w.kind === "warning") {
      // A warning once its target is due would only be noise: the breach fires now (or has) and
      // says more. That includes one planned in time that could not go out in time (the object
      // was down): after a restart it would arrive next to, or after, its breach.
      if (clock.dueAt <= c.input.now) continue;
      add(c, {
        key,
        kind: `${clock.metric}.warning`,
        dueAt: w.at,
        why: `warning ${w.level} before the ${label(clock.metric)} target (due ${iso(clock.dueAt)})`,
        urgency: "normal",
        channels: policyChannels(c),
        rule: { name: c.policy.name, version: c.version, path: `${basePath}.targets.${metric}.warnings[${w.level - 1}]` },
        level: w.level,
        detail: { type: "sla", metric: clock.metric, dueAt: clock.dueAt, targetMs: clock.targetMs },
      });
    } else if (w.kind === "due") {
      add(c, {
        key,
        kind: `${clock.metric}.breach`,
        dueAt: w.at,
        why: `${label(clock.metric)} target of ${c.input.state.priority ?? "normal"} priority is due`,
        urgency: urgent ? "urgent" : "normal",
        channels: policyChannels(c),
        rule: { name: c.policy.name, version: c.version, path: `${basePath}.targets.${metric}` },
        detail: { type: "sla", metric: clock.metric, dueAt: clock.dueAt, targetMs: clock.targetMs },
      });
    } else {
      const esc = escalations[w.level - 1];
      if (!esc) continue;
      add(c, {
        key,
        kind: `${clock.metric}.escalation`,
        dueAt: w.at,
        why: `escalation level ${esc.level}, ${esc.after} after the ${label(clock.metric)} breach`,
        urgency: urgent ? "urgent" : "normal",
        channels: orPolicy(c, esc.channels),
        rule: { name: c.policy.name, version: c.version, path: `${basePath}.escalations[${c.policy.escalations.indexOf(esc)}]` },
        level: esc.level,
        detail: { type: "sla", metric: clock.metric, dueAt: clock.dueAt, targetMs: clock.targetMs, message: esc.message },
      });
    }
  }
}

export function label(metric: SlaMetric): string {
  return { first_reply: "first reply", next_reply: "next reply", periodic_update: "periodic update", resolution: "resolution" }[metric];
}

// ── Callbacks ────────────────────────────────────────────────────────────────────────────────

function planCallbacks(c: Ctx): void {
  const rule = c.doc.playbook.callback;
  if (!rule.enabled || c.input.state.status === "closed") return;
  const remindBefore = ms(rule.remindBefore);
  const grace = ms(rule.grace);
  const escalateAfter = ms(rule.escalateAfter);
  for (const cb of c.input.state.callbacks) {
    if (cb.doneAt !== null || cb.at === null) continue;
    const base = `callback:${cb.id}@${cb.at}`;
    const detail: TimerDetail = { type: "callback", callbackId: cb.id, promisedFor: cb.at };
    const who = cb.owner ? ` (${cb.owner})` : "";
    const rulePath = "playbook.callback";
    // Promised "in 5 minutes" with a 15-minute reminder: remind at once rather than never.
    add(c, {
      key: `${base}:reminder`,
      kind: "callback.reminder",
      dueAt: Math.max(cb.promisedAt, cb.at - remindBefore),
      why: `callback promised${who} for ${iso(cb.at)}: reminder ${rule.remindBefore} before`,
      urgency: "urgent",
      channels: orPolicy(c, rule.channels),
      rule: { name: "callback promised", version: c.version, path: `${rulePath}.remindBefore` },
      detail,
    });
    add(c, {
      key: `${base}:due`,
      kind: "callback.due",
      dueAt: cb.at + grace,
      why: `callback promised${who} for ${iso(cb.at)} not done within the ${rule.grace} grace`,
      urgency: "urgent",
      channels: orPolicy(c, rule.channels),
      rule: { name: "callback promised", version: c.version, path: `${rulePath}.grace` },
      detail,
    });
    add(c, {
      key: `${base}:escalation`,
      kind: "callback.escalation",
      dueAt: cb.at + grace + escalateAfter,
      why: `callback still not done ${rule.escalateAfter} after its breach`,
      urgency: "urgent",
      channels: rule.escalationChannels.length > 0 ? [...rule.escalationChannels] : orPolicy(c, rule.channels),
      rule: { name: "callback promised", version: c.version, path: `${rulePath}.escalateAfter` },
      level: 1,
      detail,
    });
  }
}

// ── Playbook: bad rating, going in circles, dispute risk ────────────────────────────────────

function planBadRating(c: Ctx): void {
  const rule = c.doc.playbook.badRating;
  const s = c.input.state;
  if (!rule.enabled) return;
  const cal = calendarOf(c.doc, rule.calendar);
  for (const r of s.ratings) {
    if (r.score !== "bad") continue;
    const answered = s.lastAgentReplyAt !== null && s.lastAgentReplyAt > r.at;
    const revised = s.ratings.some((x) => x.score === "good" && x.at > r.at);
    if (answered || revised) continue;
    const replyBy = addBusinessTime(cal, r.at, ms(rule.replyWithin));
    const detail: TimerDetail = { type: "rating", ratedAt: r.at, replyBy, comment: r.comment, publicReply: rule.publicReply };
    const rulePath = "playbook.badRating";
    add(c, {
      key: `rating:${r.at}:bad`,
      kind: "rating.bad",
      dueAt: r.at,
      why: `bad satisfaction rating at ${iso(r.at)}`,
      urgency: "normal",
      channels: orPolicy(c, rule.channels),
      rule: { name: "bad rating", version: c.version, path: rulePath },
      detail,
    });
    add(c, {
      key: `rating:${r.at}:reply_due`,
      kind: "rating.reply_due",
      dueAt: replyBy,
      why: `reply to the bad rating within ${rule.replyWithin}`,
      urgency: "normal",
      channels: orPolicy(c, rule.channels),
      rule: { name: "bad rating", version: c.version, path: `${rulePath}.replyWithin` },
      detail,
    });
  }
}

function planGoingInCircles(c: Ctx): void {
  const rule = c.doc.playbook.goingInCircles;
  const s = c.input.state;
  if (!rule.enabled || isResolvedStatus(s.status) || s.type !== "ticket") return;
  // The instant each threshold was crossed: the Nth message since the last resolution, the Nth reopening.
  const messagesCrossedAt = c.input.log.customerMessagesSinceResolved[rule.customerMessages - 1] ?? null;
  const reopenCrossedAt = c.input.log.reopenedAt[rule.reopenings - 1] ?? null;
  const base = {
    kind: "circles.call_nudge" as const,
    urgency: "normal" as const,
    channels: orPolicy(c, rule.channels),
  };
  if (messagesCrossedAt !== null) {
    add(c, {
      ...base,
      key: `circles:messages:${messagesCrossedAt}`,
      dueAt: messagesCrossedAt,
      why: `${rule.customerMessages} customer messages without a resolution`,
      rule: { name: "going in circles", version: c.version, path: "playbook.goingInCircles.customerMessages" },
      detail: { type: "circles", reason: "messages", count: rule.customerMessages, suggestion: rule.suggestion },
    });
  }
  if (reopenCrossedAt !== null) {
    add(c, {
      ...base,
      key: `circles:reopenings:${reopenCrossedAt}`,
      dueAt: reopenCrossedAt,
      why: `reopened ${rule.reopenings} times`,
      rule: { name: "going in circles", version: c.version, path: "playbook.goingInCircles.reopenings" },
      detail: { type: "circles", reason: "reopenings", count: rule.reopenings, suggestion: rule.suggestion },
    });
  }
}

function planDisputeRisk(c: Ctx): void {
  const rule = c.doc.playbook.disputeRisk;
  const s = c.input.state;
  if (!rule.enabled || isResolvedStatus(s.status) || s.type !== "ticket") return;
  // Once per case: the first signal is the one that matters.
  const found = c.input.log.firstDisputeSignal(rule);
  if (!found) return;
  add(c, {
    key: `dispute:${found.at}`,
    kind: "dispute.escalation",
    dueAt: found.at,
    why: `dispute risk: ${found.signal}`,
    urgency: "normal",
    channels: orPolicy(c, rule.channels),
    rule: { name: "dispute risk", version: c.version, path: `playbook.disputeRisk.${found.by}` },
    detail: { type: "dispute", signal: found.signal, suggestion: rule.suggestion },
  });
}

// ── Shipments ────────────────────────────────────────────────────────────────────────────────

interface DelayFound {
  trigger: DelayTrigger;
  at: number;
  reason?: string | undefined;
}

/** The first delay of a shipment (≤ now), or the next instant one would start if nothing happens. */
export function shipmentDelay(c: Ctx, cal: Calendar): { delay: DelayFound | null; watch: DelayFound | null } {
  const rule = c.doc.playbook.shipmentDelay;
  const sh = c.input.state.shipment!;
  const now = c.input.now;
  const until = sh.deliveredAt ?? Infinity;
  const happened: DelayFound[] = [];
  const future: DelayFound[] = [];
  const consider = (d: DelayFound) => {
    if (d.at >= until) return;
    (d.at <= now ? happened : future).push(d);
  };
  for (const sig of sh.delaySignals) {
    const on = { exception: rule.signals.exception, failed_attempt: rule.signals.failedAttempt, eta_later: rule.signals.etaLater, returned: true }[sig.kind];
    if (on) consider({ trigger: sig.kind, at: sig.at, reason: sig.reason });
  }
  if (rule.signals.noScanFor !== null && sh.firstScanAt !== null) {
    const gap = ms(rule.signals.noScanFor);
    const scans = c.input.log.carrierScans;
    for (let i = 0; i < scans.length; i++) {
      const watch = addBusinessTime(cal, scans[i]!, gap);
      const next = scans[i + 1];
      if (next === undefined || watch < next) {
        consider({ trigger: "no_scan", at: watch, reason: `no carrier scan for ${rule.signals.noScanFor} since ${iso(scans[i]!)}` });
        if (next === undefined || watch <= now) break;
      }
    }
  }
  if (rule.signals.labelNotShippedFor !== null && sh.labelCreatedAt !== null) {
    const watch = sh.labelCreatedAt + ms(rule.signals.labelNotShippedFor);
    if (sh.firstScanAt === null || sh.firstScanAt > watch) {
      consider({ trigger: "label_not_shipped", at: watch, reason: `label created ${iso(sh.labelCreatedAt)} but not shipped for ${rule.signals.labelNotShippedFor}` });
    }
  }
  if (rule.signals.pastPromisedDate && sh.promisedDelivery !== null) {
    // A date-only estimate (midnight UTC) promises the whole day.
    const end = sh.promisedDelivery % 86_400_000 === 0 ? sh.promisedDelivery + 86_400_000 : sh.promisedDelivery;
    consider({ trigger: "past_promised", at: end, reason: `promised delivery ${iso(sh.promisedDelivery)} passed` });
  }
  const first = (xs: DelayFound[]) => xs.sort((a, b) => a.at - b.at)[0] ?? null;
  return { delay: first(happened), watch: first(future) };
}

const TRIGGER_WORDS: Record<DelayTrigger, string> = {
  exception: "carrier exception",
  failed_attempt: "failed delivery attempt",
  eta_later: "estimated delivery moved later",
  returned: "parcel returning to sender",
  no_scan: "no carrier scan",
  label_not_shipped: "label created but not shipped",
  past_promised: "past the promised delivery date",
};

/** Whether an agent replied publicly on the case at or after `since` (a delay's start). */
export function contactedSince(s: CaseState, since: number): boolean {
  return s.lastAgentReplyAt !== null && s.lastAgentReplyAt >= since;
}

/**
 * The update owed now: the latest interval already due (or the first one, still ahead), one past
 * it once that has fired. Found by arithmetic rather than by stepping through the intervals: a
 * parcel promised years ago is owed thousands, and stepping stopped at 1,000 (and then planned
 * nothing). Missed intervals are not sent one by one; the one sent says since when they were
 * missed (`missedSince`, the first one not sent).
 */
function owedUpdate(c: Ctx, cal: Calendar, anchor: number, every: number): { k: number; at: number; missedSince: number | null } {
  const now = c.input.now;
  const nth = (n: number) => addBusinessTime(cal, anchor, n * every);
  let k = Math.max(1, Math.floor(businessTimeBetween(cal, anchor, now) / every));
  let at = nth(k);
  // Business time and its sums can differ by a step at the edges of opening hours.
  for (let i = 0; i < 3 && k > 1 && at > now; i++) at = nth(--k);
  for (let i = 0, next = nth(k + 1); i < 3 && next <= now; i++, next = nth(k + 1)) {
    k += 1;
    at = next;
  }
  const prefix = `shipment:update:${anchor}:`;
  if (at <= now && c.input.fired.has(`${prefix}${k}`)) return { k: k + 1, at: nth(k + 1), missedSince: null };
  if (at > now) return { k, at, missedSince: null };
  let lastSent = 0;
  for (const key of c.input.fired) if (key.startsWith(prefix)) lastSent = Math.max(lastSent, Number(key.slice(prefix.length)) || 0);
  return { k, at, missedSince: k - lastSent > 1 ? nth(lastSent + 1) : null };
}

function planShipment(c: Ctx): void {
  const rule = c.doc.playbook.shipmentDelay;
  const s = c.input.state;
  const sh = s.shipment;
  if (!rule.enabled || !sh || sh.deliveredAt !== null || isResolvedStatus(s.status)) return;
  const cal = calendarOf(c.doc, rule.calendar);
  const { delay, watch } = shipmentDelay(c, cal);
  const found = delay ?? watch;
  if (!found) return;
  const contactBy = addBusinessTime(cal, found.at, ms(rule.proactiveContactWithin));
  const shipmentDetail = { type: "shipment" as const, trigger: found.trigger, since: found.at, reason: found.reason ?? sh.reason, contactBy, guidance: rule.guidance, preferPhone: rule.preferPhone };
  const channels = orPolicy(c, rule.channels);
  add(c, {
    key: `shipment:contact:${found.at}`,
    kind: "shipment.proactive_contact",
    dueAt: found.at,
    why: delay
      ? `${TRIGGER_WORDS[found.trigger]}: contact the customer before they contact us (by ${iso(contactBy)})`
      : `watch: ${TRIGGER_WORDS[found.trigger]} would start at ${iso(found.at)}; re-armed by every carrier scan`,
    urgency: "normal",
    channels,
    rule: { name: "shipment delay", version: c.version, path: `playbook.shipmentDelay.signals` },
    detail: shipmentDetail,
  });
  if (!delay) return;
  // The proactive-contact target itself: if nobody has told the customer by `contactBy`, say so.
  // Telling them is an agent's public reply on this shipment case after the delay began (the
  // case API's POST …/contacted records one); a reply on a linked ticket is another case.
  if (!contactedSince(s, delay.at)) {
    add(c, {
      key: `shipment:contact_due:${delay.at}`,
      kind: "shipment.contact_due",
      dueAt: contactBy,
      why: `nobody has contacted the customer about the ${TRIGGER_WORDS[delay.trigger]} yet; target ${rule.proactiveContactWithin} from ${iso(delay.at)}`,
      urgency: "normal",
      channels,
      rule: { name: "shipment delay", version: c.version, path: "playbook.shipmentDelay.proactiveContactWithin" },
      detail: shipmentDetail,
    });
  }
  if (sh.returnedAt !== null) return;
  // Updates owed until delivery, every interval since the customer last heard from us: the delay's
  // start, or an agent's later public reply on this parcel (a logged call, POST …/contacted), so a
  // customer called ten minutes before an update was due is not owed another one right away.
  // After downtime only the latest missed one is sent, not a burst.
  const every = ms(rule.updateEvery);
  const anchor = contactedSince(s, delay.at) ? s.lastAgentReplyAt! : delay.at;
  const { k, at, missedSince } = owedUpdate(c, cal, anchor, every);
  const catchUp = missedSince === null ? "" : `; catching up: the updates owed since ${iso(missedSince)} were missed, the next follows ${rule.updateEvery} after this one`;
  add(c, {
    key: `shipment:update:${anchor}:${k}`,
    kind: "shipment.update_due",
    dueAt: at,
    why:
      anchor === delay.at
        ? `update ${k} owed to the customer (every ${rule.updateEvery} until delivered)${catchUp}`
        : `update ${k} owed to the customer since they were contacted at ${iso(anchor)} (every ${rule.updateEvery} until delivered)${catchUp}`,
    urgency: "normal",
    channels,
    rule: { name: "shipment delay", version: c.version, path: "playbook.shipmentDelay.updateEvery" },
    detail: { ...shipmentDetail, update: k, ...(missedSince === null ? {} : { missedSince }) },
  });
}

// ─────────────────────────────────────────────────────────────────────────────────────────────

/** Every timer the case needs now, earliest first. */
export function planTimers(input: PlanInput): PlannedTimer[] {
  const pin = pinAt(input.pins, input.now);
  const span = input.spans[input.spans.length - 1];
  const match = span?.match ?? null;
  const c: Ctx = {
    input,
    doc: pin.document,
    version: pin.version,
    policy: match?.policy ?? null,
    policyIndex: match?.index ?? null,
    out: [],
  };
  // The SLA timers follow the policy in force (its version may be older than the newest pin
  // only between a pin change and the next event, which the span list already reflects).
  if (span) c.version = span.version;
  for (const clock of input.clocks.clocks) planClock(c, clock);
  c.version = pin.version;
  planCallbacks(c);
  planBadRating(c);
  planGoingInCircles(c);
  planDisputeRisk(c);
  planShipment(c);
  applyOwnershipToPlan({ timers: c.out, state: input.state, clocks: input.clocks, doc: c.doc, version: span?.version ?? pin.version, policy: c.policy, policyIndex: c.policyIndex, fired: input.fired });
  const snooze = input.state.snoozedUntil;
  if (snooze !== null) {
    for (const t of c.out) if (!t.kind.startsWith("callback.") && t.dueAt < snooze) t.dueAt = snooze;
  }
  return c.out.sort((a, b) => a.dueAt - b.dueAt || a.key.localeCompare(b.key));
}
