/**
 * The one event model every provider is normalized into.
 *
 * Helpdesks and carriers speak different vocabularies; everything after intake (case state,
 * SLA clocks, timers, reminders, dry-run) reads only this. A field exists here only if a rule
 * or a reminder needs it.
 */
import { z } from "zod";

export const PROVIDERS = [
  "zendesk",
  "freshdesk",
  "gorgias",
  "helpscout",
  "zammad",
  "chatwoot",
  "intercom",
  "front",
  "shopify",
  "easypost",
  "aftership",
  "shippo",
  "17track",
  "shipengine",
  "custom",
] as const;
export const ProviderId = z.enum(PROVIDERS);
export type ProviderId = z.infer<typeof ProviderId>;

/**
 * Where an event came from: a provider's webhook, or Promptly's own case API (a callback promised
 * or done by phone, a snooze, a case resolved that no helpdesk knows about). API actions go
 * through the same event log so they are ordered, deduplicated and replayed like everything else.
 */
export const API_SOURCE = "promptly" as const;
export const EventSource = z.enum([...PROVIDERS, API_SOURCE]);
export type EventSource = z.infer<typeof EventSource>;

/** Support statuses every helpdesk status maps onto; the raw one travels alongside. */
export const CaseStatus = z.enum(["open", "pending", "on-hold", "waiting-on-third-party", "solved", "closed"]);
export type CaseStatus = z.infer<typeof CaseStatus>;

export const Priority = z.enum(["low", "normal", "high", "urgent"]);
export type Priority = z.infer<typeof Priority>;

export const Channel = z.enum(["email", "chat", "social", "phone", "marketplace", "web", "sms", "api", "other"]);
export type Channel = z.infer<typeof Channel>;

/** Shipment milestones, normalized from each carrier's status codes. */
export const ShipmentKind = z.enum([
  "shipment.label_created",
  "shipment.in_transit",
  "shipment.out_for_delivery",
  "shipment.delivery_failed",
  "shipment.exception",
  "shipment.eta_later",
  "shipment.delivered",
  "shipment.returned",
]);
export type ShipmentKind = z.infer<typeof ShipmentKind>;

export const EventKind = z.enum([
  "case.opened",
  "case.customer_message",
  "case.agent_reply",
  "case.agent_note",
  "case.status_changed",
  "case.priority_changed",
  "case.assignment_changed",
  "case.tags_changed",
  "case.rating",
  "case.callback_promised",
  /** A promised callback happened (or was withdrawn): its reminders stop. */
  "case.callback_done",
  /** Reminders wait until `snoozeUntil` (the customer asked us to wait, say). */
  "case.snoozed",
  /**
   * Who the customer is, restated as a whole: `customer` replaces the case's contact rather than
   * filling gaps (the helpdesk changed the ticket's requester, or Promptly looked the requester up
   * in the helpdesk's API, src/contacts). Without `customer` the old contact is simply dropped.
   */
  "case.contact_updated",
  /** Someone took the breach ("I'm on it"): its remaining escalation levels stop (`acknowledgement`). */
  "case.acknowledged",
  /** One warning fires again later, never past its due instant (`warningSnooze`). */
  "case.warning_snoozed",
  ...ShipmentKind.options,
]);
export type EventKind = z.infer<typeof EventKind>;

/**
 * An instant a support case can be about: 1970 to 2200. Anything outside is a broken clock or a
 * hostile payload, refused at intake (400 with the field path) rather than stored and then
 * choking the business-time engine, which works within 1900–2300.
 */
export const EARLIEST_EVENT_MS = Date.UTC(1970, 0, 1);
export const LATEST_EVENT_MS = Date.UTC(2200, 0, 1);
const isoInstant = z.iso.datetime({ offset: true }).refine(
  (s) => {
    const ms = Date.parse(s);
    return ms >= EARLIEST_EVENT_MS && ms < LATEST_EVENT_MS;
  },
  { error: "must be an instant between 1970 and 2200" },
);

export const CustomerContact = z.object({
  email: z.string().optional(),
  phone: z.string().optional(),
  name: z.string().optional(),
});

/** ISO 4217, as sources send it (Shopify `currency`, a store's own field): three capitals. */
export const CurrencyCode = z.string().regex(/^[A-Z]{3}$/, "must be a 3-letter ISO 4217 currency code in capitals, e.g. EUR");

/**
 * The value of the order a case is about, as the source states it: never converted, because a
 * rule comparing 500 EUR with 500 JPY is a wrong rule, not a rounding question.
 */
export const OrderValue = z.object({
  amount: z.number().nonnegative({ error: "an order value cannot be negative" }),
  /** Absent when the source gives only a number (a single-currency store's own field). */
  currency: CurrencyCode.optional(),
});
export type OrderValue = z.infer<typeof OrderValue>;

/**
 * Identifies the case an event belongs to. A ticket or conversation is keyed by its helpdesk id,
 * a shipment by carrier and tracking number, so events from different deliveries of the same
 * thing meet in one Durable Object.
 */
export const CaseKey = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ticket"), provider: ProviderId, ticketId: z.string().min(1) }),
  z.object({
    type: z.literal("shipment"),
    carrier: z.string().min(1),
    trackingNumber: z.string().min(1),
  }),
]);
export type CaseKey = z.infer<typeof CaseKey>;

