/**
 * Shopify (commerce): `fulfillment_events/create`, `fulfillments/create` and `fulfillments/update`.
 *
 * Shopify is where the order id and the customer's e-mail live, so its shipment events are what
 * lets a shipment case and a helpdesk ticket about the same order meet. Every other topic is
 * acknowledged and ignored.
 *
 * A fulfillment event names its fulfillment, not the parcel (no carrier, no tracking number), so
 * it is keyed by a stand-in, `shopify` + `fulfillment-<id>`; the fulfillment webhooks name both
 * and teach the store that stand-in (`alsoKnownAs`), so the parcel's events from Shopify and from
 * every carrier feed meet in one case.
 */
import { z } from "zod";
import { fromBase64 } from "../lib/crypto";
import type { ProviderAdapter } from "./adapter";
import { header, hmacMatchesAnySecret, toIsoInstant } from "./common";
import { signedBodyEventId } from "./signed-identity";
import type { CaseKey } from "../events/model";
import { canonicalCarrier, canonicalTrackingNumber, joinLocation, optionalText, shipmentEvent, shopifyKind } from "./shipment-status";

const USED_TOPICS = ["fulfillment_events/create", "fulfillments/create", "fulfillments/update"] as const;

/**
 * The topic is in a header, not the body, so the body schema can only require what every
 * Shopify resource has; the topic's own schema below is applied in `normalize` and its
 * `ZodError` (with field paths) is thrown for intake to answer 400.
 */
export const ShopifyPayload = z.looseObject({
  id: z.union([z.number(), z.string().min(1)]),
});

const ShopifyId = z.union([z.number(), z.string().min(1)]);

export const ShopifyFulfillmentEvent = z.looseObject({
  id: ShopifyId,
  fulfillment_id: ShopifyId,
  order_id: ShopifyId,
  status: z.string().min(1),
  message: optionalText,
  happened_at: z.string().nullish(),
  created_at: z.string().nullish(),
  updated_at: z.string().nullish(),
  estimated_delivery_at: z.string().nullish(),
  city: optionalText,
  province: optionalText,
  country: optionalText,
});

export const ShopifyFulfillment = z.looseObject({
  id: ShopifyId,
  order_id: ShopifyId,
  status: z.string().min(1),
  shipment_status: z.string().nullish(),
  tracking_company: optionalText,
  tracking_number: optionalText,
  tracking_numbers: z.array(z.string()).nullish(),
  tracking_url: optionalText,
  email: optionalText,
  name: optionalText,
  updated_at: z.string().nullish(),
  created_at: z.string().nullish(),
  destination: z
    .looseObject({ phone: optionalText, name: optionalText })
    .nullish(),
});

export const ShopifyOptions = z.strictObject({});

/**
 * Shopify ids exceed 2^53 (order 820982911946154508), so `JSON.parse` rounds them. The exact
 * digits are read back from the raw bytes, accepted only if they parse to the same number.
 */
function exactId(rawBody: Uint8Array, field: string, parsed: number | string): string {
  if (typeof parsed === "string" || Number.isSafeInteger(parsed)) return String(parsed);
  const text = new TextDecoder().decode(rawBody);
  const match = new RegExp(`"${field}"\\s*:\\s*(\\d+)`).exec(text);
  return match?.[1] !== undefined && Number(match[1]) === parsed ? match[1] : String(parsed);
}

/** The stand-in key of a fulfillment's parcel, the same whichever webhook builds it. */
function fulfillmentStandIn(fulfillmentId: string): Extract<CaseKey, { type: "shipment" }> {
  return { type: "shipment", carrier: canonicalCarrier("shopify"), trackingNumber: canonicalTrackingNumber(`fulfillment-${fulfillmentId}`) };
}

