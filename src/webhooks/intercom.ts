/**
 * Intercom webhook notifications: X-Hub-Signature = "sha1=" + hex HMAC-SHA1(app client_secret,
 * rawBody), envelope `{type: "notification_event", id: "notif_…", topic, data: {item}}`; the
 * envelope `id` is the dedupe key. The `ping` topic (sent when the subscription is saved) is
 * answered 200.
 */
import { z } from "zod";
import type { CaseStatus, Channel, NormalizedEvent } from "../events/model";
import { fromHex } from "../lib/crypto";
import type { NormalizeResult, ProviderAdapter, VerifyResult } from "./adapter";
import {
  HelpdeskOptions,
  callbackClearedEvent,
  callbackFieldCleared,
  callbackPromise,
  callbackPromisedEvent,
  contact,
  header,
  hmacMatchesAnySecret,
  makeEvent,
  nonEmpty,
  plainText,
  readOptions,
  ticketCaseKey,
  toIsoInstant,
  type EventBase,
} from "./common";

const Id = z.union([z.string().min(1), z.number()]).transform(String);
const Person = z.looseObject({ type: z.string().nullish(), id: Id.nullish(), name: z.string().nullish(), email: z.string().nullish(), phone: z.string().nullish() });
const TagList = z.looseObject({ tags: z.array(z.looseObject({ name: z.string() })).nullish() });
const Part = z.looseObject({
  id: Id.nullish(),
  part_type: z.string().nullish(),
  body: z.string().nullish(),
  created_at: z.number().nullish(),
  author: Person.nullish(),
  assigned_to: Person.nullish(),
});

const ConversationItem = z.looseObject({
  type: z.string().nullish(),
  id: Id.optional(),
  created_at: z.number().nullish(),
  updated_at: z.number().nullish(),
  state: z.string().nullish(),
  priority: z.string().nullish(),
  title: z.string().nullish(),
  user: Person.nullish(),
  assignee: Person.nullish(),
  source: z.looseObject({ type: z.string().nullish(), delivered_as: z.string().nullish(), subject: z.string().nullish(), body: z.string().nullish(), author: Person.nullish(), url: z.string().nullish() }).nullish(),
  conversation_message: z.looseObject({ subject: z.string().nullish(), body: z.string().nullish(), author: Person.nullish() }).nullish(),
  conversation_parts: z.looseObject({ conversation_parts: z.array(Part).nullish() }).nullish(),
  conversation_rating: z.looseObject({ rating: z.number().nullish(), remark: z.string().nullish(), created_at: z.number().nullish() }).nullish(),
  tags: TagList.nullish(),
  tags_added: TagList.nullish(),
  custom_attributes: z.record(z.string(), z.unknown()).nullish(),
  links: z.looseObject({ conversation_web: z.string().nullish() }).nullish(),
});

/** Conversation topics, plus the tag topic whose item is the tagged conversation. */
const isConversationTopic = (topic: string) => topic.startsWith("conversation.") || topic === "conversation_part.tag.created";

export const IntercomPayload = z
  .looseObject({
    type: z.literal("notification_event"),
    id: z.string().min(1),
    topic: z.string().min(1),
    created_at: z.number().nullish(),
    data: z.looseObject({ item: ConversationItem }),
  })
  .superRefine((p, ctx) => {
    if (isConversationTopic(p.topic) && p.data.item.id === undefined) {
      ctx.addIssue({ code: "custom", path: ["data", "item", "id"], message: "conversation topics need the conversation id" });
    }
  });
export type IntercomPayload = z.infer<typeof IntercomPayload>;

export const IntercomOptions = HelpdeskOptions;

const STATUS: Record<string, CaseStatus> = { open: "open", snoozed: "pending", closed: "solved" };

function channelOf(source: { type?: string | null; delivered_as?: string | null } | null | undefined): Channel | undefined {
  const t = (source?.type ?? "").toLowerCase();
  if (t === "") return undefined;
  if (t === "email") return "email";
  if (t === "conversation" || t === "chat") return "chat";
  if (t.includes("phone") || t.includes("call")) return "phone";
  if (/facebook|twitter|whatsapp|instagram/.test(t)) return "social";
  if (t === "sms") return "sms";
  return "other";
}

const TOPIC_STATUS: Record<string, string> = {
  "conversation.admin.closed": "closed",
  "conversation.admin.opened": "open",
  "conversation.admin.snoozed": "snoozed",
  "conversation.admin.unsnoozed": "open",
};

