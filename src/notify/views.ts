/** What the delivery log shows an admin: one row per reminder × channel, with every attempt. */
import { z } from "zod";
import { DeliveryKind } from "./messages";

const STATES = ["pending", "held", "delivered", "dead", "skipped", "no_channels"] as const;

/** Each state in words: the one text the OpenAPI document and docs/notifications.md share. */
export const DELIVERY_STATE_MEANINGS: { readonly [S in (typeof STATES)[number]]: string } = {
  pending: "queued, being sent, or waiting for its next retry",
  held: "a normal-urgency reminder waiting for quiet hours to end (`heldUntil`)",
  delivered: "the channel accepted it (2xx)",
  dead: "a permanent error, retries exhausted, or a channel the rules do not define; `POST …/deliveries/:id/retry` sends it again with the same idempotency key",
  skipped:
    "the channel does not apply to this reminder: a helpdesk note channel, and a case with no ticket of that helpdesk (a shipment with no open ticket, a ticket from another helpdesk or the `custom` provider), or a warning whose target's breach fired before it was ever tried (dropped from a quiet-hours digest, or from a re-send after its queue message was lost). Nothing is sent, the channel's health is untouched, and `skippedBecause` says why",
  no_channels: "the rule that fired names no channel, so nobody was told (shown so the gap is visible)",
};

export const DeliveryState = z.enum(STATES).meta({
  description: Object.entries(DELIVERY_STATE_MEANINGS)
    .map(([state, meaning]) => `\`${state}\`: ${meaning}.`)
    .join(" "),
});
export type DeliveryState = z.infer<typeof DeliveryState>;

/** `skipped`: found at send time that the channel does not apply (its type changed since dispatch); not a failure. */
export const AttemptOutcome = z.enum(["delivered", "retry", "dead", "skipped", "requeued"]);
export type AttemptOutcome = z.infer<typeof AttemptOutcome>;

export const DeliveryAttempt = z.object({
  attempt: z.number().int().meta({ description: "1 for the first try; manual retries continue the count." }),
  at: z.string(),
  durationMs: z.number().int(),
  /** The receiver's HTTP status; null for a timeout, a network error, or bookkeeping entries. */
  status: z.number().int().nullable(),
  error: z.string().nullable(),
  outcome: AttemptOutcome,
  /** When the next try is due (retries only): `Retry-After` when the receiver sent one, else backoff. */
  retryAt: z.string().nullable(),
  /** `queue` (a send), `dlq` (retries exhausted), `admin` (manual retry, with the token id), `sweeper` (re-queued by the registry). */
  source: z.string(),
});
export type DeliveryAttempt = z.infer<typeof DeliveryAttempt>;

export const DeliveryView = z.object({
  /** Use in `POST /v1/stores/:storeId/deliveries/:id/retry`. */
  id: z.number().int(),
  deliveryId: z.string(),
  idempotencyKey: z.string(),
  kind: DeliveryKind,
  /** Null when the reminder named no channel. */
  channel: z.string().nullable(),
  channelType: z.string().nullable(),
  state: DeliveryState,
  reminder: z
    .object({ id: z.string(), caseId: z.string(), kind: z.string(), urgency: z.string(), title: z.string(), dueAt: z.string(), firedAt: z.string() })
    .nullable(),
  /** Held reminders: the quiet-hours opening they wait for. */
  heldUntil: z.string().nullable(),
  skippedBecause: z
    .string()
    .nullable()
    .meta({ description: "Skipped deliveries: why the channel does not apply to this reminder, e.g. \"Zendesk note channel: this case is not a Zendesk ticket (…)\". Null otherwise." }),
  /** Reminders released from quiet hours: the digest delivery that carries them. */
  digestId: z.string().nullable(),
  /** Digests: how many reminders they carry. */
  digestSize: z.number().int().nullable(),
  attemptCount: z.number().int(),
  lastStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
  lastAttemptAt: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  deliveredAt: z.string().nullable(),
  deadAt: z.string().nullable(),
  attempts: z.array(DeliveryAttempt),
});
export type DeliveryView = z.infer<typeof DeliveryView>;

export const DeliveryPage = z.object({
  deliveries: z.array(DeliveryView),
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: z.string().nullable(),
});
export type DeliveryPage = z.infer<typeof DeliveryPage>;

export const ChannelHealthView = z.object({
  channel: z.string(),
  healthy: z.boolean(),
  consecutiveFailures: z.number().int(),
  unhealthySince: z.string().nullable(),
  lastFailureAt: z.string().nullable(),
  lastError: z.string().nullable(),
  lastSuccessAt: z.string().nullable(),
});
export type ChannelHealthView = z.infer<typeof ChannelHealthView>;
