/** The Slack app's Request URL and its setup manifest. */
import { z } from "zod";
import { ApiError } from "../http/errors";
import { defineRoute, json } from "../http/route";
import { handleInteraction } from "./interactions";
import { slackAppManifest } from "./manifest";

export const slackRoutes = [
  defineRoute({
    method: "post",
    path: "/slack/:storeId/interactions",
    summary: "Slack interactivity (Request URL)",
    description:
      "Where a `slack_app` channel's Slack app sends button clicks and the callback modal. Signed by Slack (`X-Slack-Signature`, checked against every `slack_app` signing secret of the store; a timestamp more than 5 minutes off is refused): unsigned, tampered or stale → 401 and nothing changes. Answered at once; the action is recorded in the background, the message updated, and a click on a reminder that no longer applies answered with an ephemeral explanation.",
    tags: ["Slack"],
    auth: "webhook",
    headers: { "X-Slack-Signature": "`v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw body>`.", "X-Slack-Request-Timestamp": "Unix seconds." },
    responses: {
      200: { description: "Taken (empty), or for the modal Slack's `response_action: errors` naming the field to fix" },
      400: { description: "Signed, but not an interaction Promptly sent" },
      401: { description: "Unsigned, tampered, stale, or no Slack app configured for this store" },
    },
    handler: ({ request, env, ctx, params, log }) => {
      log.storeId = params.storeId;
      return handleInteraction(request, env, ctx, params.storeId!, log);
    },
  }),
  defineRoute({
    method: "get",
    path: "/v1/stores/:storeId/channels/:name/setup",
    summary: "Slack app setup (manifest)",
    description:
      "For a `slack_app` channel: a ready app manifest (bot scope `chat:write`, interactivity pointed at this store's Request URL) to paste at https://api.slack.com/apps → Create New App → From an app manifest, and the steps after it.",
    tags: ["Slack"],
    auth: "store",
    responses: {
      200: { description: "The manifest and the steps", schema: z.object({ channel: z.string(), requestUrl: z.string(), manifest: z.record(z.string(), z.unknown()), steps: z.array(z.string()) }) },
      404: { description: "No `slack_app` channel of that name" },
    },
    handler: async ({ env, auth, params }) => {
      const storeId = auth!.storeId;
      const stored = await env.STORES.getByName(storeId).rulesRead();
      const channel = stored && Object.hasOwn(stored.document.channels, params.name!) ? stored.document.channels[params.name!] : undefined;
      if (!channel || channel.type !== "slack_app") throw new ApiError(404, "not_found", `no slack_app channel named "${params.name}" in the current rules`);
      return json(slackAppManifest(env.PUBLIC_BASE_URL, storeId, params.name!));
    },
  }),
];
