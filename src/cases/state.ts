/**
 * Case state: what a support lead would say about a case right now, folded from its events.
 *
 * Pure (no Cloudflare imports). Events are applied in the order of their own timestamps, so a
 * late delivery takes its place in history instead of overwriting something newer: the case
 * engine applies an event onto the state only when it comes after every event applied so far,
 * and otherwise derives the state again from the whole log, never patching in arrival order.
 */
import type { CaseKey, CaseStatus, Channel, NormalizedEvent, OrderValue, Priority, ShipmentKind } from "../events/model";
import { caseIdOf } from "../events/model";
import { safeLink } from "../lib/links";
import { applyOwnershipEvent, emptyOwnership, type OwnershipState } from "./ownership";

export interface CaseEvent {
  /** `${provider}:${providerEventId}`: the dedupe key. */
  eventId: string;
  occurredAt: number;
  event: NormalizedEvent;
  /**
   * Arrival order in the case's log (its row number): orders events with the same instant when
   * the provider states no `sequence` of its own. Every stored event has one; events built in
   * memory (dry-runs, simulations) have none and fall back to the kind order below.
   */
  order?: number | undefined;
}

export interface CallbackPromise {
  id: string;
  /** The promised instant; null when the promise named no time (then it cannot be reminded). */
  at: number | null;
  phone?: string | undefined;
  owner?: string | undefined;
  note?: string | undefined;
  tag?: string | undefined;
  /** The helpdesk custom field that holds the promise: clearing it there closes the promise. */
  field?: string | undefined;
  /** Helpdesk tag/field, or Promptly's API. */
  source: "helpdesk" | "api";
  promisedAt: number;
  doneAt: number | null;
  doneReason?: string | undefined;
}

export interface SatisfactionRating {
  score: "good" | "bad";
  comment?: string | undefined;
  at: number;
}

export interface DelaySignal {
  kind: "exception" | "failed_attempt" | "eta_later" | "returned";
  at: number;
  reason?: string | undefined;
}

export interface ShipmentState {
  carrier: string;
  trackingNumber: string;
  milestone: ShipmentKind | null;
  labelCreatedAt: number | null;
  /** The first scan that shows the carrier has the parcel (in transit or later). */
  firstScanAt: number | null;
  /** The latest carrier scan of any kind (label creation excluded). */
  lastScanAt: number | null;
  deliveredAt: number | null;
  returnedAt: number | null;
  /** The first delivery estimate we heard: what the customer was promised. */
  promisedDelivery: number | null;
  estimatedDelivery: number | null;
  /** The carrier's latest human reason ("Held in customs"). */
  reason?: string | undefined;
  location?: string | undefined;
  /** Explicit delay signals from the carrier, in time order. */
  delaySignals: DelaySignal[];
}

export interface CaseState {
  caseId: string;
  key: CaseKey;
  type: CaseKey["type"];
  /** The provider that reported the case first. */
  provider: string;
  openedAt: number;
  lastEventAt: number;
  /** Whether the log holds an explicit `case.opened` (otherwise the first event stands in). */
  openedExplicitly: boolean;
  status: CaseStatus | null;
  rawStatus?: string | undefined;
  priority: Priority | undefined;
  channel: Channel | undefined;
  assignee?: string | undefined;
  group?: string | undefined;
  tags: string[];
  customer: { email?: string; phone?: string; name?: string };
  orderIds: string[];
  /** The latest order value a source stated (by event time); undefined while none has. */
  orderValue?: OrderValue | undefined;
  /** The customer's tag list as last stated (by event time); undefined while no source said. */
  customerTags?: string[] | undefined;
  subject?: string | undefined;
  url?: string | undefined;
  /** Customer messages since the case was last solved (or opened). */
  customerMessagesSinceSolve: number;
  customerMessages: number;
  agentReplies: number;
  reopenings: number;
  lastCustomerMessageAt: number | null;
  lastAgentReplyAt: number | null;
  solvedAt: number | null;
  ratings: SatisfactionRating[];
  callbacks: CallbackPromise[];
  snoozedUntil: number | null;
  snoozeReason?: string | undefined;
  /** Who took the case's breaches, and which warnings were snoozed (src/cases/ownership.ts). */
  ownership: OwnershipState;
  shipment: ShipmentState | null;
}

