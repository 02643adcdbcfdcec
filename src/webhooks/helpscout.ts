/**
 * Help Scout Mailbox webhooks: X-HelpScout-Signature = base64(HMAC-SHA1(secret, rawBody)), the
 * event name in X-HelpScout-Event, the v2 Conversation object as body. Help Scout disables a
 * webhook that answers 410, so nothing here (or in intake) may produce one; its "Test" button
 * (`helpscout.test`) is answered 200 once the signature checks out.
 */
import { z } from "zod";
import type { CaseStatus, Channel, NormalizedEvent } from "../events/model";
import { fromBase64 } from "../lib/crypto";
import type { NormalizeResult, ProviderAdapter, VerifyInput, VerifyResult } from "./adapter";
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
const Person = z.looseObject({
  id: Id.nullish(),
  type: z.string().nullish(),
  email: z.string().nullish(),
  phone: z.string().nullish(),
  first: z.string().nullish(),
  last: z.string().nullish(),
  firstName: z.string().nullish(),
  lastName: z.string().nullish(),
});
const Thread = z.looseObject({
  id: Id.nullish(),
  type: z.string().nullish(),
  body: z.string().nullish(),
  createdAt: z.string().nullish(),
  createdBy: Person.nullish(),
});

/** Conversation (v2, and the legacy v1 shape) or a satisfaction rating; `id` is what every event has. */
export const HelpScoutPayload = z.looseObject({
  id: Id,
  number: z.number().nullish(),
  type: z.string().nullish(),
  status: z.string().nullish(),
  subject: z.string().nullish(),
  preview: z.string().nullish(),
  mailboxId: Id.nullish(),
  assignee: Person.nullish(),
  owner: Person.nullish(),
  createdBy: Person.nullish(),
  customer: Person.nullish(),
  primaryCustomer: Person.nullish(),
  createdAt: z.string().nullish(),
  updatedAt: z.string().nullish(),
  modifiedAt: z.string().nullish(),
  userUpdatedAt: z.string().nullish(),
  source: z.looseObject({ type: z.string().nullish(), via: z.string().nullish() }).nullish(),
  tags: z.array(z.union([z.string(), z.looseObject({ tag: z.string() })])).nullish(),
  customFields: z.array(z.looseObject({ id: Id.nullish(), fieldId: Id.nullish(), name: z.string().nullish(), value: z.union([z.string(), z.number()]).nullish(), text: z.string().nullish() })).nullish(),
  threads: z.union([z.number(), z.array(Thread)]).nullish(),
  _embedded: z.looseObject({ threads: z.array(Thread).nullish() }).nullish(),
  // satisfaction.ratings
  rating: z.string().nullish(),
  comments: z.string().nullish(),
  conversationId: Id.nullish(),
  threadId: Id.nullish(),
});
export type HelpScoutPayload = z.infer<typeof HelpScoutPayload>;

export const HelpScoutOptions = HelpdeskOptions;

const STATUS: Record<string, CaseStatus> = { active: "open", open: "open", pending: "pending", closed: "solved", spam: "closed" };

function channelOf(type: string | null | undefined): Channel | undefined {
  if (!type) return undefined;
  if (type === "email") return "email";
  if (type === "chat") return "chat";
  if (type === "phone") return "phone";
  return "other";
}

async function signatureOk(input: VerifyInput): Promise<boolean> {
  const signature = header(input.headers, "x-helpscout-signature");
  return signature !== null && hmacMatchesAnySecret("SHA-1", input.config.secrets, input.rawBody, fromBase64(signature));
}

/** Reply and note events as the newest thread's own type says they are. */
const THREAD_EVENTS: Record<string, string> = {
  customer: "convo.customer.reply.created",
  message: "convo.agent.reply.created",
  reply: "convo.agent.reply.created",
  note: "convo.note.created",
};

/**
 * The event a delivery is, with the body winning over the unsigned X-HelpScout-Event where the
 * body can tell: a rating is a rating (it has `rating`), and a reply or note is what its newest
 * thread's type says, so a customer's message re-sent as "agent replied" is still the customer's.
 * Status, assignment and tag changes look alike in the body; there the header decides (the
 * remaining risk in docs/security.md).
 */
