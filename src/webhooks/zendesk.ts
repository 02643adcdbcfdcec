/**
 * Zendesk event webhooks (`zen:event-type:ticket.*`): Zendesk defines the body, signs
 * base64(HMAC-SHA256(secret, timestamp + rawBody)) and gives every event a UUID `id`.
 * Trigger/automation webhooks (admin-written bodies) are not supported: their statuses are
 * localized labels, so the event subscription is the reliable source.
 */
import { z } from "zod";
import type { CaseStatus, Channel, NormalizedEvent } from "../events/model";
import { fromBase64, hmacVerify, concatBytes, utf8 } from "../lib/crypto";
import type { NormalizeResult, ProviderAdapter, VerifyInput, VerifyResult } from "./adapter";
import {
  HelpdeskOptions,
  callbackClearedEvent,
  callbackFieldCleared,
  callbackPromise,
  callbackPromisedEvent,
  checkReplayWindow,
  hasUnrenderedPlaceholder,
  header,
  hmacMatchesAnySecret,
  makeEvent,
  mapPriority,
  mapStatus,
  nonEmpty,
  plainText,
  readOptions,
  ticketCaseKey,
  toIsoInstant,
  type EventBase,
} from "./common";

/** Zendesk ids are strings in event webhooks; accept numbers too (trigger-style ids). */
const Id = z.union([z.string().min(1), z.number()]).transform(String);

const TicketDetail = z.looseObject({
  id: Id.optional(),
  /** The standard status category (`OPEN`, `PENDING`, …), also when a custom status is set. */
  status: z.string().nullish(),
  /** The custom ticket status id, on accounts with custom statuses (e.g. "8447320465790"). */
  custom_status: Id.nullish(),
  priority: z.string().nullish(),
  subject: z.string().nullish(),
  tags: z.array(z.string()).nullish(),
  assignee_id: Id.nullish(),
  group_id: Id.nullish(),
  requester_id: Id.nullish(),
  submitter_id: Id.nullish(),
  description: z.string().nullish(),
  updated_at: z.string().nullish(),
  via: z.looseObject({ channel: z.string().nullish() }).nullish(),
});

/**
 * A changed value. Most ticket events send a string or number; a custom field change may send its
 * value wrapped (`{ "value": … }`), a checkbox a boolean and a multi-select a list: all are read
 * as the text a rule or a callback time would see.
 */
const Changed = z.preprocess((v) => {
  const inner = v !== null && typeof v === "object" && !Array.isArray(v) && "value" in v ? (v as { value: unknown }).value : v;
  if (typeof inner === "boolean") return String(inner);
  if (Array.isArray(inner)) return inner.map(String).join(",");
  return inner;
}, z.union([z.string(), z.number()]).nullish());

const EventDetail = z.looseObject({
  current: Changed,
  previous: Changed,
  /** On `ticket.custom_field_changed`: which field changed. */
  custom_field: z.looseObject({ id: Id.nullish(), title: z.string().nullish() }).nullish(),
  comment: z
    .looseObject({
      id: Id.nullish(),
      body: z.string().nullish(),
      is_public: z.boolean(),
      author: z.looseObject({ id: Id.nullish(), is_staff: z.boolean().nullish(), name: z.string().nullish() }).nullish(),
    })
    .optional(),
  tags_added: z.array(z.string()).nullish(),
  tags_removed: z.array(z.string()).nullish(),
});

/**
 * What Promptly's satisfaction trigger sends (`ZENDESK_RATING_TEMPLATE`): Zendesk's event
 * subscriptions carry no satisfaction event, so a trigger on "Satisfaction changed" posts the
 * rating through the same signed webhook.
 */
export const ZENDESK_RATING_TYPE = "promptly:ticket.satisfaction_rated";

