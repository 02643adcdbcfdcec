/**
 * Deciding, for one reminder, what the delivery log records: one row per channel it names, each
 * either sent now or held for quiet hours. Pure: the store's current rules and the clock come in
 * as arguments.
 *
 * Why the hold is decided here, at dispatch, and not in the queue consumer:
 * - It is decided once, from the instant the reminder fired, and recorded with the delivery rows
 *   in the same registry write. Re-dispatching the same reminder after a crash finds the rows and
 *   changes nothing, so the decision is as idempotent as the rows themselves.
 * - A reminder that fired in open hours is never held because its retries ran into the night:
 *   quiet hours are about when the event happened, not about when a flaky receiver came back.
 * - A held reminder costs no queue message and no consumer run; it waits in the registry, which
 *   is where the release alarm and the digest are built anyway.
 *
 * Whether a channel applies at all is decided here too: a helpdesk note channel only takes
 * reminders about a ticket of its own helpdesk (see `noteMismatch`). A shipment with no linked
 * ticket, or a ticket from another helpdesk, is planned `skip` with the reason: recorded so the
 * log explains it, never sent, never counted against the channel's health, never dead.
 *
 * Quiet hours and channel configuration come from the store's CURRENT rules, not the version
 * the case is pinned to: they say where and when the store wants to be told today (a rotated
 * Slack URL, new quiet hours), while the pinned version keeps the case's deadlines stable.
 */
import { isOpen, nextOpening } from "../calendar";
import { ALWAYS_OPEN, type ChannelType, type RulesDocument } from "../rules/schema";
import { noteMismatch, notesOn } from "./channels";
import type { Reminder } from "./reminder";

export interface PlannedChannel {
  name: string;
  /** Null when the rules no longer define a channel of that name: recorded dead, visible, retryable. */
  type: ChannelType | null;
  /** Why this channel does not apply to the reminder (a note channel and no ticket of its helpdesk); null = deliver. */
  skip: string | null;
}

export interface DispatchPlan {
  reminder: Reminder;
  /** The current rules version the plan was made with (for the log). */
  rulesVersion: number;
  channels: PlannedChannel[];
  /** Epoch ms of the quiet-hours opening the reminder waits for; null = send now. */
  holdUntil: number | null;
  now: number;
}

export function planDispatch(reminder: Reminder, rules: { version: number; document: RulesDocument }, now: number): DispatchPlan {
  const names = [...new Set(reminder.channels)];
  const channels = names.map((name): PlannedChannel => {
    const type = rules.document.channels[name]?.type ?? null;
    const notes = type === null ? null : notesOn(type);
    return { name, type, skip: notes === null ? null : noteMismatch(reminder, notes) };
  });
  return { reminder, rulesVersion: rules.version, channels, holdUntil: quietUntil(reminder, rules.document, now), now };
}

/**
 * The opening a normal-urgency reminder waits for, or null when it goes now: urgent, no quiet
 * hours, the calendar open when it fired, or an opening already past (a reminder re-dispatched
 * long after it fired is not held for a night that is over). A calendar that never opens again
 * would hold it forever, so it is sent instead.
 */
export function quietUntil(reminder: Reminder, doc: RulesDocument, now: number): number | null {
  if (reminder.urgency !== "normal" || !doc.quietHours) return null;
  const name = doc.quietHours.calendar;
  if (name === ALWAYS_OPEN) return null;
  const calendar = doc.calendars[name];
  if (!calendar) return null;
  const fired = Date.parse(reminder.firedAt);
  const at = Number.isFinite(fired) ? fired : now;
  if (isOpen(calendar, at)) return null;
  const opening = nextOpening(calendar, at);
  return Number.isFinite(opening) && opening > now ? opening : null;
}
