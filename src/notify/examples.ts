/**
 * The examples shown by `GET /v1/webhooks/example` and in docs/notifications.md, produced by the
 * code that produces real ones: a few provider events, run through the case engine and fired by
 * the same reminder builder the case object uses, at the instant a case object would fire them.
 * Only the events, the rules and the firing instants are written here; ids, titles, next actions
 * and details are whatever the engine says, so an example can never drift from a real reminder.
 * Pure.
 */
import { displayZone, evaluateCase } from "../cases/engine";
import { consoleCaseUrl } from "../cases/case-link";
import { buildReminder } from "../cases/reminder-text";
import type { CaseEvent } from "../cases/state";
import { caseIdOf, type NormalizedEvent } from "../events/model";
import { RulesDocument, type ChannelType, type NotificationChannel } from "../rules/schema";
import type { ChannelNotice, Outbound } from "./messages";
import { quietUntil } from "./plan";
import type { Reminder } from "./reminder";

export const EXAMPLE_STORE_ID = "st_0123456789abcdef";
const PUBLIC_BASE_URL = "https://promptly.example.com";
const RULES_VERSION = 3;

/** The example webhook channel's signing secret: published, so a receiver's developer can verify the examples. */
export const EXAMPLE_WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

const AYSE = { name: "Ayşe Yılmaz", email: "ayse@example.com", phone: "+90 532 000 00 00" };
const WEEKDAYS = Object.fromEntries(["mon", "tue", "wed", "thu", "fri"].map((d) => [d, [["09:00", "18:00"]]]));

/** The example store's rules: an urgent-chat target, a catch-all, quiet hours at night, late parcels. */
export const EXAMPLE_RULES = RulesDocument.parse({
  calendars: { office: { timeZone: "Europe/Istanbul", week: WEEKDAYS } },
  quietHours: { calendar: "office" },
  channels: {
    "ops-slack": { type: "slack", webhookUrl: "https://hooks.slack.com/services/T000/B000/XXXX" },
    "ops-webhook": { type: "webhook", url: "https://ops.yourshop.example/promptly", secret: EXAMPLE_WEBHOOK_SECRET },
    "zendesk-notes": { type: "zendesk_note", baseUrl: "https://yourshop.zendesk.com", email: "lead@yourshop.com", apiToken: "<apiToken>" },
    "freshdesk-notes": { type: "freshdesk_note", baseUrl: "https://yourshop.freshdesk.com", apiKey: "<apiKey>" },
    "helpscout-notes": { type: "helpscout_note", appId: "<appId>", appSecret: "<appSecret>" },
    "gorgias-notes": { type: "gorgias_note", baseUrl: "https://yourshop.gorgias.com", username: "lead@yourshop.com", apiKey: "<apiKey>" },
  },
  policies: [
    { name: "Urgent chat", when: { channels: ["chat"], priorities: ["urgent"] }, targets: { firstReply: { byPriority: { urgent: "30m" } } }, notify: ["ops-slack", "ops-webhook"] },
    { name: "Everything", targets: { firstReply: { byPriority: { normal: "8h" } }, nextReply: { byPriority: { normal: "4h" }, warnings: ["30m"] } }, notify: ["ops-slack", "ops-webhook"] },
  ],
  playbook: { shipmentDelay: { updateEvery: "24h", channels: ["ops-slack", "ops-webhook"] } },
});

/** The example store's first channel of this type, as configured in its rules. */
export function exampleChannel<T extends ChannelType>(type: T): { name: string; config: Extract<NotificationChannel, { type: T }> } {
  const found = Object.entries(EXAMPLE_RULES.channels).find(([, c]) => c.type === type);
  if (!found) throw new Error(`the example rules have no ${type} channel`);
  return { name: found[0], config: found[1] as Extract<NotificationChannel, { type: T }> };
}

export type Helpdesk = "zendesk" | "freshdesk" | "helpscout" | "gorgias";

const TICKET_URLS: Record<Helpdesk, (id: string) => string> = {
  zendesk: (id) => `https://yourshop.zendesk.com/agent/tickets/${id}`,
  freshdesk: (id) => `https://yourshop.freshdesk.com/a/tickets/${id}`,
  helpscout: (id) => `https://secure.helpscout.net/conversation/${id}`,
  gorgias: (id) => `https://yourshop.gorgias.com/app/ticket/${id}`,
};

/** A case's events as intake stores them, with ids fixed by their order. */
function caseEvents(...list: Omit<NormalizedEvent, "storeId" | "providerEventId">[]): CaseEvent[] {
  return list.map((e, i) => ({
    eventId: `${e.provider}:example-${i + 1}`,
    occurredAt: Date.parse(e.occurredAt),
    event: { storeId: EXAMPLE_STORE_ID, providerEventId: `example-${i + 1}`, ...e },
  }));
}

/**
 * Fires the case's timer of `kind` at `firedAt` (its due instant when omitted), as the case
 * object's alarm does: the engine evaluated at that instant, the reminder built from the state
 * then, with the case's link and, for a shipment, the customer's open ticket.
 */
