/**
 * Signs a delivery the way each provider does, so tests can post to the real fetch handler (and
 * the e2e test to `wrangler dev`). Written from the published schemes in
 * provider-webhooks.md, independently of the adapters' verify code; the published vectors in
 * signature-vectors.test.ts prove the two agree. Runs in workerd and in Node (WebCrypto only).
 */
import type { ProviderId } from "../../src/events/model";

const te = new TextEncoder();
const bytes = (body: string | Uint8Array) => (typeof body === "string" ? te.encode(body) : body);
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");
const b64 = (b: ArrayBuffer) => btoa(String.fromCharCode(...new Uint8Array(b)));

async function hmac(hash: "SHA-1" | "SHA-256", key: Uint8Array | string, data: Uint8Array): Promise<ArrayBuffer> {
  const k = await crypto.subtle.importKey("raw", typeof key === "string" ? te.encode(key) : key, { name: "HMAC", hash }, false, ["sign"]);
  return crypto.subtle.sign("HMAC", k, data);
}

/** Standard Webhooks secrets are "whsec_<base64>"; the key is the decoded bytes. */
export function standardWebhooksKey(secret: string): Uint8Array {
  const raw = atob(secret.replace(/^whsec_/, ""));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

export interface SignOptions {
  /** When the provider signed (replay windows); defaults to now. */
  at?: Date;
  /** Provider event/topic header where the scheme carries one (Help Scout, Shopify). */
  event?: string;
  /** Delivery id header where the provider sends one (Zammad, Chatwoot, Shopify, custom). */
  deliveryId?: string;
  /** Front: sign as an application webhook (timestamped SHA-256) instead of a rule webhook. */
  frontApp?: boolean;
  /** ShipEngine: the RSA private key and its key id. */
  rsa?: { privateKey: CryptoKey; kid: string };
}

/** The headers a provider would send with `body`, signed with `secret`. */
export async function signDelivery(provider: ProviderId, body: string | Uint8Array, secret: string, opts: SignOptions = {}): Promise<Record<string, string>> {
  const raw = bytes(body);
  const at = opts.at ?? new Date();
  const secs = String(Math.floor(at.getTime() / 1000));
  const json = { "content-type": "application/json" };
  switch (provider) {
    case "zendesk": {
      const ts = at.toISOString().replace(/\.\d{3}Z$/, "Z");
      return { ...json, "x-zendesk-webhook-signature": b64(await hmac("SHA-256", secret, concat(te.encode(ts), raw))), "x-zendesk-webhook-signature-timestamp": ts, "x-zendesk-webhook-id": "01HWEBHOOK" };
    }
    case "freshdesk":
    case "gorgias":
      return { ...json, "x-promptly-token": secret };
    case "helpscout":
      return { ...json, "x-helpscout-signature": b64(await hmac("SHA-1", secret, raw)), "x-helpscout-event": opts.event ?? "convo.created" };
    case "zammad":
      return { ...json, "x-hub-signature": `sha1=${hex(await hmac("SHA-1", secret, raw))}`, "x-zammad-delivery": opts.deliveryId ?? crypto.randomUUID(), "x-zammad-trigger": "promptly" };
    case "chatwoot":
      return {
        ...json,
        "x-chatwoot-signature": `sha256=${hex(await hmac("SHA-256", secret, concat(te.encode(`${secs}.`), raw)))}`,
        "x-chatwoot-timestamp": secs,
        "x-chatwoot-delivery": opts.deliveryId ?? crypto.randomUUID(),
      };
    case "intercom":
      return { ...json, "x-hub-signature": `sha1=${hex(await hmac("SHA-1", secret, raw))}` };
    case "front": {
      if (!opts.frontApp) return { ...json, "x-front-signature": b64(await hmac("SHA-1", secret, raw)) };
      const ms = String(at.getTime());
      return { ...json, "x-front-signature": b64(await hmac("SHA-256", secret, concat(te.encode(`${ms}:`), raw))), "x-front-request-timestamp": ms };
    }
    case "shopify":
      return {
        ...json,
        "x-shopify-hmac-sha256": b64(await hmac("SHA-256", secret, raw)),
        "x-shopify-topic": opts.event ?? "fulfillment_events/create",
        "x-shopify-webhook-id": opts.deliveryId ?? crypto.randomUUID(),
        "x-shopify-triggered-at": at.toISOString(),
      };
    case "easypost":
      return { ...json, "x-hmac-signature": `hmac-sha256-hex=${hex(await hmac("SHA-256", secret.normalize("NFKD"), raw))}` };
    case "aftership":
      return { ...json, "aftership-hmac-sha256": b64(await hmac("SHA-256", secret, raw)) };
    case "shippo":
      return { ...json, "shippo-auth-signature": `t=${secs},v1=${hex(await hmac("SHA-256", secret, concat(te.encode(`${secs}.`), raw)))}` };
    case "17track":
      return { ...json, sign: hex(await crypto.subtle.digest("SHA-256", concat(raw, te.encode(`/${secret}`)))) };
    case "shipengine": {
      if (!opts.rsa) throw new Error("ShipEngine deliveries are signed with an RSA key: pass opts.rsa");
      const ts = at.toISOString();
      const sig = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", opts.rsa.privateKey, concat(te.encode(`${ts}.`), raw));
      return { ...json, "x-shipengine-rsa-sha256-signature": b64(sig), "x-shipengine-rsa-sha256-key-id": opts.rsa.kid, "x-shipengine-timestamp": ts };
    }
    case "custom": {
      const id = opts.deliveryId ?? `msg_${crypto.randomUUID()}`;
      const sig = b64(await hmac("SHA-256", standardWebhooksKey(secret), concat(te.encode(`${id}.${secs}.`), raw)));
      return { ...json, "webhook-id": id, "webhook-timestamp": secs, "webhook-signature": `v1,${sig}` };
    }
  }
}

/** An RSA key pair and the JWKS ShipEngine would publish for it. */
export async function shipEngineKey(kid = "promptly-test-key"): Promise<{ privateKey: CryptoKey; kid: string; jwks: { keys: (JsonWebKey & { kid: string })[] } }> {
  const pair = (await crypto.subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  const jwk = (await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey;
  return { privateKey: pair.privateKey, kid, jwks: { keys: [{ ...jwk, kid }] } };
}
