/**
 * Freshdesk automation rules ("Trigger webhook" action). Freshdesk signs nothing and sends
 * whatever body the admin writes, so the store pastes our template (see `FRESHDESK_TEMPLATE`)
 * and a shared token travels in a header or `?token=`. One rule per `event` value keeps the
 * meaning of each delivery explicit instead of guessed from a ticket snapshot.
 */
import { z } from "zod";
import { type CaseStatus, type Channel, type NormalizedEvent } from "../events/model";
import type { NormalizeResult, ProviderAdapter } from "./adapter";
import {
  HelpdeskOptions,
  SHARED_TOKEN_HEADER,
  TokenOptions,
  callbackClearedEvent,
  callbackFieldCleared,
  callbackPromise,
  callbackPromisedEvent,
  contact,
  hasUnrenderedPlaceholder,
  verifySharedToken,
  derivedEventId,
  makeEvent,
  mapPriority,
  mapStatus,
  nonEmpty,
  orderValueFromText,
  plainText,
  readOptions,
  tagsFromText,
  ticketCaseKey,
  toIsoInstant,
  type EventBase,
} from "./common";

export const FRESHDESK_EVENTS = ["ticket_created", "ticket_updated", "customer_replied", "agent_replied", "note_added", "feedback_received"] as const;

/** Rendered placeholders are strings; Freshdesk's simple mode sends numbers for ids. */
const Text = z.union([z.string(), z.number()]).transform(String);

export const FreshdeskPayload = z.looseObject({
  freshdesk_webhook: z.looseObject({
    event: z.enum(FRESHDESK_EVENTS),
    ticket_id: Text.refine((s) => s.trim() !== "", "ticket_id is empty"),
    ticket_subject: Text.nullish(),
    ticket_status: Text.nullish(),
    ticket_priority: Text.nullish(),
    ticket_source: Text.nullish(),
    ticket_type: Text.nullish(),
    ticket_tags: Text.nullish(),
    ticket_group_name: Text.nullish(),
    ticket_agent_email: Text.nullish(),
    ticket_contact_email: Text.nullish(),
    ticket_contact_phone: Text.nullish(),
    ticket_contact_name: Text.nullish(),
    /** On `feedback_received`: the rating the rule's event matched, written into the body by the admin (one rule per rating). */
    feedback_rating: Text.nullish(),
    ticket_order_id: Text.nullish(),
    /** Fields the store adds, fed by its own ticket fields: Freshdesk has no order or segment of its own. */
    ticket_order_value: Text.nullish(),
    ticket_order_currency: Text.nullish(),
    ticket_customer_tags: Text.nullish(),
    ticket_callback_at: Text.nullish(),
    ticket_url: Text.nullish(),
    ticket_latest_public_comment: Text.nullish(),
    ticket_latest_private_comment: Text.nullish(),
    ticket_description: Text.nullish(),
    triggered_at: Text.nullish(),
  }),
});
export type FreshdeskPayload = z.infer<typeof FreshdeskPayload>;

export const FreshdeskOptions = HelpdeskOptions.extend(TokenOptions.shape);

/** What the admin pastes into the rule's "Trigger webhook" action (Advanced, JSON); `event` is set per rule. */
export const FRESHDESK_TEMPLATE = {
  freshdesk_webhook: {
    event: "ticket_updated",
    ticket_id: "{{ticket.id}}",
    ticket_subject: "{{ticket.subject}}",
    ticket_status: "{{ticket.status}}",
    ticket_priority: "{{ticket.priority}}",
    ticket_source: "{{ticket.source}}",
    ticket_type: "{{ticket.ticket_type}}",
    ticket_tags: "{{ticket.tags}}",
    ticket_group_name: "{{ticket.group.name}}",
    ticket_agent_email: "{{ticket.agent.email}}",
    ticket_contact_email: "{{ticket.contact.email}}",
    ticket_contact_phone: "{{ticket.contact.phone}}",
    ticket_contact_name: "{{ticket.contact.name}}",
    ticket_url: "{{ticket.url}}",
    ticket_latest_public_comment: "{{ticket.latest_public_comment}}",
    ticket_latest_private_comment: "{{ticket.latest_private_comment}}",
    ticket_description: "{{ticket.description_text}}",
    triggered_at: "{{ticket.updated_at}}",
  },
};

