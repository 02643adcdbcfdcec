/**
 * 17TRACK (Tracking API v2.x): `TRACKING_UPDATED` pushes.
 *
 * The `sign` header is a plain SHA-256 of `body + "/" + securityKey`, not an HMAC, and nothing
 * is timestamped: there is no replay window, so dedupe on a derived id carries all the weight.
 */
import { z } from "zod";
import { anyConstantTimeEqual, concatBytes, sha256Hex, utf8 } from "../lib/crypto";
import type { ProviderAdapter } from "./adapter";
import { derivedEventId, header, toIsoInstant } from "./common";
import { gatedEnvelope, optionalText, seventeenTrackKind, shipmentEvent } from "./shipment-status";

const TrackData = z.looseObject({
  number: z.string().min(1),
  carrier: z.union([z.number(), z.string()]),
  tag: optionalText,
  track_info: z.looseObject({
    latest_status: z.looseObject({
      status: z.string().min(1),
      sub_status: optionalText,
      sub_status_descr: optionalText,
    }),
    latest_event: z
      .looseObject({ time_utc: z.string().nullish(), time_iso: z.string().nullish(), description: optionalText, location: optionalText })
      .nullish(),
    time_metrics: z
      .looseObject({ estimated_delivery_date: z.looseObject({ from: z.string().nullish(), to: z.string().nullish() }).nullish() })
      .nullish(),
    tracking: z
      .looseObject({ providers: z.array(z.looseObject({ provider: z.looseObject({ name: optionalText }).nullish() })).nullish() })
      .nullish(),
  }),
});

export const SeventeenTrackPayload = gatedEnvelope(
  z.looseObject({ event: z.string().min(1), data: z.unknown() }),
  "data",
  TrackData,
  (env) => env.event === "TRACKING_UPDATED",
);

export const SeventeenTrackOptions = z.strictObject({});

/** 17TRACK numeric carrier codes for the carriers whose names we canonicalize elsewhere. */
const CARRIER_CODES: Record<string, string> = { "100001": "dhl", "100002": "ups", "100003": "fedex", "21051": "usps" };

export const seventeenTrackAdapter: ProviderAdapter<typeof SeventeenTrackPayload, "17track"> = {
  id: "17track",
  title: "17TRACK",
  kind: "carrier",
  // 17TRACK retries every answer that is not exactly 200, a 202 included.
  successStatus: 200,
  optionsSchema: SeventeenTrackOptions,
  schema: SeventeenTrackPayload,

  async verify({ rawBody, headers, config }) {
    const sign = header(headers, "sign");
    if (sign === null) return { ok: false, code: "bad_signature", message: "missing sign header" };
    if (config.secrets.length === 0) return { ok: false, code: "bad_signature", message: "no security key configured" };
    const expected = await Promise.all(config.secrets.map((key) => sha256Hex(concatBytes(rawBody, utf8(`/${key}`)))));
    const ok = await anyConstantTimeEqual(sign.toLowerCase(), expected);
    return ok ? { ok: true } : { ok: false, code: "bad_signature", message: "sign does not match" };
  },

  async normalize({ storeId, payload, receivedAt }) {
    const data = payload.used;
    if (data === null) return { type: "ignored", reason: `17TRACK event "${payload.event}" is not used` };
    const info = data.track_info;
    const { status, sub_status: sub } = info.latest_status;
    const latest = info.latest_event;
    const eta = info.time_metrics?.estimated_delivery_date;
    // The window's end is the promise a customer holds the store to.
    const estimatedDelivery = toIsoInstant(eta?.to ?? eta?.from);
    const providerEventId = await derivedEventId(["17track", data.number, data.carrier, latest?.time_utc, status, sub, estimatedDelivery]);
    const mapped = seventeenTrackKind(status, sub);
    if (mapped === null) return { type: "ignored", reason: `17TRACK status "${status}" is not a shipment milestone`, providerEventId };

    const carrierName = info.tracking?.providers?.find((p) => p.provider?.name)?.provider?.name;
    const carrier = carrierName ?? CARRIER_CODES[String(data.carrier)] ?? `17track-${String(data.carrier)}`;
    return {
      type: "events",
      events: [
        shipmentEvent({
          storeId,
          provider: "17track",
          providerEventId,
          occurredAt: toIsoInstant(latest?.time_utc) ?? toIsoInstant(latest?.time_iso) ?? new Date(receivedAt).toISOString(),
          kind: mapped.kind,
          carrier,
          trackingNumber: data.number,
          rawStatus: sub ?? status,
          reason: latest?.description ?? info.latest_status.sub_status_descr ?? mapped.reason,
          estimatedDelivery,
          location: latest?.location,
          // 17TRACK's `tag` is the store's own label for the number, which stores set to the order.
          orderId: data.tag,
        }),
      ],
    };
  },

  setup(hookUrl) {
    return {
      steps: [
        "In the 17TRACK API console (api.17track.net) open Settings › Webhook.",
        `Set the WebHook URL to ${hookUrl} and save; choose webhook version v2.2 or later.`,
        "Copy the API Security Key (the same key used as 17token) and save it here as this provider's secret: 17TRACK signs with sha256(body + \"/\" + key).",
        "Register numbers (POST /track/v2.2/register); set `tag` to the order number so shipment cases carry it.",
      ],
    };
  },
};
