/**
 * Freshdesk: a private note on the ticket.
 *
 * `POST /api/v2/tickets/{id}/notes` with `{ "body": "<html>", "private": true }`, HTTP basic auth
 * with the API key as the user name and `X` as the password. `body` is HTML. Answers 201 on
 * success, 429 with `Retry-After` when the plan's per-minute limit is spent, 404 for a missing
 * ticket, 401/403 for a bad key or an agent without access. Freshdesk has no idempotency key;
 * the key is in the header and in the note's last line.
 */
import type { z } from "zod";
import type { FreshdeskNoteChannel } from "../../rules/schema";
import { digestHtml, reminderHtml } from "../render";
import { basicAuth, classifyHttp, commonHeaders, joinUrl, ticketFor, type ChannelAdapter, type NoteTarget } from "./channel";

const NOTES: NoteTarget = { provider: "freshdesk", name: "Freshdesk" };

type Config = z.infer<typeof FreshdeskNoteChannel>;

export const freshdesk: ChannelAdapter<Config> = {
  type: "freshdesk_note",
  notesOn: NOTES,
  async build(out, config) {
    const { ticketId } = ticketFor(out, NOTES);
    const body = out.kind === "digest" ? digestHtml(out.reminders, out.releasedAt, out.key) : out.kind === "reminder" ? reminderHtml(out.reminder, out.key) : "";
    return {
      url: joinUrl(config.baseUrl, `/api/v2/tickets/${encodeURIComponent(ticketId)}/notes`),
      method: "POST",
      headers: { ...commonHeaders(out), authorization: basicAuth(config.apiKey, "X") },
      body: JSON.stringify({ body, private: true }),
    };
  },
  classify: (answer) => classifyHttp(answer),
};
