/**
 * Zendesk: `GET {baseUrl}/api/v2/users/{id}.json`, basic auth `{email}/token:{api_token}` (the
 * zendesk_note channel's agent), answered `{ "user": { "name", "email", "phone", … } }`. Zendesk
 * answers 429 with `Retry-After` when the account's per-minute limit is spent, 404 for a deleted
 * user.
 */
import type { z } from "zod";
import { basicAuth, joinUrl } from "../notify/channels/channel";
import type { ZendeskNoteChannel } from "../rules/schema";
import { contactFrom, isObject, type ContactSource } from "./source";

export const zendeskContacts: ContactSource<z.infer<typeof ZendeskNoteChannel>> = {
  provider: "zendesk",
  channelType: "zendesk_note",
  request: (config, requesterId) => ({
    url: joinUrl(config.baseUrl, `/api/v2/users/${encodeURIComponent(requesterId)}.json`),
    headers: { accept: "application/json", authorization: basicAuth(`${config.email}/token`, config.apiToken) },
  }),
  contactOf(body) {
    const user = isObject(body) && isObject(body.user) ? body.user : null;
    return user === null ? null : contactFrom({ name: user.name, email: user.email, phone: user.phone ?? user.shared_phone_number });
  },
};
