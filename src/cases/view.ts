/** The case as the API shows it: state, clocks, every timer explained, and the timeline. */
import type { NoteRow, OutboxRow, PinRow, StoredEvent, TimerRow } from "./case-sql";
import type { MetricClock } from "../sla/index";
import type { Evaluation } from "./engine";
import { currentOwner } from "./ownership";
import type { RulesDocument } from "../rules/schema";
import type { DeliveryView } from "../notify/views";
import { API_SOURCE } from "../events/model";
import type { CaseObjectView, CaseView, ReminderDelivery } from "./schema";
import { safeLink } from "../lib/links";

export type { CaseObjectView, CaseView } from "./schema";

const iso = (t: number): string => new Date(t).toISOString();
const isoOrNull = (t: number | null | undefined): string | null => (t === null || t === undefined || !Number.isFinite(t) ? null : iso(t));

export interface ViewInput {
  now: number;
  storeId: string;
  caseId: string;
  evaluation: Evaluation;
  events: StoredEvent[];
  timers: TimerRow[];
  outbox: OutboxRow[];
  notes: NoteRow[];
  pins: PinRow[];
  /** The rules in force now: whether a helpdesk assignment counts as ownership is theirs to say. */
  document?: RulesDocument | undefined;
}

function summarize(e: StoredEvent["event"]): string {
  const parts: string[] = [e.kind];
  if (e.status) parts.push(`status ${e.status}${e.rawStatus ? ` (${e.rawStatus})` : ""}`);
  if (e.priority) parts.push(`priority ${e.priority}`);
  if (e.rating) parts.push(`rating ${e.rating.score}`);
  if (e.callback?.at) parts.push(`callback at ${e.callback.at}`);
  if (e.shipment?.reason) parts.push(e.shipment.reason);
  if (e.snoozeUntil) parts.push(`until ${e.snoozeUntil}`);
  // A reply recorded through the case API (a customer told by phone) says how, in its body.
  if (e.kind === "case.agent_reply" && e.provider === API_SOURCE && e.body) parts.push(e.body);
  return parts.join(" · ");
}

function timerView(t: TimerRow): CaseObjectView["timers"]["pending"][number] {
  return {
    key: t.id,
    kind: t.kind,
    state: t.state,
    dueAt: iso(t.dueAt),
    why: t.why,
    rule: t.rule,
    channels: t.spec.channels,
    urgency: t.spec.urgency,
    firedAt: isoOrNull(t.firedAt),
    lateByMs: t.firedAt === null ? null : t.firedAt - t.dueAt,
    cancelledBecause: t.state === "cancelled" ? t.closedReason : null,
    attempts: t.attempts,
    lastError: t.lastError,
  };
}

/** One SLA clock as the API shows it (the case view and the dry-run share it). */
export function clockView(c: MetricClock): CaseObjectView["clocks"][number] {
  return {
    metric: c.metric,
    status: c.status,
    startedAt: iso(c.startedAt),
    dueAt: isoOrNull(c.dueAt),
    targetMs: c.targetMs,
    usedMs: c.usedMs,
    remainingMs: c.remainingMs,
    breachedAt: isoOrNull(c.breachedAt),
    fulfilledAt: isoOrNull(c.fulfilledAt),
  };
}

function ownerView(s: Evaluation["state"], doc: RulesDocument | undefined): CaseObjectView["owner"] {
  const o = currentOwner(s.ownership, doc ?? null);
  return o ? { by: o.by, at: iso(o.at), via: o.via } : null;
}

