/**
 * Calls to Slack's Web API after an interaction (`chat.update`, `views.open`, a thread reply) and
 * to an interaction's `response_url` (ephemeral explanations). These run in the background of an
 * interaction (ctx.waitUntil), bounded by the delivery timeout; a failure is logged, never
 * retried: the action itself is already recorded on the case, only its echo in Slack is lost.
 */
import type { SlackAppChannel } from "../rules/schema";
import type { z } from "zod";

type App = z.infer<typeof SlackAppChannel>;

const DEFAULT_TIMEOUT_MS = 5000;

function timeoutOf(env: Pick<Env, "DELIVERY_TIMEOUT_MS">): number {
  const n = Number(env.DELIVERY_TIMEOUT_MS);
  return Number.isFinite(n) && n > 0 ? n : DEFAULT_TIMEOUT_MS;
}

function log(msg: string, fields: Record<string, unknown>): void {
  console.log(JSON.stringify({ msg, ...fields }));
}

export async function slackApi(env: Pick<Env, "DELIVERY_TIMEOUT_MS">, app: App, method: string, body: unknown): Promise<{ ok: boolean; error?: string; [k: string]: unknown }> {
  try {
    const res = await fetch(`${app.baseUrl.replace(/\/+$/, "")}/${method}`, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8", authorization: `Bearer ${app.botToken}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutOf(env)),
    });
    const text = await res.text();
    const parsed = (() => {
      try {
        return JSON.parse(text) as { ok?: unknown; error?: unknown };
      } catch {
        return {};
      }
    })();
    const ok = res.status === 200 && parsed.ok === true;
    if (!ok) log("slack.api_failed", { method, status: res.status, error: typeof parsed.error === "string" ? parsed.error : text.slice(0, 200) });
    const { error, ...rest } = parsed;
    return { ...rest, ok, ...(typeof error === "string" ? { error } : {}) };
  } catch (err) {
    log("slack.api_failed", { method, error: err instanceof Error ? err.message : String(err) });
    return { ok: false, error: "unreachable" };
  }
}

/**
 * Whether an interaction's `response_url` may be posted to: Slack's own hooks host, or the host of
 * the app's configured API base (a stand-in in tests). The URL comes from a signed payload, but a
 * store's secret must never make Promptly post to an arbitrary place.
 */
export function responseUrlAllowed(url: string, app: App): boolean {
  try {
    const u = new URL(url);
    if (u.protocol === "https:" && u.hostname === "hooks.slack.com") return true;
    return u.origin === new URL(app.baseUrl).origin;
  } catch {
    return false;
  }
}

/** An explanation only the person who clicked sees; the message itself stays as it is. */
export async function ephemeral(env: Pick<Env, "DELIVERY_TIMEOUT_MS">, app: App, responseUrl: string | undefined, text: string): Promise<void> {
  if (!responseUrl || !responseUrlAllowed(responseUrl, app)) return;
  try {
    await fetch(responseUrl, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify({ response_type: "ephemeral", replace_original: false, text }),
      signal: AbortSignal.timeout(timeoutOf(env)),
    });
  } catch (err) {
    log("slack.response_url_failed", { error: err instanceof Error ? err.message : String(err) });
  }
}