const STATUS: Record<string, CaseStatus> = {
  open: "open",
  "2": "open",
  pending: "pending",
  "3": "pending",
  resolved: "solved",
  "4": "solved",
  closed: "closed",
  "5": "closed",
  "waiting on customer": "pending",
  "6": "pending",
  "waiting on third party": "waiting-on-third-party",
  "7": "waiting-on-third-party",
};

function channelOf(source: string | undefined): Channel | undefined {
  if (!source) return undefined;
  const s = source.toLowerCase();
  if (s.includes("email")) return "email";
  if (s.includes("phone")) return "phone";
  if (s.includes("chat")) return "chat";
  if (s.includes("portal") || s.includes("widget") || s.includes("feedback")) return "web";
  if (/twitter|facebook|whatsapp|instagram|forum/.test(s)) return "social";
  if (s.includes("ecommerce") || s.includes("marketplace")) return "marketplace";
  if (s.includes("api") || s === "outbound email") return "email";
  return "other";
}

/** A placeholder Freshdesk left unrendered (a field the contact does not have) says nothing. */
const textOf = (v: string | null | undefined) => (hasUnrenderedPlaceholder(v) ? undefined : v);

/**
 * Freshdesk's feedback ratings (classic Happy / Neutral / Unhappy, and the five-point "Extremely
 * happy" … "Extremely unhappy" scale) as good or bad; neutral is neither.
 */
export function freshdeskRatingScore(raw: string | null | undefined): "good" | "bad" | null {
  const r = (raw ?? "").trim().toLowerCase();
  if (/unhappy|\bbad\b|negative|dissatisfied/.test(r)) return "bad";
  if (/happy|\bgood\b|positive|satisfied/.test(r)) return "good";
  return null;
}