export function caseView(v: ViewInput): CaseObjectView {
  const { state: s, clocks, spans } = v.evaluation;
  const span = spans[spans.length - 1];
  const pending = v.timers.filter((t) => t.state === "pending");
  return {
    caseId: v.caseId,
    storeId: v.storeId,
    type: s.type,
    key: Object.fromEntries(Object.entries(s.key).map(([k, val]) => [k, String(val)])),
    status: s.status,
    rawStatus: s.rawStatus ?? null,
    priority: s.priority ?? null,
    channel: s.channel ?? null,
    assignee: s.assignee ?? null,
    group: s.group ?? null,
    tags: s.tags,
    customer: s.customer,
    customerTags: s.customerTags ?? [],
    orderIds: s.orderIds,
    orderValue: s.orderValue ?? null,
    subject: s.subject ?? null,
    truncated: [...new Set(v.events.flatMap((e) => e.event.truncated ?? []))].sort(),
    url: safeLink(s.url) ?? null,
    openedAt: iso(s.openedAt),
    lastEventAt: iso(s.lastEventAt),
    counters: { customerMessages: s.customerMessages, customerMessagesSinceSolve: s.customerMessagesSinceSolve, agentReplies: s.agentReplies, reopenings: s.reopenings },
    snoozedUntil: isoOrNull(s.snoozedUntil),
    owner: ownerView(s, v.document),
    rules: {
      pins: v.pins.map((p) => ({ version: p.version, from: p.from > 0 ? iso(p.from) : null })),
      policy: span?.match ? { version: span.version, index: span.match.index, name: span.match.policy.name } : null,
    },
    clocks: clocks.clocks.map(clockView),
    cycles: clocks.cycles.map((c) => ({
      metric: c.metric,
      startedAt: iso(c.startedAt),
      endedAt: isoOrNull(c.endedAt),
      dueAt: c.dueAt !== null && Number.isFinite(c.dueAt) ? iso(c.dueAt) : null,
      targetMs: c.targetMs,
      usedMs: c.usedMs,
      pausedMs: c.pausedMs,
      outcome: c.outcome,
    })),
    idleMetrics: clocks.idle.map((m) => ({ metric: m.metric, targetMs: m.targetMs })),
    callbacks: s.callbacks.map((c) => ({
      id: c.id,
      at: isoOrNull(c.at),
      owner: c.owner ?? null,
      phone: c.phone ?? null,
      note: c.note ?? null,
      tag: c.tag ?? null,
      source: c.source,
      promisedAt: iso(c.promisedAt),
      doneAt: isoOrNull(c.doneAt),
      doneReason: c.doneReason ?? null,
    })),
    shipment: s.shipment
      ? {
          carrier: s.shipment.carrier,
          trackingNumber: s.shipment.trackingNumber,
          milestone: s.shipment.milestone,
          reason: s.shipment.reason ?? null,
          lastScanAt: isoOrNull(s.shipment.lastScanAt),
          estimatedDelivery: isoOrNull(s.shipment.estimatedDelivery),
          promisedDelivery: isoOrNull(s.shipment.promisedDelivery),
          deliveredAt: isoOrNull(s.shipment.deliveredAt),
          delaySignals: s.shipment.delaySignals.map((d) => ({ kind: d.kind, at: iso(d.at), reason: d.reason ?? null })),
        }
      : null,
    nextDueAt: pending[0] ? iso(pending[0].dueAt) : null,
    timers: {
      pending: pending.map(timerView),
      done: v.timers.filter((t) => t.state !== "pending").sort((a, b) => (a.firedAt ?? a.updatedAt) - (b.firedAt ?? b.updatedAt)).map(timerView),
    },
    timeline: {
      events: v.events.map((e) => ({
        eventId: e.eventId,
        kind: e.event.kind,
        provider: e.event.provider,
        occurredAt: iso(e.occurredAt),
        receivedAt: iso(e.receivedAt),
        stale: e.stale,
        summary: summarize(e.event),
      })),
      metricEvents: clocks.timeline.map((m) => ({ metric: m.metric, type: m.type, at: iso(m.at) })),
      reminders: v.outbox.map((o) => ({
        reminderId: o.reminderId,
        kind: o.kind,
        title: o.reminder.title,
        nextAction: o.reminder.nextAction,
        dueAt: o.reminder.dueAt,
        firedAt: iso(o.firedAt),
        channels: o.reminder.channels,
        outbox: o.state,
        dispatchAttempts: o.attempts,
        lastError: o.lastError,
      })),
      notes: v.notes.map((n) => ({ at: iso(n.at), kind: n.kind, text: n.text })),
    },
  };
}

function deliveryOf(d: DeliveryView): ReminderDelivery {
  return {
    id: d.id,
    channel: d.channel,
    state: d.state,
    attempts: d.attemptCount,
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    lastAttemptAt: d.lastAttemptAt,
    nextAttemptAt: d.nextAttemptAt,
    heldUntil: d.heldUntil,
    digestId: d.digestId,
    deliveredAt: d.deliveredAt,
    deadAt: d.deadAt,
  };
}

/**
 * The case view with each reminder's deliveries (one per channel) from the store's delivery log.
 * The case object only knows it handed a reminder over; what each channel made of it lives in
 * the registry, so the route joins the two.
 */
export function withDeliveries(view: CaseObjectView, deliveries: readonly DeliveryView[]): CaseView {
  const byReminder = new Map<string, ReminderDelivery[]>();
  for (const d of deliveries) {
    if (d.kind !== "reminder" || !d.reminder || d.reminder.caseId !== view.caseId) continue;
    const list = byReminder.get(d.reminder.id) ?? [];
    list.push(deliveryOf(d));
    byReminder.set(d.reminder.id, list);
  }
  return {
    ...view,
    timeline: { ...view.timeline, reminders: view.timeline.reminders.map((r) => ({ ...r, deliveries: byReminder.get(r.reminderId) ?? [] })) },
  };
}
