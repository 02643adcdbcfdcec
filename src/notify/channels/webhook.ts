/**
 * Signed webhook to any URL, per the Standard Webhooks spec (https://www.standardwebhooks.com):
 *
 *   webhook-id:        the idempotency key (identical on every retry)
 *   webhook-timestamp: Unix seconds of this attempt (receivers reject ones older than ~5 min)
 *   webhook-signature: v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>
 *
 * The signing key: a `whsec_`-prefixed secret is base64 after the prefix (the spec's format, what
 * `new Webhook(secret)` from the `standardwebhooks` library expects); an unprefixed secret that is
 * valid base64 is decoded the same way, as that library does. Any other secret is used as its
 * raw UTF-8 bytes (verify with `new Webhook(secret, { format: "raw" })`).
 *
 * The timestamp is taken per attempt, so a retry hours later still verifies; the id stays the
 * same, which is what lets a receiver drop the duplicate.
 */
import type { z } from "zod";
import { fromBase64, hmac, toBase64, utf8 } from "../../lib/crypto";
import type { WebhookChannel } from "../../rules/schema";
import { webhookBody } from "../webhook-body";
import { classifyHttp, commonHeaders, type ChannelAdapter } from "./channel";

type Config = z.infer<typeof WebhookChannel>;

export const SECRET_PREFIX = "whsec_";

export function signingKey(secret: string): Uint8Array {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  // Only standard base64 counts: the spec's alphabet, so "my-secret_1" is not mistaken for URL-safe base64.
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) && encoded.length % 4 === 0) {
    const key = fromBase64(encoded);
    if (key && key.length > 0) return key;
  }
  return utf8(secret);
}

export async function sign(secret: string, id: string, timestampSeconds: number, body: string): Promise<string> {
  const mac = await hmac("SHA-256", signingKey(secret), utf8(`${id}.${timestampSeconds}.${body}`));
  return `v1,${toBase64(mac)}`;
}

export const webhook: ChannelAdapter<Config> = {
  type: "webhook",
  notesOn: null,
  async build(out, config, ctx) {
    const body = JSON.stringify(webhookBody(out, ctx.channel));
    const timestamp = Math.floor(ctx.now / 1000);
    return {
      url: config.url,
      method: "POST",
      headers: {
        ...commonHeaders(out),
        "webhook-id": out.key,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": await sign(config.secret, out.key, timestamp, body),
      },
      body,
    };
  },
  classify: (answer) => classifyHttp(answer),
};
