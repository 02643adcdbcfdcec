/**
 * Front, both webhook kinds, told apart by X-Front-Request-Timestamp:
 * - rule webhooks: X-Front-Signature = base64(HMAC-SHA1(company API secret, rawBody)), body = Event;
 * - application webhooks: X-Front-Signature = base64(HMAC-SHA256(app secret, timestamp + ":" + rawBody)),
 *   timestamp in ms (replay window applies), body = {type, authorization, payload: Event}.
 * Saving an application webhook sends a signed `sync` request with X-Front-Challenge, which must
 * be echoed back with a 200; it is verified first and nothing is stored.
 */
import { z } from "zod";
import type { CaseStatus, Channel, NormalizedEvent } from "../events/model";
import { concatBytes, fromBase64, utf8 } from "../lib/crypto";
import type { NormalizeResult, ProviderAdapter, VerifyResult } from "./adapter";
import {
  HelpdeskOptions,
  callbackClearedEvent,
  callbackFieldCleared,
  callbackPromise,
  callbackPromisedEvent,
  checkReplayWindow,
  contact,
  header,
  hmacMatchesAnySecret,
  makeEvent,
  mapStatus,
  nonEmpty,
  plainText,
  readOptions,
  ticketCaseKey,
  toIsoInstant,
  type EventBase,
} from "./common";

const Teammate = z.looseObject({ id: z.string().nullish(), email: z.string().nullish(), username: z.string().nullish() });
const Tag = z.looseObject({ name: z.string() });
const Message = z.looseObject({
  id: z.string().nullish(),
  type: z.string().nullish(),
  is_inbound: z.boolean().nullish(),
  created_at: z.number().nullish(),
  blurb: z.string().nullish(),
  body: z.string().nullish(),
  text: z.string().nullish(),
  author: Teammate.nullish(),
  recipients: z.array(z.looseObject({ handle: z.string().nullish(), role: z.string().nullish() })).nullish(),
});
const Conversation = z.looseObject({
  id: z.string().min(1),
  subject: z.string().nullish(),
  status: z.string().nullish(),
  assignee: Teammate.nullish(),
  recipient: z.looseObject({ handle: z.string().nullish(), role: z.string().nullish() }).nullish(),
  tags: z.array(Tag).nullish(),
  last_message: Message.nullish(),
  custom_fields: z.record(z.string(), z.unknown()).nullish(),
  created_at: z.number().nullish(),
});
export const FrontEvent = z.looseObject({
  id: z.string().min(1),
  type: z.string().min(1),
  emitted_at: z.number(),
  conversation: Conversation,
  source: z.looseObject({ _meta: z.looseObject({ type: z.string().nullish() }).nullish() }).nullish(),
  target: z.looseObject({ _meta: z.looseObject({ type: z.string().nullish() }).nullish(), data: z.unknown() }).nullish(),
});
export type FrontEvent = z.infer<typeof FrontEvent>;

/**
 * One of: the `sync` validation request, an application-webhook envelope `{type, payload}`, or a
 * rule-webhook Event. Rule events need their Event fields at the top level; paths say which is missing.
 */
export const FrontPayload = z
  .looseObject({
    type: z.string().min(1),
    authorization: z.looseObject({ id: z.string().nullish() }).nullish(),
    payload: FrontEvent.optional(),
    id: z.string().min(1).optional(),
    emitted_at: z.number().optional(),
    conversation: Conversation.optional(),
    target: FrontEvent.shape.target,
    source: FrontEvent.shape.source,
  })
  .superRefine((p, ctx) => {
    if (p.type === "sync" || p.payload !== undefined) return;
    for (const key of ["id", "emitted_at", "conversation"] as const) {
      if (p[key] === undefined) ctx.addIssue({ code: "custom", path: [key], message: `a rule-webhook event needs ${key} (an application webhook needs payload)` });
    }
  });
export type FrontPayload = z.infer<typeof FrontPayload>;

export const FrontOptions = HelpdeskOptions;

const STATUS: Record<string, CaseStatus> = {
  assigned: "open",
  unassigned: "open",
  open: "open",
  archived: "solved",
  resolved: "solved",
  snoozed: "pending",
  waiting: "pending",
  deleted: "closed",
  trashed: "closed",
  invisible: "closed",
};

/** Event type → the conversation status it leaves behind. */
const TYPE_STATUS: Record<string, string> = { archive: "archived", reopen: "open", restore: "open", trash: "deleted" };

function channelOf(type: string | null | undefined): Channel | undefined {
  if (!type) return undefined;
  const t = type.toLowerCase();
  if (t === "email") return "email";
  if (t === "sms") return "sms";
  if (t === "call" || t === "phone") return "phone";
  if (/facebook|tweet|twitter|whatsapp|instagram|smooch/.test(t)) return "social";
  if (t === "intercom" || t === "front_chat" || t === "chat") return "chat";
  if (t === "custom") return "api";
  return "other";
}

function targetData(event: FrontEvent): Record<string, unknown> {
  const d = event.target?.data;
  return d !== null && typeof d === "object" && !Array.isArray(d) ? (d as Record<string, unknown>) : {};
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v : undefined);