export const intercomAdapter: ProviderAdapter<typeof IntercomPayload, "intercom"> = {
  id: "intercom",
  title: "Intercom",
  kind: "helpdesk",
  optionsSchema: IntercomOptions,
  schema: IntercomPayload,

  async verify(input): Promise<VerifyResult> {
    const signature = header(input.headers, "x-hub-signature");
    if (signature === null) return { ok: false, code: "bad_signature", message: "missing X-Hub-Signature" };
    const hex = signature.startsWith("sha1=") ? signature.slice(5) : null;
    if (!(await hmacMatchesAnySecret("SHA-1", input.config.secrets, input.rawBody, hex === null ? null : fromHex(hex)))) {
      return { ok: false, code: "bad_signature", message: "X-Hub-Signature does not match the app's client secret" };
    }
    return { ok: true };
  },

  async normalize({ storeId, payload: p, config, receivedAt }): Promise<NormalizeResult> {
    if (p.topic === "ping") return { type: "ping", response: Response.json({ ok: true, ping: true }, { status: 200 }) };
    if (!isConversationTopic(p.topic)) return { type: "ignored", reason: `Intercom ${p.topic} is not about a conversation`, providerEventId: p.id };
    const options = readOptions(IntercomOptions, config.options);
    const item = p.data.item;
    const conversationId = item.id ?? "";
    const parts = item.conversation_parts?.conversation_parts ?? [];
    const part = parts[parts.length - 1];
    const occurredAt = toIsoInstant(part?.created_at ?? item.updated_at ?? p.created_at) ?? new Date(receivedAt).toISOString();
    const user = item.user ?? item.source?.author;
    const tags = item.tags?.tags?.map((t) => t.name);
    const base: EventBase = {
      storeId,
      provider: "intercom",
      occurredAt,
      caseKey: ticketCaseKey("intercom", conversationId),
      channel: channelOf(item.source),
      subject: plainText(item.title ?? item.source?.subject ?? item.conversation_message?.subject),
      customer: user?.type === "admin" ? undefined : contact(user?.email, user?.phone, user?.name),
      url: nonEmpty(item.links?.conversation_web) ?? undefined,
    };
    const firstMessage = plainText(item.source?.body ?? item.conversation_message?.body);
    const partBody = plainText(part?.body);
    const events: NormalizedEvent[] = [];

    switch (p.topic) {
      case "conversation.user.created":
        events.push(makeEvent(base, "case.opened", p.id, { status: "open", rawStatus: nonEmpty(item.state), tags }));
        events.push(makeEvent(base, "case.customer_message", `${p.id}:message`, { body: firstMessage }));
        break;
      case "conversation.admin.single.created":
        events.push(makeEvent(base, "case.opened", p.id, { status: "open", rawStatus: nonEmpty(item.state), tags }));
        events.push(makeEvent(base, "case.agent_reply", `${p.id}:message`, { body: firstMessage }));
        break;
      case "conversation.user.replied":
        events.push(makeEvent(base, "case.customer_message", p.id, { body: partBody }));
        break;
      case "conversation.admin.replied":
        events.push(makeEvent(base, "case.agent_reply", p.id, { body: partBody }));
        break;
      case "conversation.admin.noted":
        events.push(makeEvent(base, "case.agent_note", p.id, { body: partBody }));
        break;
      case "conversation.admin.assigned":
        events.push(makeEvent(base, "case.assignment_changed", p.id, { assignee: nonEmpty(part?.assigned_to?.email ?? part?.assigned_to?.name ?? item.assignee?.email ?? item.assignee?.name ?? item.assignee?.id) }));
        break;
      case "conversation.admin.closed":
      case "conversation.admin.opened":
      case "conversation.admin.snoozed":
      case "conversation.admin.unsnoozed": {
        const raw = TOPIC_STATUS[p.topic] ?? "open";
        const status = options.statusMap?.[raw] ?? STATUS[raw] ?? "open";
        events.push(makeEvent(base, "case.status_changed", p.id, { status, rawStatus: raw }));
        break;
      }
      case "conversation.priority.updated":
        events.push(makeEvent(base, "case.priority_changed", p.id, { priority: item.priority === "priority" ? "high" : "normal" }));
        break;
      case "conversation.rating.added": {
        const rating = item.conversation_rating?.rating;
        // Intercom's 1–5 scale: 4–5 good, 1–2 bad; a 3 is neither and is not reported.
        const score = rating === null || rating === undefined ? undefined : rating >= 4 ? "good" : rating <= 2 ? "bad" : undefined;
        if (!score) return { type: "ignored", reason: `Intercom rating ${rating ?? "(none)"} is neither good nor bad`, providerEventId: p.id };
        const comment = plainText(item.conversation_rating?.remark);
        events.push(makeEvent(base, "case.rating", p.id, { rating: comment ? { score, comment } : { score }, occurredAt: toIsoInstant(item.conversation_rating?.created_at) ?? occurredAt }));
        break;
      }
      default:
        if (!item.tags_added?.tags?.length) return { type: "ignored", reason: `Intercom ${p.topic} is not used for case timing`, providerEventId: p.id };
    }

    const added = item.tags_added?.tags?.map((t) => t.name);
    // `tags` is the conversation's full list; without it the added ones alone would read as "all others removed".
    if (added && added.length > 0 && tags !== undefined) events.push(makeEvent(base, "case.tags_changed", `${p.id}:tags`, { tags }));
    const promise = callbackPromise(options, { tags: added ?? (p.topic.endsWith(".created") ? tags : undefined), fields: item.custom_attributes ?? {}, occurredAt });
    if (promise) {
      // A tag this notification added is a fresh promise (a re-added tag too); a tag merely present on a new conversation is not.
      events.push(await callbackPromisedEvent(base, conversationId, promise, { phone: base.customer?.phone, ...(added && promise.tag !== undefined ? { occurrence: p.id } : {}) }));
    }
    // The attribute set to null: the promise is withdrawn.
    if (promise?.field === undefined && callbackFieldCleared(options, item.custom_attributes ?? undefined)) events.push(await callbackClearedEvent(base, conversationId, options.callbackField!, p.id));
    if (events.length === 0) return { type: "ignored", reason: `Intercom ${p.topic} carried no tag list or callback we track`, providerEventId: p.id };
    return { type: "events", events };
  },

  setup(hookUrl) {
    return {
      steps: [
        "In the Intercom Developer Hub open your app › Webhooks.",
        `Endpoint URL: ${hookUrl}`,
        "Topics: conversation.user.created, conversation.user.replied, conversation.admin.replied, conversation.admin.single.created, conversation.admin.noted, conversation.admin.assigned, conversation.admin.closed, conversation.admin.opened, conversation.admin.snoozed, conversation.admin.unsnoozed, conversation.priority.updated, conversation.rating.added, conversation_part.tag.created.",
        "Save the app's client secret (Basic information › App credentials) as this provider's secret in Promptly. Intercom's ping is answered 200.",
      ],
    };
  },
};
