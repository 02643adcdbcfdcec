/**
 * Help Scout: `GET {baseUrl}/v2/customers/{id}` with the helpscout_note channel's app (OAuth2
 * client credentials; the token is the one the note channel caches). A conversation's webhook
 * names the customer's email but never a phone: the customer's phones are `_embedded.phones`.
 */
import type { z } from "zod";
import { joinUrl } from "../notify/channels/channel";
import { accessToken, forgetHelpScoutToken } from "../notify/channels/helpscout";
import type { HelpScoutNoteChannel } from "../rules/schema";
import { contactFrom, isObject, type ContactSource } from "./source";

const firstValue = (list: unknown): unknown => (Array.isArray(list) ? list.filter(isObject).find((x) => typeof x.value === "string" && x.value.trim() !== "")?.value : undefined);

export const helpscoutContacts: ContactSource<z.infer<typeof HelpScoutNoteChannel>> = {
  provider: "helpscout",
  channelType: "helpscout_note",
  request: (config, requesterId) => ({
    url: joinUrl(config.baseUrl, `/v2/customers/${encodeURIComponent(requesterId)}`),
    headers: { accept: "application/json" },
  }),
  authorize: async (config, ctx) => ({ authorization: `Bearer ${await accessToken(config, ctx)}` }),
  rejected: (config) => forgetHelpScoutToken(config),
  contactOf(body) {
    if (!isObject(body)) return null;
    const embedded = isObject(body._embedded) ? body._embedded : {};
    const name = [body.firstName, body.lastName].filter((p) => typeof p === "string" && p.trim() !== "").join(" ") || undefined;
    return contactFrom({ name, email: firstValue(embedded.emails), phone: firstValue(embedded.phones) });
  },
};
