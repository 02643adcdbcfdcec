/**
 * A reminder: what a case object decided a human must act on now. This is the contract between
 * the case Durable Object (which decides, at the due second) and delivery (which makes sure the
 * reminder reaches every channel the rule names, at least once).
 */
import { z } from "zod";
import { LANGUAGES } from "../i18n";

/** The words a person reads, in one language. */
export const ReminderWords = z.object({ title: z.string(), nextAction: z.string(), details: z.array(z.string()) });
export type ReminderWords = z.infer<typeof ReminderWords>;

export const ReminderUrgency = z.enum(["urgent", "normal"]);

export const Reminder = z.object({
  /**
   * Idempotency key: `${caseId}:${timer.key}`, e.g.
   * `ticket:zendesk:5158:sla:first_reply:1772458200000:due:0:1772460000000`. A timer's key names
   * what it is for and, where that can move (SLA targets, callbacks, shipment updates), the
   * instant: the same timer always produces the same id, across alarm retries and restarts, so
   * receivers can drop duplicates, and a deadline that moves produces a new one.
   */
  id: z.string(),
  storeId: z.string(),
  caseId: z.string(),
  /** Timer kind that fired, e.g. `first_reply.warning`, `first_reply.breach`, `callback.due`, `shipment.update_due`. */
  kind: z.string(),
  urgency: ReminderUrgency,
  /** One line a person reads first: "First reply overdue by 4m — urgent chat". */
  title: z.string(),
  /** The playbook's next action in plain words. */
  nextAction: z.string(),
  /** Extra lines of context (carrier reason, linked ticket, how many messages, …). */
  details: z.array(z.string()).default([]),
  dueAt: z.string(),
  firedAt: z.string(),
  /** How late the reminder is relative to what it is about (negative = a warning ahead of time). */
  lateByMs: z.number(),
  escalationLevel: z.number().int().optional(),
  customer: z.object({ name: z.string().optional(), email: z.string().optional(), phone: z.string().optional() }).optional(),
  orderId: z.string().optional(),
  subject: z.string().optional(),
  /** The case in the source helpdesk, when known. */
  sourceUrl: z.string().optional(),
  /** The case in Promptly's API. */
  caseUrl: z.string().optional(),
  source: z.object({ provider: z.string(), ticketId: z.string().optional(), trackingNumber: z.string().optional() }).optional(),
  /**
   * The helpdesk ticket this reminder should be noted on: the case's own ticket, or, for a shipment,
   * the open ticket of the same order or customer (found through the store's case index).
   */
  ticket: z.object({ caseId: z.string(), provider: z.string(), ticketId: z.string(), url: z.string().optional() }).optional(),
  rule: z.object({ name: z.string(), version: z.number().int(), path: z.string().optional() }),
  /** Names of channels in the store's rules document to deliver to. */
  channels: z.array(z.string()),
  /** The language of `title`, `nextAction` and `details` (en when absent). */
  language: z.enum(LANGUAGES).optional(),
  /** The zone the store shows times in, for dates a channel writes in words (absent for English-only stores). */
  timeZone: z.string().optional(),
  /**
   * The same words in the other languages the reminder's channels read, built when it fired (the
   * words depend on the case at that moment, which delivery does not have). Each channel is sent
   * its own language's words; receivers never see this map.
   */
  texts: z.partialRecord(z.enum(LANGUAGES), ReminderWords).optional(),
});
export type Reminder = z.infer<typeof Reminder>;

/** One queue message per reminder and channel, so each channel retries on its own. */
export const DeliveryMessage = z.object({
  deliveryId: z.string(),
  reminder: Reminder,
  channel: z.string(),
  rulesVersion: z.number().int(),
});
export type DeliveryMessage = z.infer<typeof DeliveryMessage>;

export function deliveryIdOf(reminderId: string, channel: string): string {
  return `${reminderId}#${channel}`;
}
