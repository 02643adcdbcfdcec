/**
 * `POST /slack/:storeId/interactions`: the Slack app's Request URL. A click on a reminder's
 * button, or the callback modal's submission.
 *
 * The signature is checked on the raw bytes against every `slack_app` channel's signing secret of
 * the store (the one that matches is the app that answers); anything unsigned, tampered or stale
 * is a 401 and changes nothing (and is counted by the webhook rate limiter). Slack wants an answer
 * within 3 seconds, so the answer is immediate and the action runs in `ctx.waitUntil`: it is
 * stored on the case (an event under the click's idempotency key), audited, and echoed in Slack
 * (the message updated, or an ephemeral explanation when the reminder no longer applies).
 */
import type { KnownBlock } from "@slack/types";
import type { z } from "zod";
import { displayZone } from "../cases/engine";
import type { ReminderAction } from "../cases/reminder-actions";
import { caseObjectName } from "../events/model";
import { ApiError, validationError } from "../http/errors";
import { readBodyBytes } from "../http/body";
import { json } from "../http/route";
import { loadRules, loadRulesFromRegistry, pointerKey, type LoadedRules } from "../rules-store/kv";
import type { SlackAppChannel } from "../rules/schema";
import { ephemeral, slackApi } from "./api";
import { ACTION_IDS, ButtonValue, CALLBACK_BLOCKS, CALLBACK_VIEW_ID, callbackModal, CallbackViewMetadata, instantOf, updateAfterAction } from "./blocks";
import { BlockActionsPayload, slackName, ViewSubmissionPayload } from "./payload";
import { STORE_ID_PATTERN } from "../stores/tokens";
import { verifySlackSignature } from "./signature";

type App = z.infer<typeof SlackAppChannel>;

const MAX_CALLBACK_AHEAD_MS = 90 * 86_400_000;

function slackApps(doc: LoadedRules["document"]): { name: string; app: App }[] {
  return Object.entries(doc.channels).flatMap(([name, c]) => (c.type === "slack_app" ? [{ name, app: c }] : []));
}

async function rulesOf(env: Env, storeId: string, fresh: boolean): Promise<LoadedRules | null> {
  try {
    // KV names the current version of every store that saved rules; without it (or when asked to
    // be fresh) the registry is asked, but only once it says it holds a store: anyone can name one.
    if (!fresh && (await env.RULES.get(pointerKey(storeId))) !== null) return await loadRules(env, storeId);
    if (!(await env.STORES.getByName(storeId).getStore())) return null;
    return await loadRulesFromRegistry(env, storeId);
  } catch {
    return null;
  }
}

const unauthorized = (reason: string) => new ApiError(401, "bad_signature", reason);

