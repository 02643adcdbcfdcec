/**
 * What travels between dispatch, the registry's delivery log, the queue and the channels.
 *
 * Three kinds of delivery share one pipeline (one queue message per delivery, retried on its own):
 * - `reminder`: one reminder to one channel, the common case;
 * - `digest`: the normal-urgency reminders held during quiet hours, released at the opening as
 *   one message per channel (per ticket, for helpdesk-note channels);
 * - `notice`: "channel X keeps failing", sent once to the store's other channels.
 *
 * The queue message only names the delivery: the registry's delivery log is the source of truth
 * for its content and state, so a stale or duplicate message can never resurrect a delivered or
 * dead one, and a digest of many reminders never hits the queue's 128 KB message limit. (The
 * `DeliveryMessage` shape in reminder.ts, which carried the whole reminder, is superseded by this.)
 */
import { z } from "zod";
import type { Language } from "../i18n";
import type { Reminder } from "./reminder";

export const DeliveryKind = z.enum(["reminder", "digest", "notice"]);
export type DeliveryKind = z.infer<typeof DeliveryKind>;

/**
 * One queue message per delivery. It names the delivery and nothing more: the consumer reads the
 * content from the delivery log, so the reminder is stored once and a message stays tiny.
 */
export const QueueMessage = z.object({
  /** Bumped only if the message shape ever changes incompatibly; consumers drop unknown versions. */
  v: z.literal(1),
  kind: DeliveryKind,
  storeId: z.string().min(1),
  /** `${idempotencyKey}#${channel}`: the delivery log's row. */
  deliveryId: z.string().min(1),
  channel: z.string(),
  /** Sent downstream (`webhook-id`, `Idempotency-Key`): the same for every attempt and every copy. */
  idempotencyKey: z.string().min(1),
  /** The rules version current when the delivery was recorded (the consumer uses the current one). */
  rulesVersion: z.number().int(),
});
export type QueueMessage = z.infer<typeof QueueMessage>;

/** A channel that crossed the failure threshold, as the notice to the other channels describes it. */
export const ChannelNotice = z.object({
  storeId: z.string(),
  /** The failing channel's name in the rules document. */
  channel: z.string(),
  channelType: z.string().nullable(),
  consecutiveFailures: z.number().int(),
  /** When the channel was marked unhealthy. */
  since: z.string(),
  lastError: z.string().nullable(),
});
export type ChannelNotice = z.infer<typeof ChannelNotice>;

/** What one delivery posts: rendered by each channel in its own format. */
export type Outbound =
  | { kind: "reminder"; key: string; deliveryId: string; reminder: Reminder }
  | {
      kind: "digest";
      key: string;
      deliveryId: string;
      storeId: string;
      /** The quiet-hours opening the reminders were held for. */
      releasedAt: string;
      reminders: Reminder[];
    }
  | { kind: "notice"; key: string; deliveryId: string; notice: ChannelNotice; /** The receiving channel's language (en when absent). */ language?: Language };
