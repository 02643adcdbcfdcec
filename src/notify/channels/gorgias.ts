/**
 * Gorgias: an internal note on the ticket.
 *
 * `POST /api/tickets/{id}/messages` with `channel: "internal-note"`, `via: "api"`,
 * `from_agent: true` (internal notes are always outgoing), the note as `body_text` and
 * `body_html`, and the sender as the API user's email. HTTP basic auth: the user's email and
 * the REST API key. Internal notes are never sent to the customer. `external_id` ("ID of the
 * message in a foreign system", up to 255 characters, not used by Gorgias) carries the
 * idempotency key, so a duplicate note is traceable to the same reminder.
 */
import type { z } from "zod";
import type { GorgiasNoteChannel } from "../../rules/schema";
import { digestHtml, digestText, reminderHtml, reminderText } from "../render";
import { basicAuth, classifyHttp, commonHeaders, joinUrl, ticketFor, type ChannelAdapter, type NoteTarget } from "./channel";

const NOTES: NoteTarget = { provider: "gorgias", name: "Gorgias" };

type Config = z.infer<typeof GorgiasNoteChannel>;

export const gorgias: ChannelAdapter<Config> = {
  type: "gorgias_note",
  notesOn: NOTES,
  async build(out, config) {
    const { ticketId } = ticketFor(out, NOTES);
    const [text, html] =
      out.kind === "digest"
        ? [digestText(out.reminders, out.releasedAt, out.key), digestHtml(out.reminders, out.releasedAt, out.key)]
        : out.kind === "reminder"
          ? [reminderText(out.reminder, out.key), reminderHtml(out.reminder, out.key)]
          : ["", ""];
    return {
      url: joinUrl(config.baseUrl, `/api/tickets/${encodeURIComponent(ticketId)}/messages`),
      method: "POST",
      headers: { ...commonHeaders(out), accept: "application/json", authorization: basicAuth(config.username, config.apiKey) },
      body: JSON.stringify({
        channel: "internal-note",
        via: "api",
        from_agent: true,
        sender: { email: config.username },
        body_text: text,
        body_html: html,
        external_id: out.key.slice(0, 255),
      }),
    };
  },
  classify: (answer) => classifyHttp(answer),
};
