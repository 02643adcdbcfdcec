/**
 * Slack app (bot token): the same Block Kit message as the incoming-webhook `slack` channel, posted
 * with `chat.postMessage` so it can be updated after someone acts on it, with buttons under each
 * reminder (src/slack/blocks.ts) that come back to `POST /slack/:storeId/interactions`.
 *
 * The Web API answers HTTP 200 for most failures, with `{"ok": false, "error": "…"}`: a bad
 * token, a channel the bot is not in, an archived channel are permanent (someone must fix the
 * app); `ratelimited` comes as HTTP 429 with `Retry-After` and goes through the delivery retries
 * like any 429; Slack's own troubles (`internal_error`, `fatal_error`, `service_unavailable`,
 * `request_timeout`) are retried.
 */
import type { z } from "zod";
import type { SlackAppChannel } from "../../rules/schema";
import { actionButtons } from "../../slack/blocks";
import { slackPayload } from "./slack";
import { classifyHttp, commonHeaders, describeAnswer, joinUrl, type ChannelAdapter, type Classification, type HttpAnswer } from "./channel";
import type { Outbound } from "../messages";
import type { KnownBlock } from "@slack/types";

type Config = z.infer<typeof SlackAppChannel>;

const RETRIED_ERRORS: ReadonlySet<string> = new Set(["ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"]);

/** The message body for `chat.postMessage`: the `slack` channel's rendering plus this reminder's buttons. */
export function slackAppMessage(out: Outbound, channel: string): { channel: string; text: string; blocks: KnownBlock[]; unfurl_links: false } {
  const { text, blocks } = slackPayload(out);
  const buttons = out.kind === "reminder" ? actionButtons(out.reminder) : null;
  return { channel, text, blocks: buttons ? [...blocks.slice(0, 49), buttons] : blocks, unfurl_links: false };
}

/** Slack's Web API answer: delivered on `ok: true`; the error name decides retry or not. */
export function classifySlackApi(answer: HttpAnswer): Classification {
  if (answer.status !== 200) return classifyHttp(answer);
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    return { outcome: "retry", error: `${describeAnswer(answer)} (not Slack's JSON answer)` };
  }
  const body = parsed as { ok?: unknown; error?: unknown; channel?: unknown; ts?: unknown };
  // The message's channel and ts, so a later action (an acknowledgement from the API) can rewrite it.
  if (body.ok === true) return { outcome: "delivered", ...(typeof body.channel === "string" && typeof body.ts === "string" ? { receipt: JSON.stringify({ channel: body.channel, ts: body.ts }) } : {}) };
  const error = typeof body.error === "string" ? body.error : "unknown_error";
  return RETRIED_ERRORS.has(error) ? { outcome: "retry", error: `Slack: ${error}` } : { outcome: "permanent", error: `Slack: ${error} (fix the Slack app: token, scopes, or invite the bot to the channel)` };
}

export const slackApp: ChannelAdapter<Config> = {
  type: "slack_app",
  notesOn: null,
  async build(out, config) {
    return {
      url: joinUrl(config.baseUrl, "/chat.postMessage"),
      method: "POST",
      headers: { ...commonHeaders(out), "content-type": "application/json; charset=utf-8", authorization: `Bearer ${config.botToken}` },
      body: JSON.stringify(slackAppMessage(out, config.channel)),
    };
  },
  classify: (answer) => classifySlackApi(answer),
};