export const ZendeskPayload = z
  .looseObject({
    type: z.string().min(1),
    id: z.string().min(1),
    time: z.string().min(1),
    account_id: z.number().optional(),
    subject: z.string().optional(),
    detail: TicketDetail.optional(),
    event: EventDetail.optional(),
    satisfaction: z.looseObject({ rating: z.union([z.string(), z.number()]).transform(String).nullish(), comment: z.string().nullish() }).optional(),
  })
  .superRefine((p, ctx) => {
    if (p.type === ZENDESK_RATING_TYPE && p.satisfaction === undefined) ctx.addIssue({ code: "custom", path: ["satisfaction"], message: `${ZENDESK_RATING_TYPE} needs satisfaction.rating` });
    if (!p.type.startsWith("zen:event-type:ticket.") && p.type !== ZENDESK_RATING_TYPE) return;
    if (p.detail?.id === undefined) ctx.addIssue({ code: "custom", path: ["detail", "id"], message: "ticket events need detail.id" });
    if (p.type === "zen:event-type:ticket.comment_added" && p.event?.comment === undefined) {
      ctx.addIssue({ code: "custom", path: ["event", "comment"], message: "ticket.comment_added needs event.comment" });
    }
  });
export type ZendeskPayload = z.infer<typeof ZendeskPayload>;

/**
 * The body of the trigger that reports satisfaction ratings (see `setup`). Placeholders are
 * Zendesk's own: `{{satisfaction.current_rating}}` renders the score ("Good"/"Bad", or a number
 * on a 1–5 scale), `{{ticket.updated_at_with_timestamp}}` an ISO instant.
 */
export const ZENDESK_RATING_TEMPLATE = {
  type: ZENDESK_RATING_TYPE,
  id: "{{ticket.id}}-satisfaction-{{ticket.updated_at_with_timestamp}}",
  time: "{{ticket.updated_at_with_timestamp}}",
  detail: { id: "{{ticket.id}}", requester_id: "{{ticket.requester.id}}" },
  satisfaction: { rating: "{{satisfaction.current_rating}}", comment: "{{satisfaction.current_comment}}" },
};

/** A rating as Zendesk words it: good/bad, or a 1–5 score (1–2 bad, 4–5 good, 3 neither). */
export function zendeskRatingScore(raw: string | null | undefined): "good" | "bad" | null {
  const r = (raw ?? "").trim().toLowerCase();
  if (/^[1-5]$/.test(r)) return Number(r) <= 2 ? "bad" : Number(r) >= 4 ? "good" : null;
  if (/\bbad\b|not satisfied|unsatisfied|dissatisfied/.test(r)) return "bad";
  if (/\bgood\b|satisfied/.test(r)) return "good";
  return null;
}

export const ZendeskOptions = HelpdeskOptions.extend({
  /** `acme` for acme.zendesk.com: used to link events to the ticket. */
  subdomain: z.string().regex(/^[a-z0-9][a-z0-9-]*$/i).optional(),
});

/**
 * The static secret Zendesk signs with when an admin tests a webhook before creating it. Such a
 * test is answered 200 and nothing is stored; it can never verify a real delivery.
 */
export const ZENDESK_TEST_SECRET = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==";

const STATUS: Record<string, CaseStatus> = {
  new: "open",
  open: "open",
  pending: "pending",
  hold: "on-hold",
  solved: "solved",
  closed: "closed",
  deleted: "closed",
  archived: "closed",
  scrubbed: "closed",
};

function channelOf(via: string | null | undefined): Channel | undefined {
  if (!via) return undefined;
  const v = via.toLowerCase();
  if (v === "email" || v === "mail") return "email";
  if (v === "web" || v === "web_form" || v === "web_widget" || v === "help_center") return "web";
  if (["chat", "native_messaging", "messaging", "chat_transcript", "sunshine_conversations"].includes(v)) return "chat";
  if (["voice", "phone", "phone_call_inbound", "phone_call_outbound", "voicemail"].includes(v)) return "phone";
  if (v === "sms" || v === "text") return "sms";
  if (["facebook", "twitter", "instagram", "whatsapp", "line", "wechat", "telegram", "x_corp_dm", "facebook_post", "facebook_message", "twitter_dm", "twitter_tweet", "instagram_dm"].includes(v)) return "social";
  if (v === "api" || v === "web_service") return "api";
  if (v.includes("marketplace") || v === "any_channel") return "marketplace";
  return "other";
}

/**
 * The support status of a ticket: its custom status id through the store's `statusMap` when the
 * store mapped that id, otherwise its standard category (store map first, then the built-in one).
 * `raw` keeps what decided it: `custom_status:<id>` or the category name.
 */