const RESOLVED: readonly CaseStatus[] = ["solved", "closed"];
export const isResolvedStatus = (s: CaseStatus | null | undefined): boolean => s !== null && s !== undefined && RESOLVED.includes(s);

/**
 * Same-instant order: the case exists before anything happens to it, a customer message comes
 * before the reply to it, and a status set together with a reply applies after the reply.
 */
const RANK: Partial<Record<NormalizedEvent["kind"], number>> = {
  "case.opened": 0,
  "case.priority_changed": 1,
  "case.tags_changed": 1,
  "case.assignment_changed": 1,
  "case.customer_message": 2,
  "case.agent_reply": 3,
  "case.agent_note": 4,
  "case.status_changed": 5,
};

export const compareCaseEvents = (a: CaseEvent, b: CaseEvent): number =>
  a.occurredAt - b.occurredAt ||
  sameInstantOrder(a, b) ||
  (RANK[a.event.kind] ?? 3) - (RANK[b.event.kind] ?? 3) ||
  (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);

/** Kinds that set the scene (the case, its priority, tags, assignee) come before what happens in it. */
const SCENE_RANK = 1;

/**
 * How two events with the same instant happened: the provider's own `sequence` when both come
 * from the same provider with one, else their arrival order. 0 when neither is known (events
 * built in memory), or for scene-setting kinds, which keep their place before the conversation:
 * helpdesk timestamps are often whole seconds, and a reply that came after a customer message in
 * the same second must not be taken as answering it when it came before.
 */
export function sameInstantOrder(a: CaseEvent, b: CaseEvent): number {
  if ((RANK[a.event.kind] ?? 3) <= SCENE_RANK || (RANK[b.event.kind] ?? 3) <= SCENE_RANK) return 0;
  const sa = a.event.sequence;
  const sb = b.event.sequence;
  if (sa !== undefined && sb !== undefined && a.event.provider === b.event.provider && sa !== sb) return sa - sb;
  if (a.order !== undefined && b.order !== undefined) return a.order - b.order;
  return 0;
}

/**
 * Events in the order they happened; same-instant ties by the provider's sequence, else arrival
 * (`order`), else kind, then event id.
 * A case's stored log comes in time order almost always (by instant; same-instant ties may need
 * the kind order) and a fold sorts it more than once, so an ordered list is only copied.
 */
export function sortCaseEvents<T extends CaseEvent>(events: readonly T[]): T[] {
  for (let i = 1; i < events.length; i++) {
    if (compareCaseEvents(events[i - 1]!, events[i]!) > 0) return [...events].sort(compareCaseEvents);
  }
  return events.slice();
}

/** A carrier scan: every shipment milestone except the label, which the shop creates, not the carrier. */
export function isCarrierScan(kind: NormalizedEvent["kind"]): boolean {
  return kind.startsWith("shipment.") && kind !== "shipment.label_created";
}

function emptyState(first: CaseEvent): CaseState {
  const key = first.event.caseKey;
  return {
    caseId: caseIdOf(key),
    key,
    type: key.type,
    provider: first.event.provider,
    openedAt: first.occurredAt,
    lastEventAt: first.occurredAt,
    openedExplicitly: false,
    status: null,
    priority: undefined,
    channel: undefined,
    tags: [],
    customer: {},
    orderIds: [],
    customerMessagesSinceSolve: 0,
    customerMessages: 0,
    agentReplies: 0,
    reopenings: 0,
    lastCustomerMessageAt: null,
    lastAgentReplyAt: null,
    solvedAt: null,
    ratings: [],
    callbacks: [],
    snoozedUntil: null,
    ownership: emptyOwnership(),
    shipment:
      key.type === "shipment"
        ? {
            carrier: key.carrier,
            trackingNumber: key.trackingNumber,
            milestone: null,
            labelCreatedAt: null,
            firstScanAt: null,
            lastScanAt: null,
            deliveredAt: null,
            returnedAt: null,
            promisedDelivery: null,
            estimatedDelivery: null,
            delaySignals: [],
          }
        : null,
  };
}

