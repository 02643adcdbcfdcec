/**
 * Gorgias HTTP integrations. Gorgias signs nothing and sends the body the integration defines,
 * so the store pastes our template (`GORGIAS_TEMPLATE`, one integration per trigger so `event`
 * is a constant) and a shared token travels in a header or `?token=`.
 */
import { z } from "zod";
import type { CaseStatus, Channel, NormalizedEvent } from "../events/model";
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
  derivedEventId,
  hasUnrenderedPlaceholder,
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
  truthy,
  verifySharedToken,
  type EventBase,
} from "./common";

export const GORGIAS_EVENTS = ["ticket_created", "ticket_updated", "ticket_message_created", "ticket_status_updated", "ticket_assignment_updated", "ticket_self_unsnoozed"] as const;

const Text = z.union([z.string(), z.number(), z.boolean()]).transform(String);

export const GorgiasPayload = z.looseObject({
  source: z.string().optional(),
  event: z.enum(GORGIAS_EVENTS),
  ticket_id: Text.refine((s) => s.trim() !== "", "ticket_id is empty"),
  status: Text.nullish(),
  priority: Text.nullish(),
  channel: Text.nullish(),
  subject: Text.nullish(),
  tags: Text.nullish(),
  customer_id: Text.nullish(),
  customer_email: Text.nullish(),
  customer_phone: Text.nullish(),
  customer_name: Text.nullish(),
  assignee_email: Text.nullish(),
  team_name: Text.nullish(),
  order_id: Text.nullish(),
  /** Fields the store may add (e.g. from its Shopify integration): none is in the default template. */
  order_value: Text.nullish(),
  order_currency: Text.nullish(),
  customer_tags: Text.nullish(),
  callback_at: Text.nullish(),
  snooze_datetime: Text.nullish(),
  created_datetime: Text.nullish(),
  updated_datetime: Text.nullish(),
  last_message_datetime: Text.nullish(),
  message_id: Text.nullish(),
  message_body: Text.nullish(),
  message_from_agent: Text.nullish(),
  message_public: Text.nullish(),
  /** The ticket's satisfaction survey: score 1–5 once the customer answered, the comment, and when. */
  satisfaction_score: Text.nullish(),
  satisfaction_comment: Text.nullish(),
  satisfaction_scored_datetime: Text.nullish(),
});
export type GorgiasPayload = z.infer<typeof GorgiasPayload>;

export const GorgiasOptions = HelpdeskOptions.extend(TokenOptions.shape).extend({
  /** `acme` for acme.gorgias.com: used to link events to the ticket. */
  account: z.string().regex(/^[a-z0-9][a-z0-9-]*$/i).optional(),
});

/** What the admin pastes as the HTTP integration's JSON body; `event` is the integration's trigger. */
export const GORGIAS_TEMPLATE = {
  source: "gorgias",
  event: "ticket_updated",
  ticket_id: "{{ticket.id}}",
  status: "{{ticket.status}}",
  priority: "{{ticket.priority}}",
  channel: "{{ticket.channel}}",
  subject: "{{ticket.subject}}",
  tags: "{{ticket.tags|map(attribute='name')|join(',')}}",
  customer_id: "{{ticket.customer.id}}",
  customer_email: "{{ticket.customer.email}}",
  customer_name: "{{ticket.customer.name}}",
  assignee_email: "{{ticket.assignee_user.email}}",
  team_name: "{{ticket.assignee_team.name}}",
  snooze_datetime: "{{ticket.snooze_datetime}}",
  created_datetime: "{{ticket.created_datetime}}",
  updated_datetime: "{{ticket.updated_datetime}}",
  last_message_datetime: "{{ticket.last_message_datetime}}",
  message_id: "{{ticket.messages[-1].id}}",
  message_body: "{{ticket.messages[-1].body_text}}",
  message_from_agent: "{{ticket.messages[-1].from_agent}}",
  message_public: "{{ticket.messages[-1].public}}",
  satisfaction_score: "{{ticket.satisfaction_survey.score}}",
  satisfaction_comment: "{{ticket.satisfaction_survey.body_text}}",
  satisfaction_scored_datetime: "{{ticket.satisfaction_survey.scored_datetime}}",
};

/** A variable Gorgias left unrendered (or rendered as None) says nothing. */
const textOf = (v: string | null | undefined) => (hasUnrenderedPlaceholder(v) || v?.trim() === "None" ? undefined : nonEmpty(v));