export const freshdeskAdapter: ProviderAdapter<typeof FreshdeskPayload, "freshdesk"> = {
  id: "freshdesk",
  title: "Freshdesk",
  kind: "helpdesk",
  optionsSchema: FreshdeskOptions,
  schema: FreshdeskPayload,

  verify: (input) => verifySharedToken(input, readOptions(FreshdeskOptions, input.config.options).tokenHeader),

  async normalize({ storeId, payload, config, receivedAt }): Promise<NormalizeResult> {
    const hook = payload.freshdesk_webhook;
    if (hasUnrenderedPlaceholder(hook.ticket_id)) {
      return { type: "ignored", reason: "the template's {{placeholders}} were not rendered: paste it into a Freshdesk automation rule, not a test tool" };
    }
    const options = readOptions(FreshdeskOptions, config.options);
    const ticketId = hook.ticket_id.trim();
    const occurredAt = toIsoInstant(nonEmpty(hook.triggered_at)) ?? new Date(receivedAt).toISOString();
    const tags = tagsFromText(hook.ticket_tags);
    const rawStatus = nonEmpty(hook.ticket_status);
    const status = mapStatus(rawStatus, STATUS, options.statusMap) ?? undefined;
    const priority = mapPriority(hook.ticket_priority) ?? undefined;
    const base: EventBase = {
      storeId,
      provider: "freshdesk",
      occurredAt,
      caseKey: ticketCaseKey("freshdesk", ticketId),
      channel: channelOf(nonEmpty(hook.ticket_source)),
      subject: nonEmpty(hook.ticket_subject),
      url: nonEmpty(hook.ticket_url),
      orderId: nonEmpty(hook.ticket_order_id),
      orderValue: orderValueFromText(hook.ticket_order_value, hook.ticket_order_currency),
      customerTags: tagsFromText(hook.ticket_customer_tags),
      customer: contact(textOf(hook.ticket_contact_email), textOf(hook.ticket_contact_phone), textOf(hook.ticket_contact_name)),
    };
    // No event id from Freshdesk: the change is identified by ticket, rule, time and what it carries.
    const id = (kind: string, ...extra: (string | null | undefined)[]) => derivedEventId(["freshdesk", ticketId, hook.event, kind, hook.triggered_at, ...extra]);
    const events: NormalizedEvent[] = [];
    let unmapped: string | undefined;

    switch (hook.event) {
      case "ticket_created": {
        events.push(makeEvent(base, "case.opened", await id("opened"), { status, rawStatus, priority, tags, group: nonEmpty(hook.ticket_group_name), assignee: nonEmpty(hook.ticket_agent_email) }));
        const first = plainText(nonEmpty(hook.ticket_description));
        if (first) events.push(makeEvent(base, "case.customer_message", await id("message", first), { body: first }));
        break;
      }
      case "ticket_updated":
        if (status) events.push(makeEvent(base, "case.status_changed", await id("status", rawStatus), { status, rawStatus }));
        else if (rawStatus) unmapped = `Freshdesk status "${rawStatus}" has no mapping; add it to statusMap`;
        if (priority) events.push(makeEvent(base, "case.priority_changed", await id("priority", priority), { priority }));
        if (nonEmpty(hook.ticket_agent_email) || nonEmpty(hook.ticket_group_name)) {
          events.push(makeEvent(base, "case.assignment_changed", await id("assignment", hook.ticket_agent_email, hook.ticket_group_name), { assignee: nonEmpty(hook.ticket_agent_email), group: nonEmpty(hook.ticket_group_name) }));
        }
        if (tags) events.push(makeEvent(base, "case.tags_changed", await id("tags", tags.join(",")), { tags }));
        break;
      case "customer_replied": {
        const body = plainText(nonEmpty(hook.ticket_latest_public_comment));
        events.push(makeEvent(base, "case.customer_message", await id("message", body), { body, status, rawStatus }));
        break;
      }
      case "agent_replied": {
        const body = plainText(nonEmpty(hook.ticket_latest_public_comment));
        events.push(makeEvent(base, "case.agent_reply", await id("reply", body), { body, status, rawStatus }));
        break;
      }
      case "feedback_received": {
        const score = freshdeskRatingScore(hook.feedback_rating);
        if (score === null) return { type: "ignored", reason: `Freshdesk feedback rating "${hook.feedback_rating ?? ""}" is neither good nor bad; set "feedback_rating" in the rule's body` };
        events.push(makeEvent(base, "case.rating", await id("rating", score), { rating: { score } }));
        break;
      }
      case "note_added": {
        // Freshdesk's "public note" is still not a reply sent to the customer: it never fulfils a reply target.
        const body = plainText(nonEmpty(hook.ticket_latest_private_comment) ?? nonEmpty(hook.ticket_latest_public_comment));
        events.push(makeEvent(base, "case.agent_note", await id("note", body), { body }));
        break;
      }
    }

    // The template's ticket_callback_at is the callback field, whichever Freshdesk field feeds it.
    const fields = { callback_at: hook.ticket_callback_at };
    const promise = callbackPromise({ ...options, callbackField: "callback_at" }, { tags, fields, occurredAt });
    if (promise) events.push(await callbackPromisedEvent(base, ticketId, promise, { phone: hook.ticket_contact_phone }));
    // The template's field rendered empty: the agent cleared the promised time.
    if (promise?.field === undefined && callbackFieldCleared({ callbackField: "callback_at" }, fields)) {
      events.push(await callbackClearedEvent(base, ticketId, "callback_at", `${hook.event}@${hook.triggered_at ?? occurredAt}`));
    }
    if (events.length === 0) return { type: "ignored", reason: unmapped ?? "the delivery carried no status, priority, assignment or tags" };
    return { type: "events", events };
  },

  setup(hookUrl) {
    return {
      steps: [
        "In Freshdesk go to Admin › Workflows › Automations. Create one rule per event: \"Ticket creation\" → event ticket_created; \"Ticket updates\" when Status/Priority/Agent/Group is changed → ticket_updated; \"Ticket updates\" when a reply is sent by the customer → customer_replied, by an agent → agent_replied; when a note is added → note_added.",
        `In each rule add the action "Trigger webhook": request type POST, URL ${hookUrl}, encoding JSON, content "Advanced".`,
        `Add a custom header ${SHARED_TOKEN_HEADER} whose value is the token you saved as this provider's secret in Promptly (or append ?token=YOUR_TOKEN to the URL).`,
        "Paste the template below as the body and change \"event\" to the rule's event. To promise callbacks with a time, add \"ticket_callback_at\": \"{{ticket.cf_callback_at}}\" (your custom field) (set callbackTag instead if agents tag tickets); when an agent empties that field, the callback is cancelled.",
        "Satisfaction ratings: add \"Ticket updates\" rules on the event \"Customer feedback is received\", one for the unhappy ratings and one for the happy ones, with event feedback_received and \"feedback_rating\": \"unhappy\" (or \"happy\") added to the pasted body.",
      ],
      template: FRESHDESK_TEMPLATE,
      headers: { [SHARED_TOKEN_HEADER]: "YOUR_TOKEN" },
    };
  },
};