function setStatus(s: CaseState, status: CaseStatus, at: number): void {
  const was = s.status;
  if (status === was) return;
  if (isResolvedStatus(status) && !isResolvedStatus(was)) {
    s.solvedAt = at;
    s.customerMessagesSinceSolve = 0;
  } else if (!isResolvedStatus(status) && isResolvedStatus(was)) {
    s.reopenings += 1;
    s.solvedAt = null;
  }
  s.status = status;
}

function applyShipment(s: CaseState, e: NormalizedEvent, at: number): void {
  const sh = s.shipment;
  if (!sh || !e.kind.startsWith("shipment.")) return;
  const kind = e.kind as ShipmentKind;
  if (e.shipment?.reason) sh.reason = e.shipment.reason;
  if (e.shipment?.location) sh.location = e.shipment.location;
  const eta = e.shipment?.estimatedDelivery ? Date.parse(e.shipment.estimatedDelivery) : NaN;
  if (Number.isFinite(eta)) {
    sh.promisedDelivery ??= eta;
    sh.estimatedDelivery = eta;
  }
  if (kind === "shipment.label_created") sh.labelCreatedAt ??= at;
  if (isCarrierScan(kind)) {
    sh.firstScanAt ??= at;
    sh.lastScanAt = at;
  }
  // A milestone after delivery (a late "in transit" scan) does not undo the delivery.
  if (sh.deliveredAt === null || kind === "shipment.delivered") sh.milestone = kind;
  const reason = e.shipment?.reason;
  switch (kind) {
    case "shipment.delivered":
      sh.deliveredAt ??= at;
      break;
    case "shipment.returned":
      sh.returnedAt ??= at;
      sh.delaySignals.push({ kind: "returned", at, reason });
      break;
    case "shipment.exception":
      sh.delaySignals.push({ kind: "exception", at, reason });
      break;
    case "shipment.delivery_failed":
      sh.delaySignals.push({ kind: "failed_attempt", at, reason });
      break;
    case "shipment.eta_later":
      sh.delaySignals.push({ kind: "eta_later", at, reason });
      break;
    default:
      break;
  }
}

function applyCallback(s: CaseState, c: CaseEvent): void {
  const e = c.event;
  const cb = e.callback;
  if (e.kind === "case.callback_promised") {
    const source = e.provider === "promptly" ? "api" : "helpdesk";
    if (source === "helpdesk" && cb?.fromTag && cb.tag) {
      // A snapshot still carrying the tag restates the open promise; it must not move its due time.
      const tag = cb.tag.toLowerCase();
      if (s.callbacks.some((old) => old.source === "helpdesk" && old.doneAt === null && old.tag?.toLowerCase() === tag)) return;
    }
    // A helpdesk holds one promise per case (its tag or field): a new one replaces the old.
    if (source === "helpdesk") {
      for (const old of s.callbacks) {
        if (old.source === "helpdesk" && old.doneAt === null) {
          old.doneAt = c.occurredAt;
          old.doneReason = "replaced by a newer promise";
        }
      }
    }
    const at = cb?.at ? Date.parse(cb.at) : NaN;
    s.callbacks.push({
      id: cb?.id ?? c.eventId,
      at: Number.isFinite(at) ? at : null,
      phone: cb?.phone ?? s.customer.phone,
      owner: cb?.owner ?? s.assignee,
      note: cb?.note,
      tag: cb?.tag,
      field: cb?.field,
      source,
      promisedAt: c.occurredAt,
      doneAt: null,
    });
  } else if (e.kind === "case.callback_done") {
    // A helpdesk field that was cleared names no promise id: it closes that field's open promise.
    const byField = cb?.id === undefined && cb?.field !== undefined ? cb.field.toLowerCase() : undefined;
    const target = s.callbacks.find((x) => x.doneAt === null && (byField !== undefined ? x.source === "helpdesk" && x.field?.toLowerCase() === byField : x.id === cb?.id));
    if (target) {
      target.doneAt = c.occurredAt;
      target.doneReason = cb?.note ?? "marked done";
    }
  }
}

