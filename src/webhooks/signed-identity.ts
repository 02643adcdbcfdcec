/**
 * The identity of a delivery whose provider puts its id (and sometimes its event type) in a
 * header the signature does not cover: Help Scout (X-HelpScout-Event), Shopify
 * (X-Shopify-Webhook-Id, X-Shopify-Topic), Chatwoot (X-Chatwoot-Delivery) and Zammad
 * (X-Zammad-Delivery). A captured, validly signed body re-sent with a new header value must not
 * become a new event, so the id is a hash of the signed bytes alone: the same body is the same
 * event whatever the headers say. A provider's retry sends the same bytes, so it stays a
 * duplicate too. docs/security.md lists every provider and what remains.
 */
import { sha256Hex } from "../lib/crypto";

export async function signedBodyEventId(provider: string, rawBody: Uint8Array): Promise<string> {
  return `${provider}-body:${(await sha256Hex(rawBody)).slice(0, 40)}`;
}
