/**
 * Chatwoot account webhooks (signed since v4.11.2): X-Chatwoot-Signature = "sha256=" + hex
 * HMAC-SHA256(secret, timestamp + "." + rawBody), X-Chatwoot-Timestamp in unix seconds, and
 * X-Chatwoot-Delivery, stable across retries, as the dedupe key. Conversations are keyed by
 * `display_id`, the number agents see in the Chatwoot URL.
 */
import { z } from "zod";
import type { CaseStatus, Channel, NormalizedEvent } from "../events/model";
import { concatBytes, fromHex, utf8 } from "../lib/crypto";
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
  mapPriority,
  mapStatus,
  nonEmpty,
  plainText,
  readOptions,
  ticketCaseKey,
  toIsoInstant,
  type EventBase,
} from "./common";
import { signedBodyEventId } from "./signed-identity";

const Id = z.union([z.number(), z.string().min(1)]).transform(String);
const Time = z.union([z.number(), z.string()]);
const Contact = z.looseObject({ id: Id.nullish(), type: z.string().nullish(), name: z.string().nullish(), email: z.string().nullish(), phone_number: z.string().nullish() });
const Conversation = z.looseObject({
  id: Id.nullish(),
  display_id: Id.nullish(),
  status: z.string().nullish(),
  priority: z.string().nullish(),
  channel: z.string().nullish(),
  labels: z.array(z.string()).nullish(),
  custom_attributes: z.record(z.string(), z.unknown()).nullish(),
  meta: z.looseObject({ sender: Contact.nullish(), assignee: Contact.nullish(), team: z.looseObject({ name: z.string().nullish() }).nullish() }).nullish(),
  messages: z.array(z.looseObject({ content: z.string().nullish(), message_type: z.union([z.string(), z.number()]).nullish(), private: z.boolean().nullish() })).nullish(),
  created_at: Time.nullish(),
  updated_at: Time.nullish(),
  timestamp: Time.nullish(),
});

export const ChatwootPayload = Conversation.extend({
  event: z.string().min(1),
  // message_* events: the message itself is the body, its conversation nested.
  content: z.string().nullish(),
  message_type: z.union([z.string(), z.number()]).nullish(),
  private: z.boolean().nullish(),
  sender: Contact.nullish(),
  contact: Contact.nullish(),
  conversation: Conversation.nullish(),
  account: z.looseObject({ id: Id.nullish() }).nullish(),
  changed_attributes: z.array(z.record(z.string(), z.looseObject({ current_value: z.unknown(), previous_value: z.unknown() }))).nullish(),
}).superRefine((p, ctx) => {
  if (p.event.startsWith("message_")) {
    if (!p.conversation) ctx.addIssue({ code: "custom", path: ["conversation"], message: "message events need the conversation" });
    else if (p.conversation.display_id == null && p.conversation.id == null) ctx.addIssue({ code: "custom", path: ["conversation", "display_id"], message: "conversation has no display_id" });
    if (p.message_type == null) ctx.addIssue({ code: "custom", path: ["message_type"], message: "message events need message_type" });
  } else if (p.event.startsWith("conversation_") && !p.event.startsWith("conversation_typing") && p.display_id == null && p.id == null) {
    ctx.addIssue({ code: "custom", path: ["id"], message: "conversation events need id or display_id" });
  }
});
export type ChatwootPayload = z.infer<typeof ChatwootPayload>;

export const ChatwootOptions = HelpdeskOptions;

const STATUS: Record<string, CaseStatus> = {
  open: "open",
  // Chatwoot "pending" is a conversation nobody (but a bot) has picked up: still open for the SLA.
  pending: "open",
  // Snoozed until a time or the customer's next message: waiting, like Intercom's, Front's and Gorgias' snooze.
  snoozed: "pending",
  resolved: "solved",
};

function channelOf(channel: string | null | undefined): Channel | undefined {
  if (!channel) return undefined;
  const c = channel.replace(/^Channel::/, "").toLowerCase();
  if (c === "webwidget") return "chat";
  if (c === "email") return "email";
  if (c === "api") return "api";
  if (c === "sms" || c === "twiliosms") return "sms";
  if (c === "voice") return "phone";
  if (/whatsapp|facebook|twitter|telegram|line|instagram|tiktok/.test(c)) return "social";
  return "other";
}

