/**
 * What the commerce and carrier adapters share: each carrier's status vocabulary mapped onto
 * `ShipmentKind`, carrier and tracking-number canonicalization (so the same parcel reported by
 * Shopify, EasyPost and AfterShip lands in one case), timestamp handling for carriers that send
 * zone-less times, and the event builder.
 *
 * Enums grow over time: every mapping has a default branch, and the carrier's raw status always
 * travels in `shipment.rawStatus` so rules can match on it even when our mapping is coarse.
 */
import { z } from "zod";
import type { CustomerContact, NormalizedEvent, ProviderId, ShipmentKind } from "../events/model";
import { derivedEventId, toIsoInstant } from "./common";

/** A carrier status mapped to a milestone, or null when it tells a support team nothing. */
export type ShipmentMapping = { kind: ShipmentKind; reason?: string } | null;

// ---------------------------------------------------------------------------------------------
// Schemas
// ---------------------------------------------------------------------------------------------

/**
 * An envelope whose inner object (`key`) is validated strictly only for the event types we use.
 * Other event types pass with the envelope alone, so they can be answered "ignored" rather than
 * 400 (a 4xx would make providers retry or disable the webhook). Inner issues keep their full
 * path (e.g. `result.tracking_code`) so the 400 says what is missing.
 */
export function gatedEnvelope<Env extends z.ZodType<Record<string, unknown>>, Inner extends z.ZodType>(
  envelope: Env,
  key: string,
  inner: Inner,
  isUsed: (env: z.infer<Env>) => boolean,
) {
  return envelope.transform((env, ctx): z.infer<Env> & { used: z.infer<Inner> | null } => {
    if (!isUsed(env)) return { ...env, used: null };
    const parsed = inner.safeParse(env[key]);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        ctx.addIssue({ code: "custom", message: issue.message, path: [key, ...issue.path], input: env[key] });
      }
      return z.NEVER;
    }
    return { ...env, used: parsed.data as z.infer<Inner> };
  });
}

/** Strings carriers send as null, "" or a real value; the empty forms mean "absent". */
export const optionalText = z
  .string()
  .nullish()
  .transform((v) => (v === null || v === undefined || v.trim() === "" ? undefined : v));

// ---------------------------------------------------------------------------------------------
// Identity: carrier + tracking number
// ---------------------------------------------------------------------------------------------

const CARRIER_ALIASES: Record<string, string> = {
  unitedparcelservice: "ups",
  upsground: "ups",
  federalexpress: "fedex",
  fedexground: "fedex",
  unitedstatespostalservice: "usps",
  stampscom: "usps",
  dhlexpress: "dhl",
  dhlecommerce: "dhl-ecommerce",
  canadapost: "canada-post",
  royalmail: "royal-mail",
  australiapost: "australia-post",
};

/**
 * One spelling per carrier ("FedEx", "fedex", "Federal Express" → "fedex"), because the case key
 * includes the carrier and Shopify, EasyPost and AfterShip each spell it their own way.
 */
export function canonicalCarrier(raw: string): string {
  const compact = raw.toLowerCase().replace(/[^a-z0-9]/g, "");
  if (compact === "") return "unknown";
  return CARRIER_ALIASES[compact] ?? compact;
}

/** Tracking numbers are case- and space-insensitive at every carrier we know of. */
export function canonicalTrackingNumber(raw: string): string {
  return raw.replace(/\s+/g, "").toUpperCase();
}

// ---------------------------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------------------------

const HAS_ZONE = /(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * For carriers whose API is documented as UTC but sometimes omits the zone (Shippo's
 * `2018-07-29T16:44:42.586`): read a zone-less date-time as UTC instead of the runtime's zone.
 */
export function utcInstant(value: string | number | null | undefined): string | null {
  if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}T/.test(value) && !HAS_ZONE.test(value)) {
    return toIsoInstant(`${value}Z`);
  }
  return toIsoInstant(value);
}

/**
 * Only times that say their zone. AfterShip checkpoint times are local to the checkpoint and
 * often zone-less; guessing UTC would shift them by hours, so those fall back to another field.
 */
