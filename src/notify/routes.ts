/**
 * The delivery log over HTTP: what was sent where, every attempt, what died and why, and a
 * retry button for the dead. Every read and write goes to the authenticated store's registry,
 * so a token of store A can only ever see A's deliveries.
 */
import { z } from "zod";
import { ApiError } from "../http/errors";
import { defineRoute, json } from "../http/route";
import type { Outbound } from "./messages";
import type { Reminder } from "./reminder";
import { ChannelHealthView, DeliveryPage, DeliveryState, DeliveryView } from "./views";
import { WebhookBody, webhookBody } from "./webhook-body";
import { sign } from "./channels/webhook";

const TAGS = ["Deliveries"];
const storeDoc = { storeId: "The store's id (`st_…`)." };

const ListQuery = z.object({
  state: DeliveryState.optional(),
  limit: z
    .string()
    .regex(/^\d{1,3}$/, "a whole number from 1 to 100")
    .transform(Number)
    .pipe(z.number().int().min(1).max(100))
    .optional()
    .transform((v) => v ?? 50),
  cursor: z.string().regex(/^\d{1,15}$/, "the nextCursor of the previous page").transform(Number).optional(),
});

function deliveryNumber(raw: string): number {
  if (!/^\d{1,15}$/.test(raw) || Number(raw) < 1) {
    throw new ApiError(400, "bad_path", `delivery id ${JSON.stringify(raw)} is not a delivery id (the \`id\` number in the delivery list)`, [
      { path: "id", message: "the `id` number from GET /v1/stores/:storeId/deliveries" },
    ]);
  }
  return Number(raw);
}

const ExampleType = z.object({ type: z.enum(["reminder.fired", "reminder.digest", "channel.unhealthy"]).optional().default("reminder.fired") });

const EXAMPLE_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/** A reminder as the case engine writes them, for the example endpoint and the docs. */
export const EXAMPLE_REMINDER: Reminder = {
  id: "ticket:zendesk:5158:t_first_reply_breach:2026-03-02T14:00:00.000Z",
  storeId: "st_0123456789abcdef",
  caseId: "ticket:zendesk:5158",
  kind: "first_reply.breach",
  urgency: "urgent",
  title: "First reply overdue by 4 min: urgent chat",
  nextAction: "Reply to Ayşe now: she asked twice where parcel 1Z999 is. Apologise, give the carrier's status, offer a call.",
  details: ["Order #1042 · €184.00 · shipped with UPS 1Z999AA10123456784", "2 customer messages, no agent reply yet"],
  dueAt: "2026-03-02T14:00:00.000Z",
  firedAt: "2026-03-02T14:04:00.000Z",
  lateByMs: 240_000,
  customer: { name: "Ayşe Yılmaz", email: "ayse@example.com", phone: "+90 532 000 00 00" },
  orderId: "1042",
  subject: "Where is my order?",
  sourceUrl: "https://yourshop.zendesk.com/agent/tickets/5158",
  caseUrl: "https://promptly.example.com/v1/stores/st_0123456789abcdef/cases/ticket:zendesk:5158",
  source: { provider: "zendesk", ticketId: "5158" },
  ticket: { caseId: "ticket:zendesk:5158", provider: "zendesk", ticketId: "5158", url: "https://yourshop.zendesk.com/agent/tickets/5158" },
  rule: { name: "Everything", version: 3, path: "policies[0].targets.firstReply" },
  channels: ["ops-webhook"],
};

export function exampleOutbound(type: "reminder.fired" | "reminder.digest" | "channel.unhealthy"): Outbound {
  const r = EXAMPLE_REMINDER;
  if (type === "reminder.digest") {
    const releasedAt = "2026-03-03T08:00:00.000Z";
    const key = `digest:${r.storeId}:${releasedAt}`;
    const second: Reminder = { ...r, id: "ticket:zendesk:5160:t_next_reply_warning:2026-03-03T08:30:00.000Z", caseId: "ticket:zendesk:5160", kind: "next_reply.warning", urgency: "normal", title: "Next reply due in 30 min", dueAt: "2026-03-03T08:30:00.000Z", firedAt: "2026-03-03T02:30:00.000Z", lateByMs: -1_800_000 };
    return { kind: "digest", key, deliveryId: `${key}#ops-webhook`, storeId: r.storeId, releasedAt, reminders: [
        {
          ...r,
          id: "shipment:ups:1Z999AA10123456784:t_update_due:2026-03-03T01:00:00.000Z",
          caseId: "shipment:ups:1Z999AA10123456784",
          kind: "periodic_update.due",
          urgency: "normal",
          title: "Customer update owed: parcel stuck in customs since Monday",
          nextAction: "Email Ayşe a short update: still in customs, the carrier expects release in 1–2 days; offer a refund of shipping.",
          dueAt: "2026-03-03T01:00:00.000Z",
          firedAt: "2026-03-03T01:00:00.000Z",
          lateByMs: 0,
          source: { provider: "aftership", trackingNumber: "1Z999AA10123456784" },
          sourceUrl: "https://track.aftership.com/ups/1Z999AA10123456784",
        },
        second,
      ],
    };
  }
  if (type === "channel.unhealthy") {
    const key = `notice:${r.storeId}:ops-slack:unhealthy:1772460240000`;
    return {
      kind: "notice",
      key,
      deliveryId: `${key}#ops-webhook`,
      notice: { storeId: r.storeId, channel: "ops-slack", channelType: "slack", consecutiveFailures: 20, since: "2026-03-02T14:04:00.000Z", lastError: "HTTP 500: rollup_error" },
    };
  }
  return { kind: "reminder", key: r.id, deliveryId: `${r.id}#ops-webhook`, reminder: r };
}