/** incoming/outgoing/activity/template, or 0–3 in some payloads. */
function messageType(t: string | number | null | undefined): string {
  return typeof t === "number" ? (["incoming", "outgoing", "activity", "template"][t] ?? String(t)) : (t ?? "");
}

export const chatwootAdapter: ProviderAdapter<typeof ChatwootPayload, "chatwoot"> = {
  id: "chatwoot",
  title: "Chatwoot",
  kind: "helpdesk",
  optionsSchema: ChatwootOptions,
  schema: ChatwootPayload,

  async verify(input): Promise<VerifyResult> {
    const signature = header(input.headers, "x-chatwoot-signature");
    const timestamp = header(input.headers, "x-chatwoot-timestamp");
    if (signature === null || timestamp === null) return { ok: false, code: "bad_signature", message: "missing X-Chatwoot-Signature or X-Chatwoot-Timestamp (Chatwoot ≥ 4.11.2 signs webhooks)" };
    const hex = signature.startsWith("sha256=") ? signature.slice(7) : null;
    const data = concatBytes(utf8(`${timestamp}.`), input.rawBody);
    if (!(await hmacMatchesAnySecret("SHA-256", input.config.secrets, data, hex === null ? null : fromHex(hex)))) {
      return { ok: false, code: "bad_signature", message: "X-Chatwoot-Signature does not match any configured secret" };
    }
    return checkReplayWindow(/^\d+$/.test(timestamp) ? Number(timestamp) * 1000 : Number.NaN, input.now, input.config.toleranceSeconds);
  },

  async normalize({ storeId, payload: p, rawBody, config, receivedAt }): Promise<NormalizeResult> {
    const isMessage = p.event === "message_created";
    const isConversation = ["conversation_created", "conversation_status_changed", "conversation_updated"].includes(p.event);
    // X-Chatwoot-Delivery is outside the signature: the signed bytes are the delivery's identity.
    const delivery = await signedBodyEventId("chatwoot", rawBody);
    if (!isMessage && !isConversation) return { type: "ignored", reason: `Chatwoot ${p.event} is not used for case timing`, providerEventId: delivery };
    const options = readOptions(ChatwootOptions, config.options);
    const conv = isMessage ? (p.conversation ?? {}) : p;
    const displayId = nonEmpty(conv.display_id ?? conv.id) ?? "";
    const changedAt = isMessage ? p.created_at : (p.updated_at ?? p.timestamp ?? p.created_at);
    const occurredAt = toIsoInstant(changedAt) ?? new Date(receivedAt).toISOString();
    const person = (isMessage && p.sender?.type !== "user" ? p.sender : undefined) ?? conv.meta?.sender ?? p.contact;
    const rawStatus = nonEmpty(conv.status);
    const status = mapStatus(rawStatus, STATUS, options.statusMap) ?? undefined;
    const accountId = nonEmpty(p.account?.id);
    const base: EventBase = {
      storeId,
      provider: "chatwoot",
      occurredAt,
      caseKey: ticketCaseKey("chatwoot", displayId),
      channel: channelOf(conv.channel),
      customer: contact(person?.email, person?.phone_number, person?.name),
      url: options.baseUrl && accountId ? `${options.baseUrl.replace(/\/+$/, "")}/app/accounts/${accountId}/conversations/${displayId}` : undefined,
    };
    // conversation_updated: changed_attributes says what changed (label_list carries both lists).
    const changed = Object.assign({}, ...(p.changed_attributes ?? [])) as Record<string, { current_value: unknown; previous_value?: unknown } | undefined>;
    const labelList = (v: unknown) => (Array.isArray(v) ? v.map(String) : undefined);
    const labelsNow = p.event === "conversation_updated" ? labelList(changed.label_list?.current_value) : undefined;
    const labelsBefore = p.event === "conversation_updated" ? labelList(changed.label_list?.previous_value) : undefined;
    const tags = labelsNow ?? conv.labels ?? undefined;
    const wanted = options.callbackTag?.toLowerCase();
    const has = (list: string[] | undefined) => wanted !== undefined && (list ?? []).some((t) => t.toLowerCase() === wanted);
    /** The callback label was added by this very change (so a label removed and re-added is a new promise). */
    const labelAdded = labelsNow !== undefined && has(labelsNow) && !has(labelsBefore);
    const events: NormalizedEvent[] = [];

    if (isMessage) {
      const type = messageType(p.message_type);
      const body = plainText(p.content);
      if (type === "incoming") events.push(makeEvent(base, "case.customer_message", delivery, { body }));
      else if (type === "outgoing") events.push(makeEvent(base, p.private === true ? "case.agent_note" : "case.agent_reply", delivery, { body }));
      else return { type: "ignored", reason: `Chatwoot ${type} messages are not conversation turns`, providerEventId: delivery };
    } else if (p.event === "conversation_created") {
      events.push(makeEvent(base, "case.opened", delivery, { status, rawStatus, priority: mapPriority(conv.priority) ?? undefined, tags, assignee: nonEmpty(conv.meta?.assignee?.email ?? conv.meta?.assignee?.name) }));
      const first = conv.messages?.[0];
      if (first && messageType(first.message_type) === "incoming" && nonEmpty(first.content)) {
        events.push(makeEvent(base, "case.customer_message", `${delivery}:message`, { body: plainText(first.content) }));
      }
    } else if (p.event === "conversation_status_changed") {
      if (!status) return { type: "ignored", reason: `Chatwoot status "${rawStatus ?? ""}" has no mapping; add it to statusMap`, providerEventId: delivery };
      events.push(makeEvent(base, "case.status_changed", delivery, { status, rawStatus }));
    } else {
      if (changed.label_list && tags !== undefined) events.push(makeEvent(base, "case.tags_changed", `${delivery}:tags`, { tags }));
      const priority = changed.priority ? mapPriority(changed.priority.current_value as string | null) : null;
      if (priority) events.push(makeEvent(base, "case.priority_changed", `${delivery}:priority`, { priority }));
      if (changed.assignee_id || changed.team_id) {
        events.push(makeEvent(base, "case.assignment_changed", `${delivery}:assignment`, { assignee: nonEmpty(conv.meta?.assignee?.email ?? conv.meta?.assignee?.name), group: nonEmpty(conv.meta?.team?.name) }));
      }
    }

    if (isConversation) {
      // A label promises a callback when the conversation starts with it or a change adds it; any
      // other event that merely still carries it must not (it would replace the promise, due later).
      const tagPromises = p.event === "conversation_created" || labelAdded;
      const promise = callbackPromise(options, { tags, fields: conv.custom_attributes ?? {}, occurredAt, tagPromises });
      if (promise) {
        events.push(await callbackPromisedEvent(base, displayId, promise, { phone: base.customer?.phone, ...(labelAdded && promise.key.startsWith("tag:") ? { occurrence: delivery } : {}) }));
      }
      // Chatwoot drops a cleared attribute from the object: it was in the previous value and is gone now.
      const attrs = changed.custom_attributes;
      if (promise?.field === undefined && attrs && options.callbackField !== undefined) {
        const before = (attrs.previous_value ?? {}) as Record<string, unknown>;
        const now = (attrs.current_value ?? {}) as Record<string, unknown>;
        const had = Object.keys(before).some((k) => k.toLowerCase() === options.callbackField!.toLowerCase());
        const has = Object.entries(now).find(([k]) => k.toLowerCase() === options.callbackField!.toLowerCase());
        if (had && (has === undefined || callbackFieldCleared(options, now))) events.push(await callbackClearedEvent(base, displayId, options.callbackField, delivery));
      }
    }
    if (events.length === 0) return { type: "ignored", reason: "conversation_updated changed nothing we track", providerEventId: delivery };
    return { type: "events", events };
  },

  setup(hookUrl) {
    return {
      steps: [
        "In Chatwoot go to Settings › Integrations › Webhooks › Add new webhook (Chatwoot 4.11.2 or later signs webhooks).",
        `Webhook URL: ${hookUrl}`,
        "Events: Conversation Created, Conversation Status Changed, Conversation Updated, Message Created.",
        "After saving, copy the webhook's secret and save it as this provider's secret in Promptly. Set baseUrl (e.g. https://app.chatwoot.com) for clickable case links.",
      ],
    };
  },
};