export function zonedInstant(value: string | null | undefined): string | null {
  if (!value || !/T/.test(value) || !HAS_ZONE.test(value)) return null;
  return toIsoInstant(value);
}

/** The item with the latest time (carriers disagree on whether history is newest-first). */
export function latestBy<T>(items: readonly T[], time: (item: T) => string | null): T | undefined {
  let best: T | undefined;
  let bestMs = -Infinity;
  for (const item of items) {
    const t = time(item);
    const ms = t === null ? NaN : Date.parse(t);
    if (Number.isFinite(ms) && ms >= bestMs) {
      best = item;
      bestMs = ms;
    }
  }
  return best ?? items.at(-1);
}

/** True when `next` is strictly later than `previous` (both ISO instants). */
export function isLater(next: string | null | undefined, previous: string | null | undefined): boolean {
  if (!next || !previous) return false;
  return Date.parse(next) > Date.parse(previous);
}

export function joinLocation(...parts: (string | null | undefined)[]): string | undefined {
  const kept = parts.map((p) => p?.trim()).filter((p): p is string => !!p);
  return kept.length > 0 ? kept.join(", ") : undefined;
}

// ---------------------------------------------------------------------------------------------
// Event building
// ---------------------------------------------------------------------------------------------

export interface ShipmentFacts {
  storeId: string;
  provider: ProviderId;
  providerEventId: string;
  occurredAt: string;
  kind: ShipmentKind;
  carrier: string;
  trackingNumber: string;
  rawStatus?: string;
  reason?: string;
  /** Sent on every event, so the case can tell "moved later" by comparing with what it knows. */
  estimatedDelivery?: string | null;
  location?: string;
  orderId?: string | number | null;
  customer?: z.infer<typeof CustomerContact>;
  url?: string | null;
}

export function shipmentEvent(f: ShipmentFacts): NormalizedEvent {
  const carrier = canonicalCarrier(f.carrier);
  const trackingNumber = canonicalTrackingNumber(f.trackingNumber);
  const customer = f.customer && Object.values(f.customer).some((v) => v) ? f.customer : undefined;
  return {
    storeId: f.storeId,
    provider: f.provider,
    providerEventId: f.providerEventId,
    occurredAt: f.occurredAt,
    caseKey: { type: "shipment", carrier, trackingNumber },
    kind: f.kind,
    ...(f.rawStatus ? { rawStatus: f.rawStatus } : {}),
    ...(f.orderId !== undefined && f.orderId !== null && f.orderId !== "" ? { orderId: String(f.orderId) } : {}),
    ...(customer ? { customer } : {}),
    ...(f.url ? { url: f.url } : {}),
    shipment: {
      carrier,
      trackingNumber,
      ...(f.rawStatus ? { rawStatus: f.rawStatus } : {}),
      ...(f.reason ? { reason: f.reason.slice(0, 500) } : {}),
      ...(f.estimatedDelivery ? { estimatedDelivery: f.estimatedDelivery } : {}),
      ...(f.location ? { location: f.location } : {}),
    },
  };
}

/**
 * When one payload carries both the current and an earlier estimate (Shippo `original_eta`,
 * AfterShip `first_estimated_delivery`, EasyPost `previous_attributes`), a later current estimate
 * becomes an explicit `shipment.eta_later`. Its id is derived from the new estimate, so every
 * later delivery that repeats the same delayed date dedupes to this one event instead of
 * re-alerting.
 */
export async function etaLaterFromPayload(
  base: NormalizedEvent,
  previousEstimate: string | null | undefined,
  currentEstimate: string | null | undefined,
): Promise<NormalizedEvent | null> {
  if (!isLater(currentEstimate, previousEstimate) || base.kind === "shipment.delivered" || base.kind === "shipment.eta_later") {
    return null;
  }
  if (base.caseKey.type !== "shipment" || !base.shipment) return null;
  const providerEventId = await derivedEventId([base.provider, "eta_later", base.caseKey.carrier, base.caseKey.trackingNumber, currentEstimate]);
  return {
    ...base,
    providerEventId,
    kind: "shipment.eta_later",
    shipment: { ...base.shipment, reason: `Estimated delivery moved from ${previousEstimate} to ${currentEstimate}` },
  };
}