function fire(events: CaseEvent[], kind: string, firedAt?: (dueAt: number) => number, linkedTicket?: Reminder["ticket"] & { subject?: string }): Reminder {
  const pins = [{ version: RULES_VERSION, from: 0, document: EXAMPLE_RULES }];
  const first = evaluateCase({ events, pins, now: events[events.length - 1]!.occurredAt });
  const planned = first?.timers.find((t) => t.kind === kind);
  if (!first || !planned) throw new Error(`the example case plans no ${kind} timer`);
  const at = firedAt ? firedAt(planned.dueAt) : planned.dueAt;
  const ev = evaluateCase({ events, pins, now: at, known: new Set(first.timers.map((t) => t.key)) });
  const timer = ev?.timers.find((t) => t.key === planned.key);
  if (!ev || !timer) throw new Error(`the example ${kind} timer is gone at ${new Date(at).toISOString()}`);
  const caseId = caseIdOf(events[0]!.event.caseKey);
  return buildReminder({
    storeId: EXAMPLE_STORE_ID,
    caseId,
    state: ev.state,
    timer,
    firedAt: at,
    timeZone: displayZone(EXAMPLE_RULES, timer),
    caseUrl: consoleCaseUrl(PUBLIC_BASE_URL, EXAMPLE_STORE_ID, caseId),
    ...(linkedTicket ? { linkedTicket } : {}),
  });
}

/**
 * An urgent chat opened at 13:30 UTC with no reply: its 30-minute first-reply target breaches at
 * 14:00, and the reminder fires four minutes late (the case object was busy), so it says so.
 */
export function breachedUrgentChat(helpdesk: Helpdesk = "zendesk", ticketId = "5158"): Reminder {
  const events = caseEvents({
    provider: helpdesk,
    occurredAt: "2026-03-02T13:30:00.000Z",
    caseKey: { type: "ticket", provider: helpdesk, ticketId },
    kind: "case.opened",
    channel: "chat",
    priority: "urgent",
    status: "open",
    subject: "Where is my order?",
    customer: AYSE,
    orderId: "1042",
    url: TICKET_URLS[helpdesk](ticketId),
  });
  return fire(events, "first_reply.breach", (due) => due + 4 * 60_000);
}

/** The parcel of order 1042 held in customs since Monday 01:00 UTC: the first daily update is owed a day later, at night. */
function shipmentUpdateOwed(): Reminder {
  const tracking = "1Z999AA10123456784";
  const caseKey = { type: "shipment" as const, carrier: "ups", trackingNumber: tracking };
  const shipment = { carrier: "ups", trackingNumber: tracking };
  const events = caseEvents(
    { provider: "shopify", occurredAt: "2026-02-27T10:00:00.000Z", caseKey, kind: "shipment.label_created", customer: AYSE, orderId: "1042", shipment },
    { provider: "aftership", occurredAt: "2026-02-28T08:00:00.000Z", caseKey, kind: "shipment.in_transit", shipment },
    { provider: "aftership", occurredAt: "2026-03-02T01:00:00.000Z", caseKey, kind: "shipment.exception", shipment: { ...shipment, reason: "Held in customs" } },
  );
  const ticket = { caseId: "ticket:zendesk:5158", provider: "zendesk", ticketId: "5158", url: TICKET_URLS.zendesk("5158"), subject: "Where is my order?" };
  return fire(events, "shipment.update_due", undefined, ticket);
}

/** A customer wrote at 23:00 UTC: the next reply is due at 03:00, warned 30 minutes before, at night. */
function nextReplyWarning(): Reminder {
  const caseKey = { type: "ticket" as const, provider: "zendesk" as const, ticketId: "5160" };
  const base = { provider: "zendesk" as const, caseKey, url: TICKET_URLS.zendesk("5160") };
  const events = caseEvents(
    { ...base, occurredAt: "2026-03-02T16:00:00.000Z", kind: "case.opened", channel: "email", priority: "normal", status: "open", subject: "Refund for a damaged mug", customer: { name: "Jonas Weber", email: "jonas@example.com" } },
    { ...base, occurredAt: "2026-03-02T17:00:00.000Z", kind: "case.agent_reply" },
    { ...base, occurredAt: "2026-03-02T23:00:00.000Z", kind: "case.customer_message" },
  );
  return fire(events, "next_reply.warning");
}

export type ExampleType = "reminder.fired" | "reminder.digest" | "channel.unhealthy";

/** The outbound message of each example type, for `channel` (the delivery id names it). */
export function exampleOutbound(type: ExampleType, channel = "ops-webhook"): Outbound {
  if (type === "reminder.digest") {
    const reminders = [shipmentUpdateOwed(), nextReplyWarning()];
    // Both fired at night: held until the office opens, then sent together, as the delivery log does.
    const opening = quietUntil(reminders[0]!, EXAMPLE_RULES, Date.parse(reminders[0]!.firedAt));
    if (opening === null) throw new Error("the example digest's reminders are not held by quiet hours");
    const releasedAt = new Date(opening).toISOString();
    const key = `digest:${EXAMPLE_STORE_ID}:${releasedAt}`;
    return { kind: "digest", key, deliveryId: `${key}#${channel}`, storeId: EXAMPLE_STORE_ID, releasedAt, reminders };
  }
  if (type === "channel.unhealthy") {
    const since = Date.parse("2026-03-02T14:04:00.000Z");
    const notice: ChannelNotice = { storeId: EXAMPLE_STORE_ID, channel: "ops-slack", channelType: "slack", consecutiveFailures: 20, since: new Date(since).toISOString(), lastError: "HTTP 500: rollup_error" };
    const key = `notice:${EXAMPLE_STORE_ID}:ops-slack:unhealthy:${since}`;
    return { kind: "notice", key, deliveryId: `${key}#${channel}`, notice };
  }
  const r = breachedUrgentChat();
  return { kind: "reminder", key: r.id, deliveryId: `${r.id}#${channel}`, reminder: r };
}