export const shopifyAdapter: ProviderAdapter<typeof ShopifyPayload, "shopify"> = {
  id: "shopify",
  title: "Shopify",
  kind: "commerce",
  eventHeader: "x-shopify-topic",
  optionsSchema: ShopifyOptions,
  schema: ShopifyPayload,

  async verify({ rawBody, headers, config }) {
    const signature = header(headers, "x-shopify-hmac-sha256");
    if (signature === null) return { ok: false, code: "bad_signature", message: "missing X-Shopify-Hmac-Sha256 header" };
    const ok = await hmacMatchesAnySecret("SHA-256", config.secrets, rawBody, fromBase64(signature));
    return ok ? { ok: true } : { ok: false, code: "bad_signature", message: "X-Shopify-Hmac-Sha256 does not match" };
  },

  async normalize({ storeId, payload, headers, rawBody, receivedAt }) {
    const headerTopic = header(headers, "x-shopify-topic") ?? "";
    // X-Shopify-Webhook-Id and X-Shopify-Topic are outside the signature: the signed bytes are
    // the identity, so the same body under a new webhook id is a duplicate.
    const providerEventId = await signedBodyEventId("shopify", rawBody);
    if (!(USED_TOPICS as readonly string[]).includes(headerTopic)) {
      return { type: "ignored", reason: `Shopify topic "${headerTopic || "(none)"}" is not used`, providerEventId };
    }
    // The body wins over the unsigned topic where it can tell: only a fulfillment event names its
    // fulfillment, so such a body is read as one whatever the header says (create and update of
    // a fulfillment are read alike). A body the header calls an event must then be one (400).
    const topic = headerTopic === "fulfillment_events/create" || Object.hasOwn(payload, "fulfillment_id") ? "fulfillment_events/create" : "fulfillments/update";
    // Unsigned too, so only a fallback for a body that carries no time of its own.
    const triggeredAt = toIsoInstant(header(headers, "x-shopify-triggered-at"));

    if (topic === "fulfillment_events/create") {
      const ev = ShopifyFulfillmentEvent.parse(payload);
      const mapped = shopifyKind(ev.status);
      if (mapped === null) return { type: "ignored", reason: `Shopify fulfillment event status "${ev.status}" is not a shipment milestone`, providerEventId };
      const standIn = fulfillmentStandIn(exactId(rawBody, "fulfillment_id", ev.fulfillment_id));
      // The order id travels too, so even a parcel whose real key is not known yet meets the
      // order's tickets.
      return {
        type: "events",
        events: [
          {
            ...shipmentEvent({
              storeId,
              provider: "shopify",
              providerEventId,
              occurredAt: toIsoInstant(ev.happened_at) ?? toIsoInstant(ev.created_at) ?? triggeredAt ?? new Date(receivedAt).toISOString(),
              kind: mapped.kind,
              carrier: standIn.carrier,
              trackingNumber: standIn.trackingNumber,
              rawStatus: ev.status,
              reason: ev.message ?? mapped.reason,
              estimatedDelivery: toIsoInstant(ev.estimated_delivery_at),
              location: joinLocation(ev.city, ev.province, ev.country),
              orderId: exactId(rawBody, "order_id", ev.order_id),
            }),
            standInKey: true,
          },
        ],
      };
    }

    const f = ShopifyFulfillment.parse(payload);
    const trackingNumber = f.tracking_number ?? f.tracking_numbers?.find((n) => n.trim() !== "");
    if (!trackingNumber) return { type: "ignored", reason: "Shopify fulfillment has no tracking number yet", providerEventId };

    let mapped = f.shipment_status ? shopifyKind(f.shipment_status) : null;
    if (mapped === null) {
      // No carrier milestone yet: the fulfillment's own status says whether a label exists.
      if (f.status === "cancelled") mapped = { kind: "shipment.exception", reason: "Fulfillment cancelled in Shopify" };
      else if (f.status === "failure" || f.status === "error") mapped = { kind: "shipment.exception", reason: `Fulfillment ${f.status} in Shopify` };
      else mapped = { kind: "shipment.label_created" };
    }
    return {
      type: "events",
      events: [
        {
          ...shipmentEvent({
            storeId,
            provider: "shopify",
            providerEventId,
            occurredAt: toIsoInstant(f.updated_at) ?? toIsoInstant(f.created_at) ?? triggeredAt ?? new Date(receivedAt).toISOString(),
            kind: mapped.kind,
            carrier: f.tracking_company ?? "unknown",
            trackingNumber,
            rawStatus: f.shipment_status ? `${f.status}/${f.shipment_status}` : f.status,
            reason: mapped.reason,
            orderId: exactId(rawBody, "order_id", f.order_id),
            customer: { email: f.email, phone: f.destination?.phone, name: f.destination?.name },
            url: f.tracking_url,
          }),
          alsoKnownAs: [fulfillmentStandIn(exactId(rawBody, "id", f.id))],
        },
      ],
    };
  },

  setup(hookUrl) {
    return {
      steps: [
        "In Shopify admin, open Settings › Notifications › Webhooks (or register the subscription from your app).",
        `Create a webhook for the event "Fulfillment event creation" (topic fulfillment_events/create), format JSON, URL: ${hookUrl}`,
        `Create two more webhooks with the same URL: "Fulfillment creation" (topic fulfillments/create) and "Fulfillment update" (topic fulfillments/update). They name the parcel's carrier and tracking number, which the fulfillment events do not, so all three land in one case per parcel.`,
        "Copy the signing secret shown under the webhook list (\"Your webhooks will be signed with …\"), or your app's client secret for app-registered webhooks, and save it as this provider's secret.",
        "While rotating an app secret, configure both the old and the new secret: Shopify keeps signing in-flight retries with the old one for up to an hour.",
      ],
    };
  },
};