export const frontAdapter: ProviderAdapter<typeof FrontPayload, "front"> = {
  id: "front",
  title: "Front",
  kind: "helpdesk",
  optionsSchema: FrontOptions,
  schema: FrontPayload,

  async verify(input): Promise<VerifyResult> {
    const signature = header(input.headers, "x-front-signature");
    if (signature === null) return { ok: false, code: "bad_signature", message: "missing X-Front-Signature" };
    const timestamp = header(input.headers, "x-front-request-timestamp");
    if (timestamp === null) {
      const ok = await hmacMatchesAnySecret("SHA-1", input.config.secrets, input.rawBody, fromBase64(signature));
      return ok ? { ok: true } : { ok: false, code: "bad_signature", message: "X-Front-Signature does not match the company API secret (rule webhook)" };
    }
    const ok = await hmacMatchesAnySecret("SHA-256", input.config.secrets, concatBytes(utf8(`${timestamp}:`), input.rawBody), fromBase64(signature));
    if (!ok) return { ok: false, code: "bad_signature", message: "X-Front-Signature does not match the app secret (application webhook)" };
    return checkReplayWindow(/^\d+$/.test(timestamp) ? Number(timestamp) : Number.NaN, input.now, input.config.toleranceSeconds);
  },

  async normalize({ storeId, payload, headers, config, receivedAt }): Promise<NormalizeResult> {
    if (payload.type === "sync") {
      const challenge = header(headers, "x-front-challenge");
      return { type: "ping", response: Response.json(challenge === null ? { ok: true } : { challenge }, { status: 200 }) };
    }
    const parsed = payload.payload ?? FrontEvent.safeParse(payload).data;
    if (parsed === undefined) return { type: "ignored", reason: "not a Front event" };
    const event = parsed;
    const options = readOptions(FrontOptions, config.options);
    const conv = event.conversation;
    const occurredAt = toIsoInstant(event.emitted_at) ?? new Date(receivedAt).toISOString();
    const data = targetData(event);
    const message = event.target?._meta?.type === "message" ? Message.safeParse(data).data : undefined;
    const inboundFrom = message?.recipients?.find((r) => r.role === "from")?.handle ?? conv.recipient?.handle;
    const tags = conv.tags?.map((t) => t.name);
    const lastMessageType = message?.type ?? conv.last_message?.type;
    const base: EventBase = {
      storeId,
      provider: "front",
      occurredAt,
      caseKey: ticketCaseKey("front", conv.id),
      channel: channelOf(lastMessageType),
      subject: nonEmpty(conv.subject),
      customer: lastMessageType === "email" || lastMessageType === undefined ? contact(inboundFrom?.includes("@") ? inboundFrom : undefined) : contact(undefined, inboundFrom),
      url: `https://app.frontapp.com/open/${conv.id}`,
    };
    const body = plainText(str(data.text) ?? str(data.body) ?? str(data.blurb));
    const events: NormalizedEvent[] = [];

    switch (event.type) {
      case "inbound":
        events.push(makeEvent(base, "case.customer_message", event.id, { body }));
        break;
      case "outbound":
      case "out_reply":
        events.push(makeEvent(base, "case.agent_reply", event.id, { body }));
        break;
      case "comment":
        events.push(makeEvent(base, "case.agent_note", event.id, { body }));
        break;
      case "assign":
        events.push(makeEvent(base, "case.assignment_changed", event.id, { assignee: str(data.email) ?? str(data.username) ?? nonEmpty(conv.assignee?.email) }));
        break;
      case "unassign":
        // An unassignment carries no assignee: the case is back in the queue.
        events.push(makeEvent(base, "case.assignment_changed", event.id));
        break;
      case "archive":
      case "reopen":
      case "restore":
      case "trash": {
        const raw = TYPE_STATUS[event.type] ?? "open";
        events.push(makeEvent(base, "case.status_changed", event.id, { status: mapStatus(raw, STATUS, options.statusMap) ?? "open", rawStatus: raw }));
        break;
      }
      case "tag":
      case "untag": {
        events.push(makeEvent(base, "case.tags_changed", event.id, { tags: tags ?? [] }));
        const tagName = str(data.name);
        const promise = event.type === "tag" && tagName ? callbackPromise(options, { tags: [tagName], occurredAt }) : null;
        if (promise) events.push(await callbackPromisedEvent(base, conv.id, promise, { occurrence: event.id }));
        break;
      }
      default:
        return { type: "ignored", reason: `Front ${event.type} events are not used for case timing`, providerEventId: event.id };
    }

    const fieldPromise = conv.custom_fields && options.callbackField ? callbackPromise({ ...options, callbackTag: undefined }, { fields: conv.custom_fields, occurredAt }) : null;
    if (fieldPromise) {
      events.push(await callbackPromisedEvent(base, conv.id, fieldPromise));
    } else if (callbackFieldCleared(options, conv.custom_fields ?? undefined)) {
      // The conversation's field emptied: the promise is withdrawn.
      events.push(await callbackClearedEvent(base, conv.id, options.callbackField!, event.id));
    }
    return { type: "events", events };
  },

  setup(hookUrl) {
    return {
      steps: [
        `Rule webhook: in Front go to Settings › Company › Rules › New rule. When: Inbound message, Outbound reply, New comment, Assigned/Unassigned, Archived/Reopened, Tag added. Then: "Send to a webhook" → ${hookUrl} (send the full event). Save the API secret from Settings › Developers › Webhooks as this provider's secret in Promptly.`,
        `Application webhook (alternative): Settings › Developers › your app › Webhooks, URL ${hookUrl}; events inbound_received, outbound_sent, new_comment_added, assignee_changed, conversation_archived, conversation_reopened, tag_added, tag_removed. Save the app secret in Promptly first: Front's validation (sync) request is checked and answered with its challenge.`,
        "Case links open the conversation at https://app.frontapp.com/open/ followed by its id (cnv_…).",
      ],
    };
  },
};