export async function handleInteraction(request: Request, env: Env, ctx: ExecutionContext, storeId: string, log: Record<string, unknown>): Promise<Response> {
  const body = await readBodyBytes(request);
  const headers = { timestamp: request.headers.get("x-slack-request-timestamp"), signature: request.headers.get("x-slack-signature") };
  const now = Date.now();
  if (!headers.timestamp || !headers.signature) throw unauthorized("X-Slack-Signature and X-Slack-Request-Timestamp are required");
  if (!STORE_ID_PATTERN.test(storeId)) throw unauthorized("no Slack app is configured for this store");
  // KV's copy of the rules may lag a channel saved a moment ago: on a miss, ask the registry once.
  let rules = await rulesOf(env, storeId, false);
  let apps = rules ? slackApps(rules.document) : [];
  let verdict = await verifySlackSignature(apps.map((a) => a.app.signingSecret), headers, body, now);
  if (!verdict.ok && rules !== null && rules.source !== "registry") {
    rules = await rulesOf(env, storeId, true);
    apps = rules ? slackApps(rules.document) : [];
    verdict = await verifySlackSignature(apps.map((a) => a.app.signingSecret), headers, body, now);
  }
  if (!verdict.ok || !rules) throw unauthorized(verdict.ok ? "no Slack app is configured for this store" : verdict.reason);
  const { name: appName, app } = apps[verdict.index]!;
  log.slackApp = appName;

  const raw = new URLSearchParams(new TextDecoder().decode(body)).get("payload");
  if (raw === null) throw new ApiError(400, "validation_failed", "request body is not valid: 1 problem(s)", [{ path: "payload", message: "Slack sends the interaction as a form field named payload" }]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ApiError(400, "validation_failed", "request body is not valid: 1 problem(s)", [{ path: "payload", message: "not JSON" }]);
  }
  const type = (parsed as { type?: unknown } | null)?.type;
  log.slackType = typeof type === "string" ? type : null;
  if (type === "block_actions") {
    const p = BlockActionsPayload.safeParse(parsed);
    if (!p.success) throw validationError(p.error, "payload", ["payload"]);
    return blockAction(p.data, { env, ctx, storeId, app, appName, rules, now });
  }
  if (type === "view_submission") {
    const p = ViewSubmissionPayload.safeParse(parsed);
    if (!p.success) throw validationError(p.error, "payload", ["payload"]);
    return viewSubmission(p.data, { env, ctx, storeId, app, appName, rules, now });
  }
  // Other interaction types (a closed modal, a shortcut) carry nothing Promptly acts on.
  return new Response(null, { status: 200 });
}

interface Ctx {
  env: Env;
  ctx: ExecutionContext;
  storeId: string;
  app: App;
  appName: string;
  rules: LoadedRules;
  now: number;
}

const BUTTON_ACTIONS: Record<string, ReminderAction> = {
  [ACTION_IDS.acknowledge]: "acknowledge",
  [ACTION_IDS.snooze]: "snooze",
  [ACTION_IDS.called]: "called",
  [ACTION_IDS.promise_callback]: "promise_callback",
};

function background(c: Ctx, work: () => Promise<void>): void {
  c.ctx.waitUntil(
    work().catch((err: unknown) => {
      console.log(JSON.stringify({ msg: "slack.interaction_failed", storeId: c.storeId, error: err instanceof Error ? err.message : String(err) }));
    }),
  );
}

async function blockAction(p: BlockActionsPayload, c: Ctx): Promise<Response> {
  const action = p.actions[0]!;
  const kind = BUTTON_ACTIONS[action.action_id];
  // "Open case" is a link: Slack still reports the click, and there is nothing to do.
  if (!kind) return new Response(null, { status: 200 });
  let value: ButtonValue;
  try {
    const v = ButtonValue.safeParse(JSON.parse(action.value ?? ""));
    if (!v.success) throw new Error();
    value = v.data;
  } catch {
    throw new ApiError(400, "validation_failed", "payload is not valid: 1 problem(s)", [{ path: "payload.actions[0].value", message: "not a Promptly button" }]);
  }
  const by = slackName(p.user);
  const channel = p.container?.channel_id ?? p.channel?.id;
  const ts = p.container?.message_ts ?? p.message?.ts;
  const registry = c.env.STORES.getByName(c.storeId);
  if (!(await registry.hasCase(value.c))) {
    background(c, () => ephemeral(c.env, c.app, p.response_url, "This case no longer exists in Promptly, so nothing was changed."));
    return new Response(null, { status: 200 });
  }
  if (kind === "promise_callback") {
    const meta: CallbackViewMetadata = { c: value.c, k: value.k, zone: displayZone(c.rules.document), app: c.appName, ...(channel ? { channel } : {}), ...(ts ? { ts } : {}) };
    // The trigger id is good for 3 seconds: the modal is opened now, the answer does not wait for it.
    if (p.trigger_id) background(c, async () => void (await slackApi(c.env, c.app, "views.open", { trigger_id: p.trigger_id, view: callbackModal(meta, c.now) })));
    return new Response(null, { status: 200 });
  }
  const stub = c.env.CASES.getByName(caseObjectName(c.storeId, value.c));
  // One click, one action: Slack action + message + reminder, so a double click is the same event.
  const key = `slack:${kind}:${ts ?? "-"}:${value.c}:${value.k}`;
  background(c, async () => {
    const out = await stub.actOnReminder({ timerKey: value.k, action: kind, by, via: "slack", key });
    if (out.outcome === "done") {
      await registry.recordCaseAction({ actor: `slack:${p.user.id}`, action: `case.${kind}`, caseId: value.c, summary: `${out.text} (Slack, ${c.appName})` });
      if (channel && ts && p.message?.blocks) {
        const update = updateAfterAction({ channel, ts, blocks: p.message.blocks as unknown as KnownBlock[] }, { kind, summary: out.text, by, at: Date.now() });
        await slackApi(c.env, c.app, "chat.update", update);
      }
    } else if (out.outcome !== "duplicate") {
      await ephemeral(c.env, c.app, p.response_url, out.text);
    }
  });
  return new Response(null, { status: 200 });
}

