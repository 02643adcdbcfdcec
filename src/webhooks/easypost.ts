/**
 * EasyPost (carrier aggregator): `tracker.created` / `tracker.updated` events.
 *
 * The one scheme with a Unicode trap: EasyPost NFKD-normalizes the webhook secret before using
 * it as the HMAC key (published vector: secret "sécret"), so a secret with accents only verifies
 * if we do the same.
 */
import { z } from "zod";
import { fromHex, utf8 } from "../lib/crypto";
import type { ProviderAdapter } from "./adapter";
import { header, hmacMatchesAnySecret, toIsoInstant } from "./common";
import { easypostKind, etaLaterFromPayload, gatedEnvelope, joinLocation, latestBy, optionalText, shipmentEvent } from "./shipment-status";

const TRACKER_EVENTS = new Set(["tracker.created", "tracker.updated"]);

const TrackingLocation = z.looseObject({ city: optionalText, state: optionalText, country: optionalText, zip: optionalText }).nullish();

const Tracker = z.looseObject({
  tracking_code: z.string().min(1),
  carrier: z.string().min(1),
  status: z.string().min(1),
  status_detail: optionalText,
  updated_at: z.string().nullish(),
  est_delivery_date: z.string().nullish(),
  public_url: optionalText,
  tracking_details: z
    .array(
      z.looseObject({
        message: optionalText,
        description: optionalText,
        status: optionalText,
        status_detail: optionalText,
        datetime: z.string().nullish(),
        tracking_location: TrackingLocation,
      }),
    )
    .nullish(),
});

export const EasyPostPayload = gatedEnvelope(
  z.looseObject({
    id: z.string().min(1),
    description: z.string().min(1),
    created_at: z.string().nullish(),
    previous_attributes: z.looseObject({ status: z.string().nullish(), est_delivery_date: z.string().nullish() }).nullish(),
    result: z.unknown(),
  }),
  "result",
  Tracker,
  (env) => TRACKER_EVENTS.has(env.description),
);

export const EasyPostOptions = z.strictObject({});

const PREFIX = "hmac-sha256-hex=";

export const easypostAdapter: ProviderAdapter<typeof EasyPostPayload, "easypost"> = {
  id: "easypost",
  title: "EasyPost",
  kind: "carrier",
  optionsSchema: EasyPostOptions,
  schema: EasyPostPayload,

  async verify({ rawBody, headers, config }) {
    const signature = header(headers, "x-hmac-signature");
    if (signature === null) return { ok: false, code: "bad_signature", message: "missing X-Hmac-Signature header" };
    if (!signature.startsWith(PREFIX)) return { ok: false, code: "bad_signature", message: `X-Hmac-Signature must start with ${PREFIX}` };
    const keys = config.secrets.map((s) => utf8(s.normalize("NFKD")));
    const ok = await hmacMatchesAnySecret("SHA-256", keys, rawBody, fromHex(signature.slice(PREFIX.length)));
    return ok ? { ok: true } : { ok: false, code: "bad_signature", message: "X-Hmac-Signature does not match" };
  },

  async normalize({ storeId, payload, receivedAt }) {
    const tracker = payload.used;
    if (tracker === null) return { type: "ignored", reason: `EasyPost event "${payload.description}" is not a tracker event`, providerEventId: payload.id };
    const mapped = easypostKind(tracker.status, tracker.status_detail);
    if (mapped === null) return { type: "ignored", reason: `EasyPost tracker status "${tracker.status}" is not a shipment milestone`, providerEventId: payload.id };

    const latest = latestBy(tracker.tracking_details ?? [], (d) => toIsoInstant(d.datetime));
    const loc = latest?.tracking_location;
    const estimatedDelivery = toIsoInstant(tracker.est_delivery_date);
    const event = shipmentEvent({
      storeId,
      provider: "easypost",
      providerEventId: payload.id,
      // The carrier's scan time is when the milestone happened; the event's own time is when
      // EasyPost noticed, used only when the tracker has no history.
      occurredAt:
        toIsoInstant(latest?.datetime) ?? toIsoInstant(tracker.updated_at) ?? toIsoInstant(payload.created_at) ?? new Date(receivedAt).toISOString(),
      kind: mapped.kind,
      carrier: tracker.carrier,
      trackingNumber: tracker.tracking_code,
      rawStatus: tracker.status_detail ? `${tracker.status}/${tracker.status_detail}` : tracker.status,
      reason: latest?.message ?? latest?.description ?? mapped.reason,
      estimatedDelivery,
      location: joinLocation(loc?.city, loc?.state, loc?.country),
      url: tracker.public_url,
    });
    const etaLater = await etaLaterFromPayload(event, toIsoInstant(payload.previous_attributes?.est_delivery_date), estimatedDelivery);
    return { type: "events", events: etaLater ? [event, etaLater] : [event] };
  },

  setup(hookUrl) {
    return {
      steps: [
        "In the EasyPost dashboard open Account Settings › Webhooks and click \"Add Webhook\" (or POST /v2/webhooks).",
        `Environment: Production (add a second webhook in Test mode if you want test events). URL: ${hookUrl}`,
        "Set a Webhook Secret and save the same value here as this provider's secret. Non-ASCII secrets are fine: both sides NFKD-normalize it.",
        "EasyPost sends every event to every webhook; Promptly uses tracker.created and tracker.updated and acknowledges the rest as ignored.",
        "Create trackers (or buy labels) through EasyPost so that tracker events flow.",
      ],
    };
  },
};
