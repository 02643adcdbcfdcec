/**
 * The delivery log over HTTP: what was sent where, every attempt, what died and why, and a
 * retry button for the dead. Every read and write goes to the authenticated store's registry,
 * so a token of store A can only ever see A's deliveries.
 */
import { z } from "zod";
import { ApiError } from "../http/errors";
import { defineRoute, json } from "../http/route";
import { webhook } from "./channels/webhook";
import { EXAMPLE_WEBHOOK_SECRET, exampleChannel, exampleOutbound } from "./examples";
import { ChannelHealthView, DeliveryPage, DeliveryState, DeliveryView } from "./views";
import { WebhookBody } from "./webhook-body";

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

export const deliveryRoutes = [
  defineRoute({
    method: "get",
    path: "/v1/stores/:storeId/deliveries",
    summary: "List deliveries",
    description:
      "Every reminder × channel (and every quiet-hours digest and channel notice), newest first, with each attempt: when, how long, the receiver's status code, the error, and when the next retry is due. A helpdesk note channel the reminder does not apply to (no ticket of its helpdesk) is listed `skipped`, with `skippedBecause`. Filter with `state`; page with `cursor` (the previous page's `nextCursor`).",
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
      409: { description: "The delivery is not dead (pending, held, delivered, skipped, or had no channel)" },
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
    description: `What a \`webhook\` channel receives, rendered by the same code that sends it: the JSON body (schema below) and the Standard Webhooks headers, signed with the example secret \`${EXAMPLE_WEBHOOK_SECRET}\`. Verify a delivery with any Standard Webhooks library, e.g. \`new Webhook(secret).verify(rawBody, headers)\` from the \`standardwebhooks\` npm package. \`webhook-id\` is the idempotency key: it is the same on every retry, so drop a body whose id you have already processed.`,
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
      // Built by the webhook channel itself, signed now as a real attempt is, so a Standard
      // Webhooks library accepts it within its 5-minute tolerance.
      const { name, config } = exampleChannel("webhook");
      const req = await webhook.build(exampleOutbound(query.type, name), config, {
        now: Date.now(),
        channel: name,
        fetch: () => Promise.reject(new Error("the webhook channel makes no preliminary request")),
      });
      return json({ secret: config.secret, headers: req.headers, body: JSON.parse(req.body) as unknown });
    },
  }),
];
