/**
 * The JSON body of a signed webhook, following the Standard Webhooks payload convention
 * (`type`, `timestamp`, `data`). This schema is the contract receivers code against: it builds
 * the body, and the same schema is published in /openapi.json (GET /v1/webhooks/example).
 */
import { z } from "zod";
import { ChannelNotice, type Outbound } from "./messages";
import { Reminder } from "./reminder";

/** The reminder as a receiver sees it: everything but the internal list of channel names. */
export const WebhookReminder = Reminder.omit({ channels: true, texts: true }).extend({
  lateByMs: z.number().meta({ description: "How late the reminder went out, in ms: after its own instant for a warning (whose `dueAt` is its target's due instant), after `dueAt` for everything else (negative for a callback reminder ahead of the promised time)." }),
}).meta({
  description: "A reminder: what is due, how late, for which customer, and the playbook's next action.",
});

const common = {
  /** The idempotency key, also sent as the `webhook-id` header. */
  id: z.string().meta({ description: "Idempotency key (same as the `webhook-id` header): identical on every retry; drop a body whose id you have already processed." }),
  /** The name of the channel (in the store's rules) this delivery was sent to. */
  channel: z.string().meta({ description: "The channel's name in the store's rules document." }),
};

export const WebhookBody = z
  .discriminatedUnion("type", [
    z.object({
      type: z.literal("reminder.fired"),
      timestamp: z.string().meta({ description: "When the reminder fired (ISO 8601)." }),
      ...common,
      data: WebhookReminder,
    }),
    z.object({
      type: z.literal("reminder.digest"),
      timestamp: z.string().meta({ description: "When quiet hours ended and the held reminders were released." }),
      ...common,
      data: z.object({ storeId: z.string(), releasedAt: z.string(), count: z.number().int(), reminders: z.array(WebhookReminder) }),
    }),
    z.object({
      type: z.literal("channel.unhealthy"),
      timestamp: z.string().meta({ description: "When the failing channel was marked unhealthy." }),
      ...common,
      data: ChannelNotice,
    }),
  ])
  .meta({
    id: "PromptlyWebhook",
    description:
      "Body of every signed webhook Promptly sends. Headers: `webhook-id` (idempotency key), `webhook-timestamp` (Unix seconds), `webhook-signature` (`v1,<base64 HMAC-SHA256 of id.timestamp.body>`), per the Standard Webhooks spec.",
  });
export type WebhookBody = z.infer<typeof WebhookBody>;

/** A warning's own instant, the last part of its timer key (`…:warning:<level>:<at>`; see Reminder.id). */
const WARNING_AT = /:warning:\d+:(\d+)$/;

/**
 * How late the reminder went out. A warning's `dueAt` is its target's due instant (what the
 * receiver must beat), so `firedAt − dueAt` read "an hour early" for a warning sent on time;
 * a warning is late only against its own instant.
 */
function lateByMsOf(r: Reminder): number {
  const own = r.kind.endsWith(".warning") ? WARNING_AT.exec(r.id) : null;
  const firedAt = Date.parse(r.firedAt);
  return own && Number.isFinite(firedAt) ? firedAt - Number(own[1]) : r.lateByMs;
}

/** The receiver reads its own language's words (src/notify/localize.ts), never the others'. */
function strip(r: Reminder): z.infer<typeof WebhookReminder> {
  const { channels: _channels, texts: _texts, ...rest } = r;
  return { ...rest, lateByMs: lateByMsOf(r) };
}

export function webhookBody(out: Outbound, channel: string): WebhookBody {
  switch (out.kind) {
    case "reminder":
      return { type: "reminder.fired", timestamp: out.reminder.firedAt, id: out.key, channel, data: strip(out.reminder) };
    case "digest":
      return {
        type: "reminder.digest",
        timestamp: out.releasedAt,
        id: out.key,
        channel,
        data: { storeId: out.storeId, releasedAt: out.releasedAt, count: out.reminders.length, reminders: out.reminders.map(strip) },
      };
    case "notice":
      return { type: "channel.unhealthy", timestamp: out.notice.since, id: out.key, channel, data: out.notice };
  }
}
