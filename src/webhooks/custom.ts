/**
 * `custom`: a store's own tooling posting our documented event JSON, signed with the Standard
 * Webhooks scheme (webhook-id, webhook-timestamp, webhook-signature = space-separated
 * "v1,<base64 HMAC-SHA256(secret bytes, id.timestamp.body)>"). Secrets are "whsec_<base64>"
 * (or bare base64), exactly as the `standardwebhooks` libraries expect, so any of them can sign.
 */
import { z } from "zod";
import { CaseStatus, Channel, CustomerContact, EventKind, NormalizedEvent, Priority } from "../events/model";
import { concatBytes, fromBase64, utf8 } from "../lib/crypto";
import type { NormalizeResult, ProviderAdapter, VerifyResult } from "./adapter";
import { checkReplayWindow, header, hmacMatchesAnySecret } from "./common";

const isoInstant = z.iso.datetime({ offset: true });

/** A case is a ticket in the store's own system, or a shipment (carrier + tracking number). */
export const CustomCaseKey = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("ticket"), ticketId: z.string().min(1).max(200) }),
  z.looseObject({ type: z.literal("shipment"), carrier: z.string().min(1).max(100), trackingNumber: z.string().min(1).max(100) }),
]);

/**
 * The documented custom payload: a NormalizedEvent without `storeId`/`provider` (both come from
 * the verified URL). `providerEventId` defaults to the webhook-id header, which Standard Webhooks
 * keeps stable across retries.
 */
export const CustomPayload = z.looseObject({
  providerEventId: z.string().min(1).max(200).optional(),
  occurredAt: isoInstant,
  /** Orders the store's events that share an instant (see NormalizedEvent.sequence). */
  sequence: NormalizedEvent.shape.sequence,
  caseKey: CustomCaseKey,
  kind: EventKind,
  channel: Channel.optional(),
  customer: CustomerContact.optional(),
  orderId: z.string().optional(),
  /** The store's own system knows what the order is worth and who the customer is (a VIP tag). */
  orderValue: NormalizedEvent.shape.orderValue,
  customerTags: NormalizedEvent.shape.customerTags,
  subject: z.string().optional(),
  url: z.string().optional(),
  status: CaseStatus.optional(),
  rawStatus: z.string().optional(),
  priority: Priority.optional(),
  assignee: z.string().optional(),
  group: z.string().optional(),
  tags: z.array(z.string()).optional(),
  rating: NormalizedEvent.shape.rating,
  callback: NormalizedEvent.shape.callback,
  snoozeUntil: NormalizedEvent.shape.snoozeUntil,
  body: z.string().max(4000).optional(),
  shipment: NormalizedEvent.shape.shipment,
}).superRefine((p, ctx) => {
  // What each kind needs to mean anything downstream.
  const need = (field: keyof typeof p, when: boolean) => {
    if (when && p[field] === undefined) ctx.addIssue({ code: "custom", path: [field], message: `${p.kind} needs ${field}` });
  };
  need("status", p.kind === "case.status_changed");
  need("priority", p.kind === "case.priority_changed");
  need("tags", p.kind === "case.tags_changed");
  need("rating", p.kind === "case.rating");
  need("callback", p.kind === "case.callback_promised" || p.kind === "case.callback_done");
  need("snoozeUntil", p.kind === "case.snoozed");
  // Marking a callback done names the promise it closes (its callback.id, or the promising event's id).
  if (p.kind === "case.callback_done" && p.callback !== undefined && p.callback.id === undefined) {
    ctx.addIssue({ code: "custom", path: ["callback", "id"], message: "case.callback_done needs callback.id: the id of the promise it closes" });
  }
  if (p.kind.startsWith("shipment.") && p.caseKey.type !== "shipment") ctx.addIssue({ code: "custom", path: ["caseKey", "type"], message: "shipment events need a shipment caseKey" });
});
export type CustomPayload = z.infer<typeof CustomPayload>;

export const CustomOptions = z.strictObject({});

/** "whsec_<base64>" or bare base64, as in the Standard Webhooks libraries; anything else is used as UTF-8 text. */
export function customSecretBytes(secret: string): Uint8Array {
  const b64 = secret.startsWith("whsec_") ? secret.slice(6) : secret;
  const decoded = fromBase64(b64);
  // An HMAC key cannot be empty: "whsec_" alone is used as text rather than failing every delivery with a 5xx.
  return decoded !== null && decoded.length > 0 ? decoded : utf8(secret);
}

export const customAdapter: ProviderAdapter<typeof CustomPayload, "custom"> = {
  id: "custom",
  title: "Custom (Standard Webhooks)",
  shortName: "your system",
  kind: "custom",
  optionsSchema: CustomOptions,
  schema: CustomPayload,

  async verify(input): Promise<VerifyResult> {
    const id = header(input.headers, "webhook-id");
    const timestamp = header(input.headers, "webhook-timestamp");
    const signatures = header(input.headers, "webhook-signature");
    if (id === null || timestamp === null || signatures === null) return { ok: false, code: "bad_signature", message: "missing webhook-id, webhook-timestamp or webhook-signature" };
    const data = concatBytes(utf8(`${id}.${timestamp}.`), input.rawBody);
    const secrets = input.config.secrets.map(customSecretBytes);
    const provided = signatures
      .split(" ")
      .filter((s) => s.startsWith("v1,"))
      .slice(0, 10)
      .map((s) => fromBase64(s.slice(3)));
    const results = await Promise.all(provided.map((sig) => hmacMatchesAnySecret("SHA-256", secrets, data, sig)));
    if (!results.some(Boolean)) return { ok: false, code: "bad_signature", message: "no v1 signature in webhook-signature matches a configured secret" };
    return checkReplayWindow(/^\d+$/.test(timestamp) ? Number(timestamp) * 1000 : Number.NaN, input.now, input.config.toleranceSeconds);
  },

  normalize({ storeId, payload, headers }): NormalizeResult {
    const { caseKey, providerEventId, ...rest } = payload;
    const eventId = providerEventId ?? header(headers, "webhook-id") ?? "";
    const event = NormalizedEvent.parse({
      ...rest,
      storeId,
      provider: "custom",
      providerEventId: eventId,
      caseKey: caseKey.type === "ticket" ? { type: "ticket", provider: "custom", ticketId: caseKey.ticketId } : { type: "shipment", carrier: caseKey.carrier, trackingNumber: caseKey.trackingNumber },
    });
    return { type: "events", events: [event] };
  },

  setup(hookUrl) {
    return {
      steps: [
        `POST the event JSON (docs/events.md describes every field; docs/providers.md, "Custom") to ${hookUrl}.`,
        "Sign it with any Standard Webhooks library (standardwebhooks on npm/PyPI, svix): headers webhook-id, webhook-timestamp, webhook-signature.",
        "Save the signing secret (\"whsec_…\") as this provider's secret in Promptly; up to two can be live during rotation.",
      ],
      template: {
        occurredAt: "2026-03-02T09:30:00Z",
        caseKey: { type: "ticket", ticketId: "T-1042" },
        kind: "case.customer_message",
        channel: "email",
        customer: { email: "ana@example.com" },
        orderId: "1042",
        subject: "Where is my order?",
        body: "Hi, my parcel has not arrived yet.",
      },
    };
  },
};