/** Folds a case's events (any order) into its state; null for an empty log. */
export function foldCaseState(events: readonly CaseEvent[]): CaseState | null {
  const sorted = sortCaseEvents(events);
  const first = sorted[0];
  if (!first) return null;
  const s = emptyState(first);
  for (const c of sorted) applyCaseEvent(s, c);
  return s;
}

export function applyCaseEvent(s: CaseState, c: CaseEvent): void {
  const e = c.event;
  const at = c.occurredAt;
  s.lastEventAt = Math.max(s.lastEventAt, at);
  if (e.channel && s.channel === undefined) s.channel = e.channel;
  // A restated contact is a whole: a new requester must not keep the previous one's phone.
  if (e.kind === "case.contact_updated") s.customer = {};
  if (e.customer) {
    if (e.customer.email) s.customer.email = e.customer.email;
    if (e.customer.phone) s.customer.phone = e.customer.phone;
    if (e.customer.name) s.customer.name = e.customer.name;
  }
  if (e.orderId && !s.orderIds.includes(e.orderId)) s.orderIds.push(e.orderId);
  // Like the case's own tags: each statement is the whole current value, so the latest replaces it.
  if (e.orderValue) s.orderValue = { ...e.orderValue };
  if (e.customerTags) s.customerTags = [...e.customerTags];
  if (e.subject) s.subject = e.subject;
  // Only http(s): a sender's `javascript:` link must never reach a view, a list or a reminder.
  if (e.url && safeLink(e.url)) s.url = e.url;
  if (e.priority) s.priority = e.priority;
  applyOwnershipEvent(s.ownership, c, s.assignee);
  if (e.assignee !== undefined) s.assignee = e.assignee;
  if (e.group !== undefined) s.group = e.group;
  if (e.tags) s.tags = [...e.tags];
  if (e.rawStatus && !e.kind.startsWith("shipment.")) s.rawStatus = e.rawStatus;

  switch (e.kind) {
    case "case.opened":
      s.openedExplicitly = true;
      s.openedAt = Math.min(s.openedAt, at);
      if (e.status) setStatus(s, e.status, at);
      else if (s.status === null) s.status = "open";
      break;
    case "case.status_changed":
      if (e.status) setStatus(s, e.status, at);
      break;
    case "case.customer_message":
      s.customerMessages += 1;
      s.customerMessagesSinceSolve += 1;
      s.lastCustomerMessageAt = at;
      break;
    case "case.agent_reply":
      s.agentReplies += 1;
      s.lastAgentReplyAt = at;
      break;
    case "case.rating":
      if (e.rating) s.ratings.push({ score: e.rating.score, comment: e.rating.comment, at });
      break;
    case "case.callback_promised":
    case "case.callback_done":
      applyCallback(s, c);
      break;
    case "case.snoozed": {
      const until = e.snoozeUntil ? Date.parse(e.snoozeUntil) : NaN;
      s.snoozedUntil = Number.isFinite(until) ? until : null;
      s.snoozeReason = e.body;
      break;
    }
    default:
      applyShipment(s, e, at);
  }
  if (e.kind !== "case.opened" && e.kind !== "case.status_changed" && e.status) setStatus(s, e.status, at);
  // A promise signalled by a tag is kept while the tag is on the case: removing it means done.
  if (e.tags) {
    const tags = new Set(e.tags.map((t) => t.toLowerCase()));
    for (const cb of s.callbacks) {
      if (cb.doneAt === null && cb.tag && cb.promisedAt < at && !tags.has(cb.tag.toLowerCase())) {
        cb.doneAt = at;
        cb.doneReason = `tag "${cb.tag}" removed`;
      }
    }
  }
}
