/**
 * AfterShip Tracking: `tracking_update` and `edd_revise` webhooks, in both the current
 * (2024+ / 2026-07, `latest_estimated_delivery`) and the legacy v4 (`expected_delivery`) shapes.
 *
 * The body's `ts` is not signed, so there is no replay window; dedupe is on `event_id`.
 */
import { z } from "zod";
import { fromBase64 } from "../lib/crypto";
import type { ProviderAdapter } from "./adapter";
import { header, hmacMatchesAnySecret, toIsoInstant } from "./common";
import {
  aftershipKind,
  etaLaterFromPayload,
  gatedEnvelope,
  joinLocation,
  latestBy,
  optionalText,
  shipmentEvent,
  zonedInstant,
} from "./shipment-status";

const USED_EVENTS = new Set(["tracking_update", "edd_revise"]);

const EstimateWindow = z.looseObject({ datetime: z.string().nullish(), datetime_min: z.string().nullish(), datetime_max: z.string().nullish() }).nullish();
const EstimateDate = z.looseObject({ estimated_delivery_date: z.string().nullish() }).nullish();

const Tracking = z.looseObject({
  tracking_number: z.string().min(1),
  slug: z.string().min(1),
  tag: z.string().min(1),
  subtag: optionalText,
  subtag_message: optionalText,
  order_id: z.union([z.string(), z.number()]).nullish(),
  order_number: optionalText,
  customer_name: optionalText,
  emails: z.array(z.string()).nullish(),
  smses: z.array(z.string()).nullish(),
  customers: z.array(z.looseObject({ email: optionalText, phone_number: optionalText, name: optionalText })).nullish(),
  updated_at: z.string().nullish(),
  last_updated_at: z.string().nullish(),
  courier_tracking_link: optionalText,
  // Estimates, newest field set first; the legacy v4 payload has only `expected_delivery`.
  latest_estimated_delivery: EstimateWindow,
  first_estimated_delivery: EstimateWindow,
  custom_estimated_delivery_date: EstimateWindow,
  courier_estimated_delivery_date: EstimateDate,
  aftership_estimated_delivery_date: EstimateDate,
  expected_delivery: z.string().nullish(),
  checkpoints: z
    .array(
      z.looseObject({
        checkpoint_time: z.string().nullish(),
        message: optionalText,
        location: optionalText,
        city: optionalText,
        state: optionalText,
        country_iso3: optionalText,
        country_region: optionalText,
      }),
    )
    .nullish(),
});

export const AfterShipPayload = gatedEnvelope(
  z.looseObject({
    event: z.string().min(1),
    event_id: z.string().min(1),
    ts: z.number().nullish(),
    msg: z.unknown(),
  }),
  "msg",
  Tracking,
  (env) => USED_EVENTS.has(env.event),
);

export const AfterShipOptions = z.strictObject({});

type TrackingT = z.infer<typeof Tracking>;

function currentEstimate(t: TrackingT): string | null {
  return (
    toIsoInstant(t.latest_estimated_delivery?.datetime ?? t.latest_estimated_delivery?.datetime_max) ??
    toIsoInstant(t.custom_estimated_delivery_date?.datetime) ??
    toIsoInstant(t.courier_estimated_delivery_date?.estimated_delivery_date) ??
    toIsoInstant(t.expected_delivery) ??
    toIsoInstant(t.aftership_estimated_delivery_date?.estimated_delivery_date)
  );
}

export const aftershipAdapter: ProviderAdapter<typeof AfterShipPayload, "aftership"> = {
  id: "aftership",
  title: "AfterShip",
  kind: "carrier",
  optionsSchema: AfterShipOptions,
  schema: AfterShipPayload,

  async verify({ rawBody, headers, config }) {
    const signature = header(headers, "aftership-hmac-sha256");
    if (signature === null) return { ok: false, code: "bad_signature", message: "missing aftership-hmac-sha256 header" };
    const ok = await hmacMatchesAnySecret("SHA-256", config.secrets, rawBody, fromBase64(signature));
    return ok ? { ok: true } : { ok: false, code: "bad_signature", message: "aftership-hmac-sha256 does not match" };
  },

  async normalize({ storeId, payload, receivedAt }) {
    const t = payload.used;
    if (t === null) return { type: "ignored", reason: `AfterShip event "${payload.event}" is not used`, providerEventId: payload.event_id };
    const mapped = aftershipKind(t.tag, t.subtag);
    if (mapped === null) return { type: "ignored", reason: `AfterShip tag "${t.tag}" is not a shipment milestone`, providerEventId: payload.event_id };

    const latest = latestBy(t.checkpoints ?? [], (c) => zonedInstant(c.checkpoint_time) ?? toIsoInstant(c.checkpoint_time));
    const estimatedDelivery = currentEstimate(t);
    const contact = t.customers?.[0];
    const event = shipmentEvent({
      storeId,
      provider: "aftership",
      providerEventId: payload.event_id,
      // Checkpoint times are local to the checkpoint and often zone-less: only trusted with a zone.
      occurredAt:
        zonedInstant(latest?.checkpoint_time) ??
        toIsoInstant(t.last_updated_at ?? t.updated_at) ??
        toIsoInstant(payload.ts) ??
        new Date(receivedAt).toISOString(),
      kind: mapped.kind,
      carrier: t.slug,
      trackingNumber: t.tracking_number,
      rawStatus: t.subtag ?? t.tag,
      reason: latest?.message ?? t.subtag_message ?? mapped.reason,
      estimatedDelivery,
      location: latest?.location ?? joinLocation(latest?.city, latest?.state, latest?.country_region ?? latest?.country_iso3),
      orderId: t.order_id ?? t.order_number,
      customer: {
        email: contact?.email ?? t.emails?.[0],
        phone: contact?.phone_number ?? t.smses?.[0],
        name: contact?.name ?? t.customer_name,
      },
      url: t.courier_tracking_link,
    });
    const baseline = toIsoInstant(t.first_estimated_delivery?.datetime ?? t.first_estimated_delivery?.datetime_max);
    const etaLater = await etaLaterFromPayload(event, baseline, estimatedDelivery);
    return { type: "events", events: etaLater ? [event, etaLater] : [event] };
  },

  setup(hookUrl) {
    return {
      steps: [
        "In AfterShip Tracking admin open Settings › Notifications › Webhooks (\"Webhook URL\").",
        `Add the webhook URL: ${hookUrl}`,
        "Subscribe to tracking updates for all statuses (InfoReceived, InTransit, OutForDelivery, AttemptFail, Delivered, AvailableForPickup, Exception, Expired) and to \"Estimated delivery date revised\" (edd_revise).",
        "Copy the Webhook secret shown on that page and save it here as this provider's secret (AfterShip signs with aftership-hmac-sha256).",
        "Use \"Send test webhook\" to check: Promptly answers 202.",
      ],
    };
  },
};
