/**
 * Zammad trigger webhooks with the default payload `{ticket, article}`: X-Hub-Signature =
 * "sha1=" + hex HMAC-SHA1(token, rawBody); X-Zammad-Delivery is the job id, stable across
 * retries. A trigger fires on a change, and the payload is a snapshot: the article (when there is
 * one) is the message that fired it, the ticket carries the current state and priority.
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
const Named = z.union([z.string(), z.looseObject({ name: z.string().nullish() })]);
const User = z.looseObject({ email: z.string().nullish(), phone: z.string().nullish(), mobile: z.string().nullish(), firstname: z.string().nullish(), lastname: z.string().nullish(), login: z.string().nullish() });

export const ZammadPayload = z.looseObject({
  ticket: z.looseObject({
    id: Id,
    number: z.union([z.string(), z.number()]).nullish(),
    title: z.string().nullish(),
    state: Named.nullish(),
    priority: Named.nullish(),
    group: Named.nullish(),
    owner: User.nullish(),
    customer: User.nullish(),
    tags: z.array(z.string()).nullish(),
    article_count: z.number().nullish(),
    create_article_type: z.string().nullish(),
    created_at: z.string().nullish(),
    updated_at: z.string().nullish(),
  }),
  article: z
    .looseObject({
      id: Id.nullish(),
      body: z.string().nullish(),
      internal: z.boolean().nullish(),
      sender: z.string().nullish(),
      type: z.string().nullish(),
      created_at: z.string().nullish(),
    })
    .nullish(),
});
export type ZammadPayload = z.infer<typeof ZammadPayload>;

export const ZammadOptions = HelpdeskOptions;

const STATUS: Record<string, CaseStatus> = {
  new: "open",
  open: "open",
  "pending reminder": "on-hold",
  "pending close": "pending",
  closed: "closed",
  merged: "closed",
  removed: "closed",
};

const nameOf = (v: z.infer<typeof Named> | null | undefined): string | undefined => (typeof v === "string" ? nonEmpty(v) : nonEmpty(v?.name));

function channelOf(type: string | null | undefined): Channel | undefined {
  if (!type) return undefined;
  const t = type.toLowerCase();
  if (t === "email") return "email";
  if (t === "phone") return "phone";
  if (t === "web") return "web";
  if (t === "chat") return "chat";
  if (t === "sms") return "sms";
  if (/twitter|facebook|telegram|whatsapp|instagram/.test(t)) return "social";
  if (t === "note") return undefined;
  return "other";
}

export const zammadAdapter: ProviderAdapter<typeof ZammadPayload, "zammad"> = {
  id: "zammad",
  title: "Zammad",
  kind: "helpdesk",
  optionsSchema: ZammadOptions,
  schema: ZammadPayload,

  async verify(input): Promise<VerifyResult> {
    const signature = header(input.headers, "x-hub-signature");
    if (signature === null) return { ok: false, code: "bad_signature", message: "missing X-Hub-Signature (set an HMAC SHA1 signature token on the Zammad webhook)" };
    const hex = signature.startsWith("sha1=") ? signature.slice(5) : null;
    if (!(await hmacMatchesAnySecret("SHA-1", input.config.secrets, input.rawBody, hex === null ? null : fromHex(hex)))) {
      return { ok: false, code: "bad_signature", message: "X-Hub-Signature does not match any configured token" };
    }
    return { ok: true };
  },

  async normalize({ storeId, payload: { ticket, article }, rawBody, config, receivedAt }): Promise<NormalizeResult> {
    const options = readOptions(ZammadOptions, config.options);
    const ticketId = ticket.id;
    const occurredAt = toIsoInstant(ticket.updated_at ?? article?.created_at) ?? new Date(receivedAt).toISOString();
    // X-Zammad-Delivery is outside the signature: the signed bytes are the delivery's identity.
    const delivery = await signedBodyEventId("zammad", rawBody);
    const rawStatus = nameOf(ticket.state);
    const status = mapStatus(rawStatus, STATUS, options.statusMap) ?? undefined;
    const rawPriority = nameOf(ticket.priority);
    const priority = mapPriority(rawPriority) ?? undefined;
    const tags = ticket.tags ?? undefined;
    const base: EventBase = {
      storeId,
      provider: "zammad",
      occurredAt,
      caseKey: ticketCaseKey("zammad", ticketId),
      channel: channelOf(ticket.create_article_type),
      subject: nonEmpty(ticket.title),
      customer: contact(ticket.customer?.email, ticket.customer?.phone ?? ticket.customer?.mobile, [ticket.customer?.firstname, ticket.customer?.lastname].filter((n) => nonEmpty(n) !== undefined).join(" ")),
      url: options.baseUrl ? `${options.baseUrl.replace(/\/+$/, "")}/#ticket/zoom/${ticketId}` : undefined,
    };
    const events: NormalizedEvent[] = [];
    const hasArticle = article !== null && article !== undefined && nonEmpty(article.id) !== undefined;
    // The article that created the ticket: the count says so, or (older payloads without it) the
    // article was written within seconds of the ticket.
    const isFirstArticle =
      hasArticle &&
      (ticket.article_count !== null && ticket.article_count !== undefined
        ? ticket.article_count <= 1
        : Math.abs(Date.parse(article.created_at ?? "") - Date.parse(ticket.created_at ?? "")) <= 5_000);

    if (isFirstArticle) {
      events.push(makeEvent(base, "case.opened", `${delivery}:opened`, { status, rawStatus, priority, tags, group: nameOf(ticket.group), assignee: nonEmpty(ticket.owner?.email) }));
    }
    if (hasArticle) {
      const sender = (article.sender ?? "").toLowerCase();
      const body = plainText(article.body);
      const at = toIsoInstant(article.created_at) ?? occurredAt;
      const channel = channelOf(article.type) ?? base.channel;
      if (sender === "customer") events.push(makeEvent(base, "case.customer_message", `${delivery}:article:${article.id}`, { body, occurredAt: at, channel }));
      else if (sender === "agent") {
        // An internal article is a note whatever its type; a public "note" is visible but is not a reply by mail/phone.
        const kind = article.internal === true || article.type === "note" ? "case.agent_note" : "case.agent_reply";
        events.push(makeEvent(base, kind, `${delivery}:article:${article.id}`, { body, occurredAt: at, channel }));
      }
    }
    if (!isFirstArticle) {
      if (status) events.push(makeEvent(base, "case.status_changed", `${delivery}:status`, { status, rawStatus }));
      if (priority) events.push(makeEvent(base, "case.priority_changed", `${delivery}:priority`, { priority }));
      // A snapshot's tag list is the full current one (payloads that include `tags`): the case sees removals too.
      if (tags !== undefined) events.push(makeEvent(base, "case.tags_changed", `${delivery}:tags`, { tags }));
    }

    const fields = Object.fromEntries(Object.entries(ticket).filter(([, v]) => typeof v === "string" || typeof v === "number"));
    const promise = callbackPromise(options, { tags, fields, occurredAt });
    if (promise) {
      events.push(await callbackPromisedEvent(base, ticketId, promise, { phone: base.customer?.phone }));
    }
    // The ticket's attributes show the callback field emptied (null): the promise is withdrawn.
    if (promise?.field === undefined && callbackFieldCleared(options, ticket as Record<string, unknown>)) events.push(await callbackClearedEvent(base, ticketId, options.callbackField!, delivery));
    if (events.length === 0) return { type: "ignored", reason: `Zammad state "${rawStatus ?? ""}" has no mapping and no article was sent; add it to statusMap`, providerEventId: delivery };
    return { type: "events", events };
  },

  setup(hookUrl) {
    return {
      steps: [
        `In Zammad go to Settings › Manage › Webhook › New Webhook. Endpoint ${hookUrl}, HMAC SHA1 Signature Token: a random string you also save as this provider's secret in Promptly. Keep SSL verification on and the default payload.`,
        "Go to Settings › Manage › Trigger › New Trigger. Conditions: Action is \"created\" OR \"updated\" (add \"Article is created\" if you want only messages). Action: Webhook → the webhook above.",
        "Set the option baseUrl (e.g. https://support.example.com) for clickable case links. Custom states (e.g. \"waiting for parts\") map through statusMap.",
      ],
    };
  },
};
