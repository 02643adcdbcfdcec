/**
 * Slack's request signature (https://api.slack.com/authentication/verifying-requests-from-slack):
 * `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:<X-Slack-Request-Timestamp>:<raw body>">` under
 * the app's signing secret. Checked on the raw bytes, before anything is parsed; a timestamp more
 * than five minutes from now is refused so a captured request cannot be replayed later.
 *
 * A store may have several Slack apps (several `slack_app` channels): every configured secret is
 * tried, each comparison in constant time and all of them always, so the time taken does not say
 * which app (if any) matched.
 */
import { concatBytes, fromHex, hmacVerify, utf8 } from "../lib/crypto";

export const SLACK_TOLERANCE_SECONDS = 300;

export type SlackVerdict = { ok: true; index: number } | { ok: false; reason: string };

export async function verifySlackSignature(
  secrets: readonly string[],
  headers: { timestamp: string | null; signature: string | null },
  body: Uint8Array,
  nowMs: number,
): Promise<SlackVerdict> {
  const { timestamp, signature } = headers;
  if (!timestamp || !signature) return { ok: false, reason: "X-Slack-Signature and X-Slack-Request-Timestamp are required" };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: "X-Slack-Request-Timestamp is not a Unix time" };
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > SLACK_TOLERANCE_SECONDS) return { ok: false, reason: "X-Slack-Request-Timestamp is more than 5 minutes from now" };
  const mac = signature.startsWith("v0=") ? fromHex(signature.slice(3)) : null;
  if (!mac || mac.length !== 32) return { ok: false, reason: "X-Slack-Signature is not v0=<64 hex digits>" };
  if (secrets.length === 0) return { ok: false, reason: "no Slack app is configured for this store" };
  const base = concatBytes(utf8(`v0:${timestamp}:`), body);
  const results = await Promise.all(secrets.map((s) => hmacVerify("SHA-256", s, base, mac)));
  const index = results.indexOf(true);
  return index >= 0 ? { ok: true, index } : { ok: false, reason: "X-Slack-Signature does not match any of the store's Slack apps" };
}