function eventOf(headerEvent: string, p: HelpScoutPayload): string {
  if (typeof p.rating === "string") return "satisfaction.ratings";
  if (headerEvent === "satisfaction.ratings") return "satisfaction.ratings.without-rating";
  if (Object.values(THREAD_EVENTS).includes(headerEvent)) {
    const type = latestThread(p)?.type ?? "";
    return THREAD_EVENTS[type] ?? headerEvent;
  }
  return headerEvent;
}

/** The thread a reply/note event is about: the newest embedded one. */
function latestThread(p: HelpScoutPayload) {
  const threads = p._embedded?.threads ?? (Array.isArray(p.threads) ? p.threads : []);
  return [...threads].sort((a, b) => Date.parse(b.createdAt ?? "") - Date.parse(a.createdAt ?? ""))[0];
}

export const helpscoutAdapter: ProviderAdapter<typeof HelpScoutPayload, "helpscout"> = {
  id: "helpscout",
  title: "Help Scout",
  kind: "helpdesk",
  eventHeader: "x-helpscout-event",
  optionsSchema: HelpScoutOptions,
  schema: HelpScoutPayload,

  async preVerify(input) {
    if (header(input.headers, "x-helpscout-event") !== "helpscout.test") return null;
    // A wrongly signed test falls through to verify, which answers 401 (never 410).
    if (!(await signatureOk(input))) return null;
    return Response.json({ ok: true, test: true, note: "Help Scout test received; nothing was stored" }, { status: 200 });
  },

  async verify(input): Promise<VerifyResult> {
    if (header(input.headers, "x-helpscout-signature") === null) return { ok: false, code: "bad_signature", message: "missing X-HelpScout-Signature" };
    if (!(await signatureOk(input))) return { ok: false, code: "bad_signature", message: "X-HelpScout-Signature does not match any configured secret" };
    return { ok: true };
  },

  async normalize({ storeId, payload: p, headers, rawBody, config, receivedAt }): Promise<NormalizeResult> {
    const event = eventOf(header(headers, "x-helpscout-event") ?? "", p);
    const options = readOptions(HelpScoutOptions, config.options);
    const isRating = event === "satisfaction.ratings";
    const conversationId = isRating ? nonEmpty(p.conversationId) : p.id;
    if (!event.startsWith("convo.") && !isRating) return { type: "ignored", reason: `Help Scout ${event || "(no X-HelpScout-Event)"} is not about a conversation` };
    if (conversationId === undefined) return { type: "ignored", reason: "the rating names no conversationId" };

    const thread = latestThread(p);
    const changedAt = p.userUpdatedAt ?? p.updatedAt ?? p.modifiedAt ?? p.createdAt;
    const occurredAt =
      toIsoInstant((event.endsWith(".created") && event !== "convo.created" ? thread?.createdAt : undefined) ?? changedAt) ?? new Date(receivedAt).toISOString();
    const customer = p.primaryCustomer?.email ? p.primaryCustomer : p.customer ?? (p.createdBy?.type === "customer" ? p.createdBy : undefined);
    const tags = p.tags?.map((t) => (typeof t === "string" ? t : t.tag));
    const rawStatus = nonEmpty(p.status);
    const status = mapStatus(rawStatus, STATUS, options.statusMap) ?? undefined;
    const base: EventBase = {
      storeId,
      provider: "helpscout",
      occurredAt,
      caseKey: ticketCaseKey("helpscout", conversationId),
      channel: channelOf(p.type),
      subject: nonEmpty(p.subject),
      customer: contact(customer?.email, customer?.phone, [customer?.first ?? customer?.firstName, customer?.last ?? customer?.lastName].filter((n) => nonEmpty(n) !== undefined).join(" ")),
      url: `https://secure.helpscout.net/conversation/${conversationId}`,
      // The payload has no phone: the case looks the customer up (src/contacts/helpscout.ts).
      requesterId: isRating ? undefined : nonEmpty(customer?.id),
    };
    // Help Scout sends no delivery id, and X-HelpScout-Event is not signed: the signed bytes are
    // the identity, so the same body re-sent under another event name is a duplicate.
    const eventId = await signedBodyEventId("helpscout", rawBody);
    const body = plainText(thread?.body ?? p.preview);
    const events: NormalizedEvent[] = [];

    switch (event) {
      case "convo.created": {
        events.push(makeEvent(base, "case.opened", eventId, { status, rawStatus, tags, assignee: nonEmpty(p.assignee?.email ?? p.assignee?.id) }));
        const byCustomer = p.createdBy?.type === "customer" || p.source?.via === "customer";
        if (byCustomer) events.push(makeEvent(base, "case.customer_message", `${eventId}:message`, { body }));
        break;
      }
      case "convo.customer.reply.created":
        events.push(makeEvent(base, "case.customer_message", eventId, { body, status, rawStatus }));
        break;
      case "convo.agent.reply.created":
        events.push(makeEvent(base, "case.agent_reply", eventId, { body, status, rawStatus }));
        break;
      case "convo.note.created":
        events.push(makeEvent(base, "case.agent_note", eventId, { body }));
        break;
      case "convo.status":
        if (!status) return { type: "ignored", reason: `Help Scout status "${rawStatus ?? ""}" has no mapping; add it to statusMap`, providerEventId: eventId };
        events.push(makeEvent(base, "case.status_changed", eventId, { status, rawStatus }));
        break;
      case "convo.assigned":
        events.push(makeEvent(base, "case.assignment_changed", eventId, { assignee: nonEmpty(p.assignee?.email ?? p.assignee?.id ?? p.owner?.email) }));
        break;
      case "convo.tags":
        events.push(makeEvent(base, "case.tags_changed", eventId, { tags: tags ?? [] }));
        break;
      case "convo.custom-fields":
        break;
      case "satisfaction.ratings": {
        const r = (p.rating ?? "").toLowerCase().replace(/[\s_]+/g, "-");
        const score = r === "great" ? "good" : r === "not-good" ? "bad" : undefined;
        if (!score) return { type: "ignored", reason: `Help Scout rating "${p.rating ?? ""}" is neither good nor bad`, providerEventId: eventId };
        events.push(makeEvent(base, "case.rating", eventId, { rating: { score, ...(nonEmpty(p.comments) ? { comment: nonEmpty(p.comments) } : {}) } }));
        break;
      }
      default:
        return { type: "ignored", reason: `Help Scout ${event} is not used for case timing`, providerEventId: eventId };
    }

    if (event === "convo.created" || event === "convo.tags" || event === "convo.custom-fields") {
      const fields: Record<string, unknown> = {};
      for (const f of p.customFields ?? []) {
        const value = f.text ?? f.value;
        if (f.name) fields[f.name] = value;
        const fid = f.id ?? f.fieldId;
        if (fid) fields[fid] = value;
      }
      const promise = callbackPromise(options, { tags, fields, occurredAt });
      if (promise) {
        events.push(await callbackPromisedEvent(base, conversationId, promise, { phone: customer?.phone }));
      }
      // The conversation's fields, with the callback field now empty: the agent withdrew the promise.
      if (promise?.field === undefined && callbackFieldCleared(options, fields)) events.push(await callbackClearedEvent(base, conversationId, options.callbackField!, eventId));
    }
    if (events.length === 0) return { type: "ignored", reason: "no callback field set on this conversation", providerEventId: eventId };
    return { type: "events", events };
  },

  setup(hookUrl) {
    return {
      steps: [
        "In Help Scout go to Manage › Apps › Webhooks › Install (or Your Profile › Webhooks on newer accounts) and create a webhook.",
        `Callback URL: ${hookUrl}`,
        "Secret key: choose a random string of up to 40 characters and save the same value as this provider's secret in Promptly.",
        "Events: Conversation Created, Assigned, Status Updated, Tags Updated, Custom Fields Updated, Customer Replied, Agent Replied, Note Created, and Satisfaction Ratings. Leave \"Notification only\" off (payload version V2).",
        "Help Scout's Test button is answered 200.",
      ],
    };
  },
};