function statusOf(
  customStatus: string | null | undefined,
  category: string | number | null | undefined,
  statusMap: Record<string, CaseStatus> | undefined,
): { status: CaseStatus; raw: string } | null {
  const custom = nonEmpty(customStatus);
  const byCustom = custom === undefined ? null : mapStatus(custom, {}, statusMap);
  if (byCustom !== null) return { status: byCustom, raw: `custom_status:${custom}` };
  const raw = nonEmpty(category);
  const byCategory = mapStatus(raw, STATUS, statusMap);
  return byCategory === null || raw === undefined ? null : { status: byCategory, raw };
}

async function signatureMatches(secrets: string[], input: VerifyInput, signature: string, timestamp: string): Promise<boolean> {
  return hmacMatchesAnySecret("SHA-256", secrets, concatBytes(utf8(timestamp), input.rawBody), fromBase64(signature));
}

export const zendeskAdapter: ProviderAdapter<typeof ZendeskPayload, "zendesk"> = {
  id: "zendesk",
  title: "Zendesk",
  kind: "helpdesk",
  optionsSchema: ZendeskOptions,
  schema: ZendeskPayload,

  async testPing(input) {
    // Admin Center's "Test webhook" before creation signs with Zendesk's public test secret;
    // Zendesk only needs a 2xx, so answer it without storing (a real secret is never this one).
    if (input.config.secrets.includes(ZENDESK_TEST_SECRET)) return null;
    const signature = header(input.headers, "x-zendesk-webhook-signature");
    const timestamp = header(input.headers, "x-zendesk-webhook-signature-timestamp");
    if (signature === null || timestamp === null) return null;
    const provided = fromBase64(signature);
    if (provided === null || !(await hmacVerify("SHA-256", ZENDESK_TEST_SECRET, concatBytes(utf8(timestamp), input.rawBody), provided))) return null;
    return Response.json({ ok: true, test: true, note: "Zendesk test webhook received; nothing was stored" }, { status: 200 });
  },

  async verify(input): Promise<VerifyResult> {
    const signature = header(input.headers, "x-zendesk-webhook-signature");
    const timestamp = header(input.headers, "x-zendesk-webhook-signature-timestamp");
    if (signature === null || timestamp === null) {
      return { ok: false, code: "bad_signature", message: "missing X-Zendesk-Webhook-Signature or X-Zendesk-Webhook-Signature-Timestamp" };
    }
    if (!(await signatureMatches(input.config.secrets, input, signature, timestamp))) {
      return { ok: false, code: "bad_signature", message: "X-Zendesk-Webhook-Signature does not match any configured signing secret" };
    }
    const signedAt = toIsoInstant(timestamp);
    return checkReplayWindow(signedAt === null ? Number.NaN : Date.parse(signedAt), input.now, input.config.toleranceSeconds);
  },

  async normalize({ storeId, payload, config, receivedAt }): Promise<NormalizeResult> {
    const type = payload.type === ZENDESK_RATING_TYPE ? "ticket.satisfaction_rated" : payload.type.replace(/^zen:event-type:/, "");
    if (hasUnrenderedPlaceholder(payload.detail?.id)) return { type: "ignored", reason: "the trigger's {{placeholders}} were not rendered: it must be sent by a Zendesk trigger", providerEventId: payload.id };
    if (!type.startsWith("ticket.")) return { type: "ignored", reason: `Zendesk ${type} events are not about tickets`, providerEventId: payload.id };
    const options = readOptions(ZendeskOptions, config.options);
    const detail = payload.detail ?? {};
    const ticketId = detail.id ?? "";
    const occurredAt = toIsoInstant(payload.time) ?? new Date(receivedAt).toISOString();
    const tags = detail.tags ?? undefined;
    const base: EventBase = {
      storeId,
      provider: "zendesk",
      occurredAt,
      caseKey: ticketCaseKey("zendesk", ticketId),
      channel: channelOf(detail.via?.channel),
      subject: nonEmpty(detail.subject),
      url: options.subdomain ? `https://${options.subdomain}.zendesk.com/agent/tickets/${ticketId}` : undefined,
      // Zendesk names the requester only by id: the case looks them up (src/contacts/zendesk.ts).
      requesterId: nonEmpty(detail.requester_id),
    };
    const ticketStatus = statusOf(detail.custom_status, detail.status, options.statusMap);
    const status = ticketStatus?.status;
    const rawStatus = ticketStatus?.raw ?? nonEmpty(detail.status);
    const priority = mapPriority(detail.priority) ?? undefined;
    const event = payload.event ?? {};
    const events: NormalizedEvent[] = [];

    switch (type) {
      case "ticket.created": {
        events.push(makeEvent(base, "case.opened", payload.id, { status, rawStatus, priority, tags, assignee: nonEmpty(detail.assignee_id), group: nonEmpty(detail.group_id) }));
        // The description is the requester's first message unless an agent opened the ticket for them.
        const byRequester = detail.submitter_id === undefined || detail.submitter_id === null || detail.submitter_id === detail.requester_id;
        if (byRequester && nonEmpty(detail.description)) {
          events.push(makeEvent(base, "case.customer_message", `${payload.id}:message`, { body: plainText(detail.description) }));
        }
        break;
      }
      case "ticket.status_changed": {
        // `event.current` is the standard category; the ticket's custom status (if any) is the
        // finer one the store may have mapped.
        const current = nonEmpty(event.current);
        const mapped = statusOf(detail.custom_status, current, options.statusMap);
        if (mapped === null) return { type: "ignored", reason: `Zendesk status ${current ?? "(none)"} has no mapping; add it to statusMap`, providerEventId: payload.id };
        events.push(makeEvent(base, "case.status_changed", payload.id, { status: mapped.status, rawStatus: mapped.raw }));
        break;
      }
      case "ticket.custom_status_changed": {
        // `event.current` is the custom status id; `detail.status` its standard category, the
        // fallback when the store has not mapped that id.
        const current = nonEmpty(event.current) ?? nonEmpty(detail.custom_status);
        const mapped = statusOf(current, detail.status, options.statusMap);
        if (mapped === null) {
          return { type: "ignored", reason: `Zendesk custom status ${current ?? "(none)"} has no mapping and the ticket no standard status; add the id to statusMap`, providerEventId: payload.id };
        }
        events.push(makeEvent(base, "case.status_changed", payload.id, { status: mapped.status, rawStatus: mapped.raw }));
        break;
      }
      case "ticket.priority_changed": {
        const mapped = mapPriority(event.current);
        if (mapped === null) return { type: "ignored", reason: "Zendesk priority was cleared", providerEventId: payload.id };
        events.push(makeEvent(base, "case.priority_changed", payload.id, { priority: mapped }));
        break;
      }
      case "ticket.agent_assignment_changed":
        events.push(makeEvent(base, "case.assignment_changed", payload.id, { assignee: nonEmpty(event.current), group: nonEmpty(detail.group_id) }));
        break;
      case "ticket.group_assignment_changed":
        events.push(makeEvent(base, "case.assignment_changed", payload.id, { group: nonEmpty(event.current), assignee: nonEmpty(detail.assignee_id) }));
        break;
      case "ticket.comment_added": {
        const comment = event.comment;
        if (comment === undefined) return { type: "ignored", reason: "comment missing", providerEventId: payload.id };
        const authorId = nonEmpty(comment.author?.id);
        const isStaff = comment.author?.is_staff ?? (authorId !== undefined && authorId !== nonEmpty(detail.requester_id));
        const kind = !comment.is_public ? "case.agent_note" : isStaff ? "case.agent_reply" : "case.customer_message";
        events.push(makeEvent(base, kind, payload.id, { body: plainText(comment.body), status, rawStatus }));
        break;
      }
      case "ticket.tags_changed": {
        const added = event.tags_added ?? undefined;
        // `tags` on an event means "the full current list" (the case engine replaces its list and
        // treats a missing callback tag as removed), so it is only set from the ticket's own list.
        if (tags !== undefined) events.push(makeEvent(base, "case.tags_changed", payload.id, { tags }));
        // Only a tag added by this change promises a callback; the event id makes a re-added tag a new promise.
        const promise = added !== undefined ? callbackPromise(options, { tags: added, occurredAt }) : null;
        if (promise) events.push(await callbackPromisedEvent(base, ticketId, promise, { occurrence: payload.id }));
        if (events.length === 0) return { type: "ignored", reason: "Zendesk tags_changed carried neither the ticket's tags nor a callback tag", providerEventId: payload.id };
        break;
      }
      case "ticket.requester_changed": {
        // Another person: the old contact goes, and the case looks the new requester up.
        const requesterId = nonEmpty(event.current) ?? base.requesterId;
        events.push(makeEvent(base, "case.contact_updated", payload.id, requesterId !== undefined ? { requesterId } : {}));
        break;
      }
      case "ticket.custom_field_changed": {
        const field = options.callbackField?.toLowerCase();
        const changed = event.custom_field;
        const isCallbackField = field !== undefined && (nonEmpty(changed?.id)?.toLowerCase() === field || nonEmpty(changed?.title)?.toLowerCase() === field);
        if (!isCallbackField) return { type: "ignored", reason: `Zendesk custom field ${nonEmpty(changed?.title) ?? nonEmpty(changed?.id) ?? "(unnamed)"} is not the callbackField`, providerEventId: payload.id };
        const fields = { [options.callbackField!]: event.current ?? null };
        const promise = callbackPromise({ ...options, callbackTag: undefined }, { fields, occurredAt });
        if (promise) events.push(await callbackPromisedEvent(base, ticketId, promise, { occurrence: payload.id }));
        else if (callbackFieldCleared(options, fields)) events.push(await callbackClearedEvent(base, ticketId, options.callbackField!, payload.id));
        else return { type: "ignored", reason: `Zendesk field ${options.callbackField!} holds no callback time (ISO 8601 or epoch)`, providerEventId: payload.id };
        break;
      }
      case "ticket.satisfaction_rated": {
        const score = zendeskRatingScore(payload.satisfaction?.rating);
        if (score === null) return { type: "ignored", reason: `Zendesk rating "${payload.satisfaction?.rating ?? ""}" is neither good nor bad (offered, unoffered or a middle score)`, providerEventId: payload.id };
        const comment = nonEmpty(payload.satisfaction?.comment);
        events.push(makeEvent(base, "case.rating", payload.id, { rating: { score, ...(comment !== undefined && !hasUnrenderedPlaceholder(comment) ? { comment: plainText(comment) } : {}) } }));
        break;
      }
      default:
        return { type: "ignored", reason: `Zendesk ${type} is not used for case timing`, providerEventId: payload.id };
    }

    if (type === "ticket.created") {
      const promise = callbackPromise(options, { tags, occurredAt });
      if (promise) events.push(await callbackPromisedEvent(base, ticketId, promise));
    }
    return { type: "events", events };
  },

  setup(hookUrl) {
    return {
      steps: [
        "In Zendesk Admin Center go to Apps and integrations › Webhooks › Create webhook, and choose \"Zendesk events\".",
        "Subscribe to: Ticket created, Status changed, Custom status changed, Priority changed, Agent assignment changed, Group assignment changed, Comment added, Tags changed, Requester changed (and Custom field changed if you set callbackField).",
        `Endpoint URL: ${hookUrl} ; request method POST ; request format JSON ; authentication None.`,
        "Create the webhook, open it and choose \"Reveal secret\" under Signing secret; save that secret in Promptly (PUT /v1/stores/:storeId/providers/zendesk with {\"secrets\": [\"…\"]}).",
        "Zendesk's \"Test webhook\" (before the webhook is created, signed with Zendesk's public test secret) is answered 200 and not stored, once the provider is configured in Promptly: configure it first with a placeholder secret, then replace that with the revealed signing secret.",
        "Custom ticket statuses arrive as their id (Admin Center › Objects and rules › Tickets › Ticket statuses, or GET /api/v2/custom_statuses): map the ids with the option statusMap (e.g. {\"8447320465790\": \"waiting-on-third-party\"}); an unmapped one counts as its standard category. Set subdomain (acme for acme.zendesk.com) for clickable case links.",
        "Satisfaction ratings: Zendesk events carry none. Create a second webhook with the same endpoint URL, connected to \"Trigger or automation\" (POST, JSON), and add its signing secret to this provider's secrets in Promptly next to the first. Then create a trigger (Admin Center › Objects and rules › Business rules › Triggers) with the condition Ticket › Satisfaction \"Changed to\" Bad (and a second one for Good, so a revised rating is seen) and the action \"Notify by › Active webhook\" choosing that webhook, and paste the template below as its JSON body.",
        "Customer name, email and phone: Zendesk events carry only the requester's id. Add a zendesk_note channel (base URL, agent email, API token) to your rules and Promptly looks the requester up once per case (GET /api/v2/users/{id}).",
      ],
      template: ZENDESK_RATING_TEMPLATE,
    };
  },
};