export const deliveryRoutes = [
  defineRoute({
    method: "get",
    path: "/v1/stores/:storeId/deliveries",
    summary: "List deliveries",
    description:
      "Every reminder × channel (and every quiet-hours digest and channel notice), newest first, with each attempt: when, how long, the receiver's status code, the error, and when the next retry is due. Filter with `state`; page with `cursor` (the previous page's `nextCursor`).",
    tags: TAGS,
    auth: "store",
    headers: storeDoc,
    query: ListQuery,
    responses: { 200: { description: "A page of deliveries", schema: DeliveryPage } },
    handler: async ({ env, auth, query }) => json(await env.STORES.getByName(auth!.storeId).deliveriesList({ state: query.state, limit: query.limit, cursor: query.cursor })),
  }),
  defineRoute({
    method: "post",
    path: "/v1/stores/:storeId/deliveries/:id/retry",
    summary: "Retry a dead delivery",
    description:
      "Sends a dead delivery again with the same idempotency key (so a receiver that did get it after all can drop it), using the channel's current configuration: fix the URL or credentials in the rules first. A reminder that went out in a quiet-hours digest is retried through its digest. Only dead deliveries can be retried (409 otherwise).",
    tags: TAGS,
    auth: "store",
    headers: storeDoc,
    responses: {
      202: { description: "Queued again; it is pending until the next attempt", schema: DeliveryView },
      404: { description: "No delivery with that id in this store" },
      409: { description: "The delivery is not dead (pending, held, delivered, or had no channel)" },
    },
    handler: async ({ env, auth, params }) => {
      const outcome = await env.STORES.getByName(auth!.storeId).deliveryRetry(deliveryNumber(params.id!), auth!.tokenId);
      if (outcome.type === "not_found") throw new ApiError(404, "not_found", "no delivery with that id in this store");
      if (outcome.type === "not_retryable") throw new ApiError(409, "not_dead", `only dead deliveries can be retried; this one is ${outcome.state}`);
      return json(outcome.delivery, 202);
    },
  }),
  defineRoute({
    method: "get",
    path: "/v1/stores/:storeId/channel-health",
    summary: "Channel health",
    description: `Per channel: consecutive failed attempts, and whether it is unhealthy (20 failures in a row). When a channel turns unhealthy the store's other Slack and webhook channels get one notice; its deliveries keep being retried, and one success makes it healthy again.`,
    tags: TAGS,
    auth: "store",
    headers: storeDoc,
    responses: { 200: { description: "Channels that have had at least one attempt", schema: z.object({ channels: z.array(ChannelHealthView) }) } },
    handler: async ({ env, auth }) => json({ channels: await env.STORES.getByName(auth!.storeId).channelHealth() }),
  }),
  defineRoute({
    method: "get",
    path: "/v1/webhooks/example",
    summary: "Example signed webhook",
    description: `What a \`webhook\` channel receives, rendered by the same code that sends it: the JSON body (schema below) and the Standard Webhooks headers, signed with the example secret \`${EXAMPLE_SECRET}\`. Verify a delivery with any Standard Webhooks library, e.g. \`new Webhook(secret).verify(rawBody, headers)\` from the \`standardwebhooks\` npm package. \`webhook-id\` is the idempotency key: it is the same on every retry, so drop a body whose id you have already processed.`,
    tags: TAGS,
    auth: "none",
    query: ExampleType,
    responses: {
      200: {
        description: "An example delivery: headers and body",
        schema: z.object({ secret: z.string(), headers: z.record(z.string(), z.string()), body: WebhookBody }),
      },
    },
    handler: async ({ query }) => {
      const out = exampleOutbound(query.type);
      const body = webhookBody(out, "ops-webhook");
      const raw = JSON.stringify(body);
      // Signed now, as a real attempt is, so a Standard Webhooks library accepts it within its 5-minute tolerance.
      const timestamp = Math.floor(Date.now() / 1000);
      return json({
        secret: EXAMPLE_SECRET,
        headers: {
          "content-type": "application/json",
          "webhook-id": out.key,
          "webhook-timestamp": String(timestamp),
          "webhook-signature": await sign(EXAMPLE_SECRET, out.key, timestamp, raw),
          "idempotency-key": out.key,
          "x-promptly-delivery-id": out.deliveryId,
        },
        body,
      });
    },
  }),
];
