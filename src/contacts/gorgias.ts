/**
 * Gorgias: `GET {baseUrl}/api/customers/{id}`, basic auth with the gorgias_note channel's user
 * email and API key. A customer's phone numbers are among its `channels` (`type: "phone"`,
 * `address`); Gorgias answers 429 with `Retry-After` when the account's limit is spent.
 */
import type { z } from "zod";
import { basicAuth, joinUrl } from "../notify/channels/channel";
import type { GorgiasNoteChannel } from "../rules/schema";
import { contactFrom, isObject, type ContactSource } from "./source";

export const gorgiasContacts: ContactSource<z.infer<typeof GorgiasNoteChannel>> = {
  provider: "gorgias",
  channelType: "gorgias_note",
  request: (config, requesterId) => ({
    url: joinUrl(config.baseUrl, `/api/customers/${encodeURIComponent(requesterId)}`),
    headers: { accept: "application/json", authorization: basicAuth(config.username, config.apiKey) },
  }),
  contactOf(body) {
    if (!isObject(body)) return null;
    const channels = Array.isArray(body.channels) ? body.channels.filter(isObject) : [];
    const address = (type: string) => channels.find((c) => c.type === type && typeof c.address === "string" && c.address.trim() !== "")?.address;
    const name = body.name ?? ([body.firstname, body.lastname].filter((p) => typeof p === "string" && p !== "").join(" ") || undefined);
    return contactFrom({ name, email: body.email ?? address("email"), phone: address("phone") });
  },
};