// ---------------------------------------------------------------------------------------------
// Status vocabularies (see provider-webhooks.md §4.1)
// ---------------------------------------------------------------------------------------------

const DELAY_WORDS = new Set(["delayed", "delivery_rescheduled", "reschedule_delivery"]);

/**
 * EasyPost `status_detail` values that report a delivery attempt that did not hand the parcel
 * over. EasyPost has no attempt status of its own: an attempt shows up as `in_transit` or
 * `failure` with one of these details (provider-webhooks.md §4.1). `delivery_exception` is the
 * carrier's "could not deliver" (nobody home, business closed, no safe place); `refused` is the
 * recipient turning it away at the door. The carrier's scan message says which, as the reason.
 */
const EASYPOST_ATTEMPT_DETAILS = new Set(["delivery_exception", "refused"]);

/** EasyPost Tracker `status` + `status_detail`. */
export function easypostKind(status: string, detail: string | undefined): ShipmentMapping {
  if (detail && DELAY_WORDS.has(detail)) return { kind: "shipment.eta_later" };
  if (detail === "return_to_sender" || status === "return_to_sender") return { kind: "shipment.returned" };
  if (detail && EASYPOST_ATTEMPT_DETAILS.has(detail) && (status === "in_transit" || status === "failure" || status === "out_for_delivery")) {
    return { kind: "shipment.delivery_failed" };
  }
  switch (status) {
    case "pre_transit":
      return { kind: "shipment.label_created" };
    case "in_transit":
      if (detail === "out_for_delivery") return { kind: "shipment.out_for_delivery" };
      if (detail === "held" || detail === "lost") return { kind: "shipment.exception" };
      return { kind: "shipment.in_transit" };
    case "out_for_delivery":
      return { kind: "shipment.out_for_delivery" };
    case "available_for_pickup":
      return { kind: "shipment.out_for_delivery", reason: "Available for pickup" };
    case "delivered":
      return { kind: "shipment.delivered" };
    case "failure":
    case "error":
      return { kind: "shipment.exception" };
    case "cancelled":
      return { kind: "shipment.exception", reason: "Tracker cancelled" };
    default:
      return null;
  }
}

/** Shippo `tracking_status.status` + `substatus.code`. */
export function shippoKind(status: string, substatus: string | undefined): ShipmentMapping {
  if (status === "RETURNED" || substatus === "return_to_sender") return { kind: "shipment.returned" };
  if (status === "DELIVERED") return { kind: "shipment.delivered" };
  if (substatus && DELAY_WORDS.has(substatus)) return { kind: "shipment.eta_later" };
  switch (substatus) {
    case "out_for_delivery":
    case "pickup_available":
      return { kind: "shipment.out_for_delivery" };
    case "delivery_attempted":
    case "notice_left":
    case "location_inaccessible":
      return { kind: "shipment.delivery_failed" };
    case "address_issue":
    case "contact_carrier":
    case "package_damaged":
    case "package_held":
    case "package_lost":
    case "package_undeliverable":
    case "package_unclaimed":
    case "package_disposed":
      return { kind: "shipment.exception" };
    default:
      break;
  }
  switch (status) {
    case "PRE_TRANSIT":
      return { kind: "shipment.label_created" };
    case "TRANSIT":
      return { kind: "shipment.in_transit" };
    case "FAILURE":
      return { kind: "shipment.exception" };
    default:
      return null;
  }
}

/** AfterShip `tag` + `subtag` (e.g. `Exception_011`). */
export function aftershipKind(tag: string, subtag: string | undefined): ShipmentMapping {
  switch (tag) {
    case "Pending":
    case "InfoReceived":
      return { kind: "shipment.label_created" };
    case "InTransit":
      return { kind: "shipment.in_transit" };
    case "OutForDelivery":
      return { kind: "shipment.out_for_delivery" };
    case "AvailableForPickup":
      return { kind: "shipment.out_for_delivery", reason: "Available for pickup" };
    case "AttemptFail":
      return { kind: "shipment.delivery_failed" };
    case "Delivered":
      return { kind: "shipment.delivered" };
    case "Exception":
      // Exception_010/011 are "returning to" / "returned to sender"; Exception_005 is an
      // unforeseen delay. Customs delays (Exception_004) stay exceptions: they need action.
      if (subtag === "Exception_010" || subtag === "Exception_011") return { kind: "shipment.returned" };
      if (subtag === "Exception_005") return { kind: "shipment.eta_later" };
      return { kind: "shipment.exception" };
    case "Expired":
      return { kind: "shipment.exception", reason: "Tracking expired: no carrier update for a long time" };
    default:
      return null;
  }
}