/** A Gorgias survey score (1–5) as good or bad: 1–2 bad, 4–5 good, 3 neither. */
export function gorgiasRatingScore(raw: string | null | undefined): "good" | "bad" | null {
  const r = textOf(raw);
  if (r === undefined || !/^[1-5](\.0)?$/.test(r)) return null;
  const n = Number(r);
  return n <= 2 ? "bad" : n >= 4 ? "good" : null;
}

const STATUS: Record<string, CaseStatus> = { open: "open", closed: "solved" };

function channelOf(raw: string | undefined): Channel | undefined {
  if (!raw) return undefined;
  const c = raw.toLowerCase();
  if (c === "email" || c === "internal-note") return "email";
  if (c === "chat" || c.includes("chat")) return "chat";
  if (c === "phone" || c === "aircall" || c.includes("voice")) return "phone";
  if (c === "sms") return "sms";
  if (/facebook|instagram|twitter|whatsapp|tiktok|messenger/.test(c)) return "social";
  if (/amazon|ebay|marketplace|review|yotpo/.test(c)) return "marketplace";
  if (c === "contact_form" || c === "help-center" || c === "self_service") return "web";
  if (c === "api") return "api";
  return "other";
}

export const gorgiasAdapter: ProviderAdapter<typeof GorgiasPayload, "gorgias"> = {
  id: "gorgias",
  title: "Gorgias",
  kind: "helpdesk",
  optionsSchema: GorgiasOptions,
  schema: GorgiasPayload,

  verify: (input) => verifySharedToken(input, readOptions(GorgiasOptions, input.config.options).tokenHeader),

  async normalize({ storeId, payload: p, config, receivedAt }): Promise<NormalizeResult> {
    if (hasUnrenderedPlaceholder(p.ticket_id)) {
      return { type: "ignored", reason: "the template's {{variables}} were not rendered: it must be sent by a Gorgias HTTP integration" };
    }
    const options = readOptions(GorgiasOptions, config.options);
    const ticketId = p.ticket_id.trim();
    const changedAt = nonEmpty(p.event === "ticket_message_created" ? (p.last_message_datetime ?? p.updated_datetime) : p.updated_datetime);
    // Gorgias datetimes carry no offset (e.g. 2021-01-07T13:00:00.123456) and are UTC.
    const occurredAt = toIsoInstant(changedAt && !/[zZ]|[+-]\d{2}:?\d{2}$/.test(changedAt) ? `${changedAt}Z` : changedAt) ?? new Date(receivedAt).toISOString();
    // Rendered but empty means "no tags" (so a removed callback tag is seen); absent means unknown.
    const tags = tagsFromText(p.tags);
    const snoozed = nonEmpty(p.snooze_datetime) !== undefined && nonEmpty(p.status)?.toLowerCase() === "closed";
    // A snoozed Gorgias ticket is "closed" until the snooze ends: it is waiting, not solved.
    const rawStatus = snoozed ? "snoozed" : nonEmpty(p.status);
    const status = snoozed ? (mapStatus("snoozed", {}, options.statusMap) ?? "pending") : (mapStatus(rawStatus, STATUS, options.statusMap) ?? undefined);
    const base: EventBase = {
      storeId,
      provider: "gorgias",
      occurredAt,
      caseKey: ticketCaseKey("gorgias", ticketId),
      channel: channelOf(nonEmpty(p.channel)),
      subject: nonEmpty(p.subject),
      customer: contact(textOf(p.customer_email), textOf(p.customer_phone), textOf(p.customer_name)),
      // The template has no phone (a customer's phones are channels): the case looks the customer up.
      requesterId: textOf(p.customer_id),
      orderId: nonEmpty(p.order_id),
      orderValue: orderValueFromText(p.order_value, p.order_currency),
      customerTags: tagsFromText(p.customer_tags),
      url: options.account ? `https://${options.account}.gorgias.com/app/ticket/${ticketId}` : undefined,
    };
    const id = (kind: string, ...extra: (string | null | undefined)[]) => derivedEventId(["gorgias", ticketId, p.event, kind, changedAt, ...extra]);
    const events: NormalizedEvent[] = [];
    const message = async () => {
      const body = plainText(nonEmpty(p.message_body));
      if (body === undefined && nonEmpty(p.message_id) === undefined) return;
      const fromAgent = truthy(p.message_from_agent);
      // Internal notes are agent messages with public=false; they never count as a reply.
      const isPublic = p.message_public === undefined || p.message_public === null || nonEmpty(p.message_public) === undefined ? true : truthy(p.message_public);
      const kind = !fromAgent ? "case.customer_message" : isPublic ? "case.agent_reply" : "case.agent_note";
      events.push(makeEvent(base, kind, await id("message", p.message_id, body), { body }));
    };

    switch (p.event) {
      case "ticket_created":
        events.push(makeEvent(base, "case.opened", await id("opened"), { status, rawStatus, priority: mapPriority(p.priority) ?? undefined, tags, assignee: nonEmpty(p.assignee_email), group: nonEmpty(p.team_name) }));
        await message();
        break;
      case "ticket_message_created":
        await message();
        break;
      case "ticket_assignment_updated":
        events.push(makeEvent(base, "case.assignment_changed", await id("assignment", p.assignee_email, p.team_name), { assignee: nonEmpty(p.assignee_email), group: nonEmpty(p.team_name) }));
        break;
      case "ticket_updated":
      case "ticket_status_updated":
      case "ticket_self_unsnoozed": {
        const s = p.event === "ticket_self_unsnoozed" ? "open" : status;
        if (s) events.push(makeEvent(base, "case.status_changed", await id("status", rawStatus), { status: s, rawStatus: p.event === "ticket_self_unsnoozed" ? "unsnoozed" : rawStatus }));
        if (p.event === "ticket_updated") {
          const priority = mapPriority(p.priority);
          if (priority) events.push(makeEvent(base, "case.priority_changed", await id("priority", priority), { priority }));
          if (tags) events.push(makeEvent(base, "case.tags_changed", await id("tags", tags.join(",")), { tags }));
        }
        break;
      }
    }

    // The survey travels on every snapshot once answered: one rating per answer (score and time).
    const score = gorgiasRatingScore(p.satisfaction_score);
    if (score !== null) {
      const comment = plainText(textOf(p.satisfaction_comment));
      const ratingId = await derivedEventId(["gorgias", ticketId, "rating", textOf(p.satisfaction_scored_datetime), p.satisfaction_score, comment]);
      events.push(makeEvent(base, "case.rating", ratingId, { rating: { score, ...(comment !== undefined ? { comment } : {}) } }));
    }

    const fields = { callback_at: p.callback_at };
    const promise = callbackPromise({ ...options, callbackField: "callback_at" }, { tags, fields, occurredAt });
    if (promise) events.push(await callbackPromisedEvent(base, ticketId, promise, { phone: p.customer_phone }));
    // The template's field rendered empty: the agent cleared the promised time.
    if (promise?.field === undefined && callbackFieldCleared({ callbackField: "callback_at" }, fields)) {
      events.push(await callbackClearedEvent(base, ticketId, "callback_at", `${p.event}@${changedAt ?? occurredAt}`));
    }
    if (events.length === 0) return { type: "ignored", reason: `Gorgias ${p.event} carried nothing we track (status "${rawStatus ?? ""}")` };
    return { type: "events", events };
  },

  setup(hookUrl) {
    return {
      steps: [
        "In Gorgias go to Settings › App store › HTTP integration › Add HTTP integration. Create one integration per trigger: Ticket created, Ticket updated, Ticket message created (and Ticket self unsnoozed if you snooze tickets).",
        `URL: ${hookUrl} ; method POST ; request content type application/json.`,
        `Headers: ${SHARED_TOKEN_HEADER} whose value is the token you saved as this provider's secret in Promptly (or append ?token=YOUR_TOKEN to the URL).`,
        "Paste the template below as the request body and set \"event\" to the integration's trigger. For callbacks with a time add \"callback_at\" fed by your ticket field, or set callbackTag; when an agent empties that field, the callback is cancelled.",
        "Satisfaction ratings arrive with the Ticket updated integration once the customer answers the survey (satisfaction_score 1–2 is a bad rating, 4–5 good). The customer's phone is not in the template: add a gorgias_note channel (base URL, user email, API key) to your rules and Promptly looks the customer up once per case (GET /api/customers/{id}).",
      ],
      template: GORGIAS_TEMPLATE,
      headers: { [SHARED_TOKEN_HEADER]: "YOUR_TOKEN" },
    };
  },
};
