/**
 * Help Scout: a note on the conversation.
 *
 * The Mailbox API 2.0 authenticates with OAuth2. For an internal integration that is the client
 * credentials flow: `POST {baseUrl}/v2/oauth2/token` with `grant_type=client_credentials`, the
 * app id and the app secret, answered with `{ access_token, expires_in }` (two days). The token
 * is cached per app in the isolate and refreshed five minutes before it expires, so a burst of
 * reminders costs one token request, not one per note.
 *
 * The note: `POST /v2/conversations/{id}/notes` with `{ "text": … }` and `Authorization: Bearer`,
 * answered `201 Created` with the new thread's `Resource-ID`. A 401 means the cached token was
 * revoked or expired early: it is dropped and the delivery retried with a fresh one. A merged
 * conversation answers 404 and a conversation with 100 threads is locked (412): permanent.
 */
import type { z } from "zod";
import type { HelpScoutNoteChannel } from "../../rules/schema";
import { digestHtml, reminderHtml } from "../render";
import { ChannelFailure, classifyHttp, commonHeaders, describeAnswer, joinUrl, ticketFor, type ChannelAdapter, type ChannelContext, type NoteTarget } from "./channel";

const NOTES: NoteTarget = { provider: "helpscout", name: "Help Scout" };

type Config = z.infer<typeof HelpScoutNoteChannel>;

interface CachedToken {
  token: string;
  expiresAt: number;
}

const REFRESH_EARLY_MS = 5 * 60_000;
const tokens = new Map<string, CachedToken>();

const cacheKey = (c: Config) => `${c.baseUrl}\n${c.appId}\n${c.appSecret}`;

export function forgetHelpScoutToken(config: Config): void {
  tokens.delete(cacheKey(config));
}

export async function accessToken(config: Config, ctx: ChannelContext): Promise<string> {
  const key = cacheKey(config);
  const cached = tokens.get(key);
  if (cached && cached.expiresAt - REFRESH_EARLY_MS > ctx.now) return cached.token;
  const answer = await ctx.fetch(joinUrl(config.baseUrl, "/v2/oauth2/token"), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams({ grant_type: "client_credentials", client_id: config.appId, client_secret: config.appSecret }).toString(),
  });
  if (answer.status < 200 || answer.status >= 300) {
    const failure = classifyHttp(answer, ctx.now);
    if (failure.outcome === "delivered") throw new Error("unreachable");
    throw new ChannelFailure({ ...failure, error: `Help Scout token request failed: ${describeAnswer(answer)}` }, answer.status);
  }
  let parsed: { access_token?: unknown; expires_in?: unknown };
  try {
    parsed = JSON.parse(answer.body) as typeof parsed;
  } catch {
    throw new ChannelFailure({ outcome: "retry", error: "Help Scout token answer is not JSON" }, answer.status);
  }
  if (typeof parsed.access_token !== "string" || parsed.access_token === "") {
    throw new ChannelFailure({ outcome: "retry", error: "Help Scout token answer has no access_token" }, answer.status);
  }
  const expiresIn = typeof parsed.expires_in === "number" && parsed.expires_in > 0 ? parsed.expires_in : 3600;
  tokens.set(key, { token: parsed.access_token, expiresAt: ctx.now + expiresIn * 1000 });
  return parsed.access_token;
}

export const helpscout: ChannelAdapter<Config> = {
  type: "helpscout_note",
  notesOn: NOTES,
  async build(out, config, ctx) {
    const { ticketId } = ticketFor(out, NOTES);
    const text = out.kind === "digest" ? digestHtml(out.reminders, out.releasedAt, out.key) : out.kind === "reminder" ? reminderHtml(out.reminder, out.key) : "";
    const token = await accessToken(config, ctx);
    return {
      url: joinUrl(config.baseUrl, `/v2/conversations/${encodeURIComponent(ticketId)}/notes`),
      method: "POST",
      headers: { ...commonHeaders(out), authorization: `Bearer ${token}` },
      body: JSON.stringify({ text }),
    };
  },
  classify(answer, config) {
    if (answer.status === 401) {
      forgetHelpScoutToken(config);
      return { outcome: "retry", error: `${describeAnswer(answer)} (access token rejected; a new one is requested on the next attempt)` };
    }
    return classifyHttp(answer);
  },
};
