/**
 * Shippo: `track_updated` webhooks.
 *
 * Shippo signs only when support has enabled HMAC for the account (`Shippo-Auth-Signature:
 * t=…,v1=…` over `t + "." + body`, replay-windowed). Until then its documented fallback is a
 * token in the webhook URL's query string, so the store chooses the mode in the options.
 * Shippo sends no event id: dedupe uses the tracking status row's own id and date.
 */
import { z } from "zod";
import { anyConstantTimeEqual, concatBytes, fromHex, utf8 } from "../lib/crypto";
import type { ProviderAdapter } from "./adapter";
import { checkReplayWindow, derivedEventId, header, hmacMatchesAnySecret } from "./common";
import {
  etaLaterFromPayload,
  gatedEnvelope,
  joinLocation,
  optionalText,
  shipmentEvent,
  shippoKind,
  utcInstant,
} from "./shipment-status";

const Location = z.looseObject({ city: optionalText, state: optionalText, zip: optionalText, country: optionalText }).nullish();

const Track = z.looseObject({
  tracking_number: z.string().min(1),
  carrier: z.string().min(1),
  eta: z.string().nullish(),
  original_eta: z.string().nullish(),
  tracking_status: z.looseObject({
    object_id: z.string().nullish(),
    object_created: z.string().nullish(),
    object_updated: z.string().nullish(),
    status: z.string().min(1),
    status_details: optionalText,
    status_date: z.string().nullish(),
    substatus: z.looseObject({ code: optionalText, text: optionalText }).nullish(),
    location: Location,
  }),
});

export const ShippoPayload = gatedEnvelope(
  z.looseObject({ event: z.string().min(1), test: z.boolean().nullish(), data: z.unknown() }),
  "data",
  Track,
  (env) => env.event === "track_updated",
);

export const ShippoOptions = z.strictObject({
  /**
   * "hmac": Shippo-Auth-Signature (ask Shippo support to enable it). "token": the secret is
   * appended to the webhook URL as `?token=…`, Shippo's documented option for unsigned accounts.
   */
  auth: z.enum(["hmac", "token"]).default("hmac"),
});

/** `t=1700000000,v1=<hex>`; several v1 values are accepted (Shippo may send one per secret). */
function parseSignatureHeader(value: string): { t: string | null; v1: string[] } {
  let t: string | null = null;
  const v1: string[] = [];
  for (const part of value.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (k === "t") t = v;
    else if (k === "v1") v1.push(v);
  }
  return { t, v1 };
}

export const shippoAdapter: ProviderAdapter<typeof ShippoPayload, "shippo"> = {
  id: "shippo",
  title: "Shippo",
  kind: "carrier",
  optionsSchema: ShippoOptions,
  schema: ShippoPayload,

  async verify({ rawBody, headers, url, config, now }) {
    const options = ShippoOptions.safeParse(config.options);
    const auth = options.success ? options.data.auth : "hmac";
    if (auth === "token") {
      const token = url.searchParams.get("token");
      if (!token) return { ok: false, code: "bad_signature", message: "missing ?token= in the webhook URL" };
      const ok = config.secrets.length > 0 && (await anyConstantTimeEqual(token, config.secrets));
      return ok ? { ok: true } : { ok: false, code: "bad_signature", message: "token does not match" };
    }

    const value = header(headers, "shippo-auth-signature");
    if (value === null) return { ok: false, code: "bad_signature", message: "missing Shippo-Auth-Signature header" };
    const { t, v1 } = parseSignatureHeader(value);
    if (t === null || !/^\d{1,12}$/.test(t) || v1.length === 0) {
      return { ok: false, code: "bad_signature", message: "Shippo-Auth-Signature must look like t=<unix>,v1=<hex>" };
    }
    const signed = concatBytes(utf8(`${t}.`), rawBody);
    const results = await Promise.all(v1.map((sig) => hmacMatchesAnySecret("SHA-256", config.secrets, signed, fromHex(sig))));
    if (!results.some(Boolean)) return { ok: false, code: "bad_signature", message: "Shippo-Auth-Signature does not match" };
    // Checked after the signature so only a genuinely signed old delivery is reported as stale.
    return checkReplayWindow(Number(t) * 1000, now, config.toleranceSeconds);
  },

  async normalize({ storeId, payload, receivedAt }) {
    const track = payload.used;
    if (track === null) return { type: "ignored", reason: `Shippo event "${payload.event}" is not used` };
    const st = track.tracking_status;
    const providerEventId = await derivedEventId(["shippo", track.carrier, track.tracking_number, st.object_id, st.status_date, st.status, track.eta]);
    const mapped = shippoKind(st.status, st.substatus?.code);
    if (mapped === null) return { type: "ignored", reason: `Shippo status "${st.status}" is not a shipment milestone`, providerEventId };

    const estimatedDelivery = utcInstant(track.eta);
    const event = shipmentEvent({
      storeId,
      provider: "shippo",
      providerEventId,
      occurredAt: utcInstant(st.status_date) ?? utcInstant(st.object_updated ?? st.object_created) ?? new Date(receivedAt).toISOString(),
      kind: mapped.kind,
      carrier: track.carrier,
      trackingNumber: track.tracking_number,
      rawStatus: st.substatus?.code ? `${st.status}/${st.substatus.code}` : st.status,
      reason: st.status_details ?? st.substatus?.text ?? mapped.reason,
      estimatedDelivery,
      location: joinLocation(st.location?.city, st.location?.state, st.location?.country),
    });
    const etaLater = await etaLaterFromPayload(event, utcInstant(track.original_eta), estimatedDelivery);
    return { type: "events", events: etaLater ? [event, etaLater] : [event] };
  },

  setup(hookUrl) {
    return {
      steps: [
        "In the Shippo dashboard open Settings › Advanced › Webhooks and click \"Add webhook\".",
        "Event type: track_updated. Mode: Live (add a Test one too if you want test events).",
        `If Shippo support has enabled HMAC signatures for your account (option "auth": "hmac", the default): URL ${hookUrl} and save the HMAC secret Shippo gave you as this provider's secret.`,
        `Otherwise configure {"secrets": ["a long random secret"], "auth": "token"}, and paste the URL with the token appended: ${hookUrl}?token=YOUR_SECRET. Keep the whole URL under 200 characters (Shippo's limit).`,
        "Register each tracking number with Shippo (POST /tracks) or buy labels through Shippo so that track_updated events flow.",
      ],
    };
  },
};