export const NormalizedEvent = z.object({
  storeId: z.string(),
  provider: EventSource,
  /** The provider's own delivery/event id, or a stable hash of what identifies the change. */
  providerEventId: z.string().min(1),
  /** The provider's own timestamp for the change: order is decided by this, not arrival. */
  occurredAt: isoInstant,
  /**
   * The provider's own order among one case's events where it states one (a thread position, a
   * monotonic event or audit id): it orders events with the same `occurredAt`, whose timestamps
   * are often whole seconds. Without it, such events keep the order they arrived in.
   */
  sequence: z.number().int().nonnegative().optional(),
  caseKey: CaseKey,
  /**
   * The key is the source's stand-in for a case it cannot name: a Shopify fulfillment event names
   * its fulfillment, never the parcel's carrier and tracking number. If the store has learned the
   * real key (another event's `alsoKnownAs`), intake sends the event to that case instead.
   */
  standInKey: z.boolean().optional(),
  /**
   * Stand-in keys other events use for this same case (Shopify's fulfillment, for the parcel a
   * fulfillment ships). Intake remembers them in the store's registry before answering, so a
   * later event keyed by one of them (`standInKey`) meets this case rather than opening another.
   */
  alsoKnownAs: z.array(CaseKey).max(8).optional(),
  kind: EventKind,
  channel: Channel.optional(),
  customer: CustomerContact.optional(),
  /**
   * The helpdesk's own id of the ticket's requester, where the webhook names the person but not
   * (all of) their contact details (Zendesk's `requester_id`, Gorgias' customer id). The case
   * looks the requester up in the helpdesk's API when the store gave Promptly its credentials.
   */
  requesterId: z.string().min(1).max(200).optional(),
  orderId: z.string().optional(),
  /** The order's value where the source knows it; rules can match on it (`minOrderValue`). */
  orderValue: OrderValue.optional(),
  /**
   * The customer's full current tag list from the store's commerce or CRM side (e.g. "vip"),
   * never a partial one; rules match it as a customer segment (`segmentTags`).
   */
  customerTags: z.array(z.string().min(1)).optional(),
  subject: z.string().optional(),
  /** A link an agent can click to open the case in the source tool. */
  url: z.string().optional(),
  /** Fields present depending on kind. */
  status: CaseStatus.optional(),
  rawStatus: z.string().optional(),
  priority: Priority.optional(),
  assignee: z.string().optional(),
  group: z.string().optional(),
  tags: z.array(z.string()).optional(),
  rating: z.object({ score: z.enum(["good", "bad"]), comment: z.string().optional() }).optional(),
  callback: z
    .object({
      /** Identifies the promise: API callbacks get one; helpdesk ones default to the event id. */
      id: z.string().optional(),
      at: isoInstant.optional(),
      phone: z.string().optional(),
      owner: z.string().optional(),
      note: z.string().optional(),
      /** The helpdesk tag that signalled the promise: removing the tag means the call was made. */
      tag: z.string().optional(),
      /**
       * The promise was read from the tag alone (due the store's delay after tagging), from a
       * snapshot that cannot say whether the tag was just added. While an earlier promise with
       * the same tag is still open this only restates it; once that one is done (the tag was
       * removed), it is a new promise.
       */
      fromTag: z.boolean().optional(),
      /**
       * The custom field (as the store named it in `callbackField`) that holds the promise. A
       * `case.callback_done` naming a field (and no id) closes the open promise from that field:
       * the agent cleared it in the helpdesk.
       */
      field: z.string().optional(),
    })
    .optional(),
  snoozeUntil: isoInstant.optional(),
  /** Who took the case (`case.acknowledged`); see src/cases/ownership.ts. */
  acknowledgement: z
    .object({ by: z.string().min(1).max(200), via: z.enum(["api", "console", "slack", "helpdesk"]), note: z.string().max(1000).optional() })
    .optional(),
  /** Which warning fires again and when (`case.warning_snoozed`). */
  warningSnooze: z
    .object({ timerKey: z.string().min(1).max(500), metric: z.enum(["first_reply", "next_reply", "periodic_update", "resolution"]), dueAt: isoInstant, until: isoInstant, by: z.string().min(1).max(200) })
    .optional(),
  /** Fields whose customer-written text was cut at intake (see caps.ts); each ends in "…". */
  truncated: z.array(z.string()).max(32).optional(),
  /** Message text, kept short: used for dispute-word detection and reminder context only. */
  body: z.string().max(4000).optional(),
  shipment: z
    .object({
      carrier: z.string(),
      trackingNumber: z.string(),
      /** The carrier's own status code and human reason (e.g. "Held in customs"). */
      rawStatus: z.string().optional(),
      reason: z.string().optional(),
      estimatedDelivery: isoInstant.optional(),
      location: z.string().optional(),
    })
    .optional(),
});
export type NormalizedEvent = z.infer<typeof NormalizedEvent>;

/**
 * The event moved to the case its stand-in key names (see `standInKey`): a shipment event then
 * shows the parcel's real carrier and tracking number too.
 */
export function rekeyed(e: NormalizedEvent, key: CaseKey): NormalizedEvent {
  const shipment = key.type === "shipment" && e.shipment ? { ...e.shipment, carrier: key.carrier, trackingNumber: key.trackingNumber } : e.shipment;
  return { ...e, caseKey: key, ...(shipment ? { shipment } : {}) };
}

/** The case id shown in the API: readable, stable, unique within a store. */
export function caseIdOf(key: CaseKey): string {
  return key.type === "ticket"
    ? `ticket:${key.provider}:${key.ticketId}`
    : `shipment:${key.carrier.toLowerCase()}:${key.trackingNumber}`;
}

/**
 * The Durable Object name of a case. The store id is always taken from the authenticated
 * request or the verified webhook path, never from the body, so one store can never address
 * another store's case object.
 */
export function caseObjectName(storeId: string, caseId: string): string {
  return `${storeId}/${caseId}`;
}