async function viewSubmission(p: ViewSubmissionPayload, c: Ctx): Promise<Response> {
  if (p.view.callback_id !== CALLBACK_VIEW_ID) return new Response(null, { status: 200 });
  let meta: CallbackViewMetadata;
  try {
    const m = CallbackViewMetadata.safeParse(JSON.parse(p.view.private_metadata));
    if (!m.success) throw new Error();
    meta = m.data;
  } catch {
    throw new ApiError(400, "validation_failed", "payload is not valid: 1 problem(s)", [{ path: "payload.view.private_metadata", message: "not a Promptly callback form" }]);
  }
  const values = p.view.state.values;
  const date = values[CALLBACK_BLOCKS.date]?.date?.selected_date ?? "";
  const time = values[CALLBACK_BLOCKS.time]?.time?.selected_time ?? "";
  const note = values[CALLBACK_BLOCKS.note]?.note?.value?.trim() || undefined;
  const at = instantOf(date, time, meta.zone);
  // Slack shows these next to the fields, and the modal stays open.
  if (at === null) return json({ response_action: "errors", errors: { [CALLBACK_BLOCKS.date]: "Pick a date and a time." } });
  if (at <= c.now) return json({ response_action: "errors", errors: { [CALLBACK_BLOCKS.time]: `That is in the past (${meta.zone}).` } });
  if (at > c.now + MAX_CALLBACK_AHEAD_MS) return json({ response_action: "errors", errors: { [CALLBACK_BLOCKS.date]: "At most 90 days ahead." } });
  const by = slackName(p.user);
  const registry = c.env.STORES.getByName(c.storeId);
  if (!(await registry.hasCase(meta.c))) return json({ response_action: "errors", errors: { [CALLBACK_BLOCKS.date]: "This case no longer exists in Promptly." } });
  const stub = c.env.CASES.getByName(caseObjectName(c.storeId, meta.c));
  const atIso = new Date(at).toISOString();
  background(c, async () => {
    const out = await stub.promiseCallback({ at: atIso, owner: by, note, actor: `slack:${by}` });
    if (!out) return;
    const words = `promised a callback for ${date} ${time} (${meta.zone})`;
    await registry.recordCaseAction({ actor: `slack:${p.user.id}`, action: "case.promise_callback", caseId: meta.c, summary: `${by} ${words}, callback ${out.callbackId} (Slack, ${c.appName})` });
    // The modal's submission carries no message to rewrite: the outcome goes in the reminder's thread.
    if (meta.channel && meta.ts) await slackApi(c.env, c.app, "chat.postMessage", { channel: meta.channel, thread_ts: meta.ts, text: `✅ ${by} ${words}${note ? `: ${note}` : ""}` });
  });
  return new Response(null, { status: 200 });
}
