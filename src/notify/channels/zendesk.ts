/**
 * Zendesk: a private comment (internal note) on the ticket.
 *
 * Zendesk has no endpoint that creates a comment on its own: a comment is added by updating the
 * ticket, `PUT /api/v2/tickets/{id}.json` with `{ "ticket": { "comment": { "body", "public": false } } }`,
 * authenticated as `{email}/token:{api_token}` (HTTP basic). The comment is authored by that
 * agent. Zendesk documents `Idempotency-Key` for ticket creation; it is sent here too, and the
 * key is also written in the note's last line so a duplicate note is recognisable.
 *
 * Answers: 200 on success; 409 when another update collided with ours (Zendesk asks to resubmit,
 * so it is retried); 429 with `Retry-After`; 422 when the ticket is closed or has reached its
 * 5,000-comment limit, 401/403/404 for credentials or a missing ticket (permanent).
 */
import type { z } from "zod";
import type { ZendeskNoteChannel } from "../../rules/schema";
import { digestText, reminderText } from "../render";
import { basicAuth, classifyHttp, commonHeaders, describeAnswer, joinUrl, ticketFor, type ChannelAdapter, type NoteTarget } from "./channel";

const NOTES: NoteTarget = { provider: "zendesk", name: "Zendesk" };

type Config = z.infer<typeof ZendeskNoteChannel>;

export const zendesk: ChannelAdapter<Config> = {
  type: "zendesk_note",
  notesOn: NOTES,
  async build(out, config) {
    const { ticketId } = ticketFor(out, NOTES);
    const body = out.kind === "digest" ? digestText(out.reminders, out.releasedAt, out.key) : out.kind === "reminder" ? reminderText(out.reminder, out.key) : "";
    return {
      url: joinUrl(config.baseUrl, `/api/v2/tickets/${encodeURIComponent(ticketId)}.json`),
      method: "PUT",
      headers: { ...commonHeaders(out), authorization: basicAuth(`${config.email}/token`, config.apiToken) },
      body: JSON.stringify({ ticket: { comment: { body, public: false } } }),
    };
  },
  classify(answer) {
    if (answer.status === 409) return { outcome: "retry", error: `${describeAnswer(answer)} (update collision; resubmitting)` };
    return classifyHttp(answer);
  },
};