/** ShipEngine `status_code` (+ `status_detail_code` where the newer API sends it). */
export function shipengineKind(code: string, detail: string | undefined): ShipmentMapping {
  const d = detail?.toUpperCase();
  if (d?.includes("RETURN")) return { kind: "shipment.returned" };
  if (d === "OUT_FOR_DELIVERY") return { kind: "shipment.out_for_delivery" };
  // ShipEngine's standardized detail codes: a failed attempt often arrives under status IT.
  if (d === "ATTEMPTED_DELIVERY" || d === "ATTEMPTED_DELIVERY_FINAL" || d === "CUSTOMER_CARDED") return { kind: "shipment.delivery_failed" };
  if (d?.startsWith("AWAITING_COLLECTION")) return { kind: "shipment.out_for_delivery", reason: "Available at a collection location" };
  if (d === "DELAYED" || d === "DELIVERY_RESCHEDULED") return { kind: "shipment.eta_later" };
  switch (code) {
    case "AC":
    case "NY":
      return { kind: "shipment.label_created" };
    case "IT":
      return { kind: "shipment.in_transit" };
    case "AT":
      return { kind: "shipment.delivery_failed" };
    case "SP":
      return { kind: "shipment.out_for_delivery", reason: "Available at a collection location" };
    case "DE":
      return { kind: "shipment.delivered" };
    case "EX":
      return { kind: "shipment.exception" };
    default:
      return null;
  }
}

/** 17TRACK `latest_status.status` + `sub_status`. */
export function seventeenTrackKind(status: string, sub: string | undefined): ShipmentMapping {
  if (sub === "Exception_Returning" || sub === "Exception_Returned") return { kind: "shipment.returned" };
  if (sub === "Exception_Delayed") return { kind: "shipment.eta_later" };
  if (sub === "Exception_Cancel") return { kind: "shipment.exception", reason: "Shipment cancelled" };
  switch (status) {
    case "NotFound":
    case "InfoReceived":
      return { kind: "shipment.label_created" };
    case "InTransit":
      return { kind: "shipment.in_transit" };
    case "OutForDelivery":
      return { kind: "shipment.out_for_delivery" };
    case "AvailableForPickup":
      return { kind: "shipment.out_for_delivery", reason: "Available for pickup" };
    case "DeliveryFailure":
      return { kind: "shipment.delivery_failed" };
    case "Delivered":
      return { kind: "shipment.delivered" };
    case "Exception":
      return { kind: "shipment.exception" };
    case "Expired":
      return { kind: "shipment.exception", reason: "Tracking expired: no carrier update for a long time" };
    default:
      return null;
  }
}

/** Shopify FulfillmentEvent `status` (also Fulfillment `shipment_status`, a subset). */
export function shopifyKind(status: string): ShipmentMapping {
  switch (status) {
    case "label_printed":
    case "label_purchased":
    case "confirmed":
      return { kind: "shipment.label_created" };
    case "in_transit":
    case "carrier_picked_up":
      return { kind: "shipment.in_transit" };
    case "out_for_delivery":
      return { kind: "shipment.out_for_delivery" };
    case "ready_for_pickup":
    case "ready_for_recipient_pickup":
      return { kind: "shipment.out_for_delivery", reason: "Ready for pickup" };
    case "attempted_delivery":
      return { kind: "shipment.delivery_failed" };
    case "delivered":
    case "picked_up":
      return { kind: "shipment.delivered" };
    case "delayed":
      return { kind: "shipment.eta_later" };
    case "failure":
    case "buyer_action_required":
      return { kind: "shipment.exception" };
    case "returning_to_sender":
      return { kind: "shipment.returned" };
    default:
      return null;
  }
}
