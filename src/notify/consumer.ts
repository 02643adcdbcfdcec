/**
 * The delivery queue consumer (same Worker): posts each message to its channel and decides,
 * per message, between ack and retry. The registry is called twice per store per batch (claim
 * all, record all), not twice per message.
 *
 * - 2xx: delivered, ack.
 * - 429, 408, 5xx, a timeout (bounded by DELIVERY_TIMEOUT_MS) or a network error: retry with
 *   backoff, `Retry-After` honoured when the receiver sends one. After the queue's last retry
 *   the message goes to the dead-letter queue, whose consumer (below) records it dead.
 * - Any other 4xx, a redirect, a broken channel config: permanent. Ack, and the delivery is dead
 *   with the status and error, until an admin fixes the channel and retries it.
 * - A helpdesk note for a reminder with no ticket of that helpdesk (normally skipped at dispatch;
 *   here only when the channel changed type since): nothing is posted, the delivery is skipped,
 *   and the channel's health is untouched.
 * - A message whose delivery is already delivered or dead (a duplicate copy, a re-dispatch) is
 *   acked without posting; one whose delivery another copy is posting right now waits for it.
 *
 * Every attempt is recorded in the store's delivery log before the message is acked or retried.
 * If the log cannot be reached the message is retried, so an attempt is never lost, at the cost
 * of possibly posting again (with the same idempotency key).
 */
import { loadRules, type LoadedRules } from "../rules-store/kv";
import type { NotificationChannel } from "../rules/schema";
import { adapterFor } from "./channels";
import { outboundIn } from "./localize";
import { channelLanguage } from "../rules/language";
import { ChannelFailure, NotApplicable, type HttpAnswer } from "./channels/channel";
import { currentRulesNaming, definesChannels } from "./dispatch";
import { checkDestination, destinationPolicy, type DestinationPolicy } from "./destinations";
import type { StoreRegistry } from "../stores/store-registry";
import type { FinishInput, FinishOutcome, StartOutcome } from "./delivery-log";
import { QueueMessage } from "./messages";

export const DELIVERY_QUEUE_NAME = "promptly-deliveries";
export const DEAD_LETTER_QUEUE_NAME = "promptly-deliveries-dlq";

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_RETRY_BASE_SECONDS = 10;
/** Queues accept delays up to 12 hours. */
const MAX_DELAY_SECONDS = 12 * 3600;
/** Backoff doubles from the base up to this, so ten retries span a few hours. */
const MAX_BACKOFF_SECONDS = 3600;
/** A receiver's answer is read up to this many bytes: enough for an error message. */
const MAX_ANSWER_BYTES = 4096;

function numberVar(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

export function deliverySettings(env: Env): { timeoutMs: number; retryBaseSeconds: number } {
  return {
    timeoutMs: numberVar(env.DELIVERY_TIMEOUT_MS, DEFAULT_TIMEOUT_MS),
    retryBaseSeconds: numberVar(env.DELIVERY_RETRY_BASE_SECONDS, DEFAULT_RETRY_BASE_SECONDS),
  };
}

/** Exponential backoff with ±20 % jitter (so a recovered receiver is not hit by a synchronized wave). */
export function backoffSeconds(attempt: number, baseSeconds: number, random = Math.random): number {
  const raw = Math.min(baseSeconds * 2 ** Math.max(0, attempt - 1), MAX_BACKOFF_SECONDS);
  return Math.max(1, Math.round(raw * (0.8 + 0.4 * random())));
}

export function retryDelaySeconds(attempt: number, baseSeconds: number, retryAfterSeconds: number | undefined): number {
  if (retryAfterSeconds !== undefined) return Math.min(Math.max(1, retryAfterSeconds), MAX_DELAY_SECONDS);
  return backoffSeconds(attempt, baseSeconds);
}

async function readAnswer(res: Response): Promise<HttpAnswer> {
  let body = "";
  if (res.body) {
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let bytes = 0;
    try {
      while (bytes < MAX_ANSWER_BYTES) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.byteLength;
        body += decoder.decode(value, { stream: true });
      }
    } finally {
      await reader.cancel().catch(() => undefined);
    }
  }
  return { status: res.status, headers: res.headers, body: body.slice(0, MAX_ANSWER_BYTES) };
}

class Timeout extends Error {}

/** fetch with a hard deadline covering the answer's body too, never following redirects. */
async function boundedFetch(url: string, init: RequestInit, timeoutMs: number): Promise<HttpAnswer> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetch(url, { ...init, redirect: "manual", signal });
    return await readAnswer(res);
  } catch (err) {
    if (signal.aborted) throw new Timeout(`no answer within ${timeoutMs} ms`);
    throw err;
  }
}

interface AttemptResult {
  outcome: "delivered" | "retry" | "dead" | "skipped";
  status: number | null;
  error: string | null;
  retryAfterSeconds?: number | undefined;
  receipt?: string | undefined;
}

async function post(channel: NotificationChannel, name: string, outbound: Parameters<ReturnType<typeof adapterFor>["build"]>[0], timeoutMs: number, destinations: DestinationPolicy): Promise<AttemptResult> {
  const adapter = adapterFor(channel);
  // Checked again at send time: a version saved before the check existed, or under a deployment
  // that allowed loopback, must still not reach a private host.
  const guardedFetch = (url: string, init: RequestInit) => {
    const verdict = checkDestination(url, destinations);
    if (!verdict.ok) throw new ChannelFailure({ outcome: "permanent", error: `destination refused: the channel's URL ${verdict.reason}` });
    return boundedFetch(url, init, timeoutMs);
  };
  const ctx = { now: Date.now(), channel: name, fetch: guardedFetch };
  try {
    const req = await adapter.build(outbound, channel, ctx);
    const answer = await guardedFetch(req.url, { method: req.method, headers: req.headers, body: req.body });
    const verdict = adapter.classify(answer, channel);
    if (verdict.outcome === "delivered") return { outcome: "delivered", status: answer.status, error: null, receipt: verdict.receipt };
    if (verdict.outcome === "retry") return { outcome: "retry", status: answer.status, error: verdict.error, retryAfterSeconds: verdict.retryAfterSeconds };
    return { outcome: "dead", status: answer.status, error: verdict.error };
  } catch (err) {
    if (err instanceof NotApplicable) return { outcome: "skipped", status: null, error: err.message };
    if (err instanceof ChannelFailure) {
      const f = err.failure;
      return f.outcome === "retry" ? { outcome: "retry", status: err.status, error: f.error, retryAfterSeconds: f.retryAfterSeconds } : { outcome: "dead", status: err.status, error: f.error };
    }
    if (err instanceof Timeout) return { outcome: "retry", status: null, error: `timed out: ${err.message}` };
    return { outcome: "retry", status: null, error: `network error: ${err instanceof Error ? err.message : String(err)}` };
  }
}

function log(fields: Record<string, unknown>): void {
  console.log(JSON.stringify({ msg: "delivery", ...fields }));
}

/**
 * Current rules per store, loaded once per batch (messages of one batch often share a store). A
 * channel saved a moment ago may be missing from KV's copy: then the registry's copy is read, also
 * once per store (see `currentRulesNaming`).
 */
function rulesLoader(env: Env): (storeId: string, channel: string) => Promise<LoadedRules> {
  const cache = new Map<string, Promise<LoadedRules>>();
  const once = (key: string, load: () => Promise<LoadedRules>) => {
    let p = cache.get(key);
    if (!p) {
      p = load();
      cache.set(key, p);
      p.catch(() => cache.delete(key));
    }
    return p;
  };
  return async (storeId, channel) => {
    const loaded = await once(storeId, () => loadRules(env, storeId));
    if (definesChannels(loaded, [channel])) return loaded;
    return once(`${storeId}\nregistry`, () => currentRulesNaming(env, storeId, [channel], loaded));
  };
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

interface Delivery {
  msg: Message;
  m: QueueMessage;
}

/** The message cannot be claimed or its attempt recorded right now: try it again later (nothing lost). */
function retryLater({ msg, m }: Delivery, error: string, retryBaseSeconds: number): void {
  const delay = backoffSeconds(msg.attempts, retryBaseSeconds);
  log({ outcome: "error", storeId: m.storeId, deliveryId: m.deliveryId, error, retryInSeconds: delay });
  msg.retry({ delaySeconds: delay });
}

/**
 * One store's messages of a batch: one call to the store's registry claims them all, the claimed
 * ones are posted concurrently, one call records every attempt. The registry is one object per
 * store, so per-message calls made it the bottleneck of a busy store. Each message is still acked
 * or retried on its own.
 */
async function deliverStore(storeId: string, items: Delivery[], env: Env, rules: (storeId: string, channel: string) => Promise<LoadedRules>): Promise<void> {
  const { timeoutMs, retryBaseSeconds } = deliverySettings(env);
  let registry: DurableObjectStub<StoreRegistry>;
  let starts: StartOutcome[];
  try {
    registry = env.STORES.getByName(storeId);
    // The lease covers a token request plus the note (two timeouts) and some slack; the batch's
    // posts run side by side, so waiting for the slowest before recording stays within it.
    starts = await registry.deliveryStartBatch(items.map((i) => i.m.deliveryId), 2 * timeoutMs + 5000);
    if (starts.length !== items.length) throw new Error(`the registry answered ${starts.length} claims for ${items.length} deliveries`);
  } catch (err) {
    // Nothing was posted: every message of this store tries again.
    for (const item of items) retryLater(item, errorText(err), retryBaseSeconds);
    return;
  }

  const posting = items.map(async (item, i): Promise<{ item: Delivery; attempt: number; input: FinishInput; delay: number | null } | null> => {
    const { msg, m } = item;
    const start = starts[i]!;
    if (start.action === "error") {
      retryLater(item, start.error, retryBaseSeconds);
      return null;
    }
    if (start.action === "wait") {
      log({ outcome: "waiting", storeId: m.storeId, deliveryId: m.deliveryId, reason: start.reason ?? "another copy is being sent", retryInSeconds: start.seconds });
      msg.retry({ delaySeconds: start.seconds });
      return null;
    }
    if (start.action === "skip") {
      log({ outcome: "skipped", storeId: m.storeId, deliveryId: m.deliveryId, reason: start.reason });
      msg.ack();
      return null;
    }
    try {
      const loaded = await rules(storeId, start.channel);
      const channel = loaded.document.channels[start.channel];
      const storeChannels = Object.entries(loaded.document.channels).map(([name, c]) => ({ name, type: c.type }));
      const began = Date.now();
      const result: AttemptResult = channel
        ? await post(channel, start.channel, outboundIn(start.outbound, channelLanguage(loaded.document, start.channel)), timeoutMs, destinationPolicy(env.ALLOW_LOOPBACK_DESTINATIONS))
        : { outcome: "dead", status: null, error: `channel "${start.channel}" is not in the store's current rules (version ${loaded.version}); add it back and retry this delivery` };
      const at = Date.now();
      const delay = result.outcome === "retry" ? retryDelaySeconds(start.attempt, retryBaseSeconds, result.retryAfterSeconds) : null;
      const input: FinishInput = {
        deliveryId: m.deliveryId,
        at,
        durationMs: at - began,
        status: result.status,
        error: result.error,
        outcome: result.outcome,
        retryAt: delay === null ? null : at + delay * 1000,
        storeChannels,
        ...(result.receipt ? { receipt: result.receipt } : {}),
      };
      return { item, attempt: start.attempt, input, delay };
    } catch (err) {
      // The rules could not be read: nothing was posted, and the claim expires on its own.
      retryLater(item, errorText(err), retryBaseSeconds);
      return null;
    }
  });
  const attempts = (await Promise.all(posting)).filter((a) => a !== null);
  if (attempts.length === 0) return;

  let finished: FinishOutcome[];
  try {
    finished = await registry.deliveryFinishBatch(attempts.map((a) => a.input));
    if (finished.length !== attempts.length) throw new Error(`the registry answered ${finished.length} results for ${attempts.length} attempts`);
  } catch (err) {
    // None of these attempts is known to be recorded: each message tries again (posting again,
    // with the same idempotency key, is the price of never losing an attempt).
    for (const a of attempts) retryLater(a.item, errorText(err), retryBaseSeconds);
    return;
  }
  attempts.forEach(({ item, attempt, input, delay }, i) => {
    const done = finished[i]!;
    if ("error" in done) {
      retryLater(item, done.error, retryBaseSeconds);
      return;
    }
    log({ outcome: input.outcome, storeId: item.m.storeId, deliveryId: item.m.deliveryId, attempt, status: input.status, error: input.error, retryInSeconds: delay, noticesSent: done.noticesSent });
    if (delay === null) item.msg.ack();
    else item.msg.retry({ delaySeconds: delay });
  });
}

async function deadLetterOne(msg: Message, env: Env): Promise<void> {
  const parsed = QueueMessage.safeParse(msg.body);
  if (!parsed.success) {
    msg.ack();
    return;
  }
  try {
    const done = await env.STORES.getByName(parsed.data.storeId).deliveryDeadLetter(parsed.data.deliveryId);
    log({ outcome: "dead_letter", storeId: parsed.data.storeId, deliveryId: parsed.data.deliveryId, state: done.state });
    msg.ack();
  } catch (err) {
    log({ outcome: "error", queue: DEAD_LETTER_QUEUE_NAME, deliveryId: parsed.data.deliveryId, error: err instanceof Error ? err.message : String(err) });
    msg.retry({ delaySeconds: 30 });
  }
}

/**
 * The Worker's `queue` handler for both the delivery queue and its dead-letter queue. The
 * dead-letter queue stays one registry call per message: it only sees messages that exhausted
 * their retries, which are rare.
 */
export async function handleQueue(batch: MessageBatch, env: Env): Promise<void> {
  if (batch.queue === DEAD_LETTER_QUEUE_NAME) {
    await Promise.all(batch.messages.map((msg) => deadLetterOne(msg, env)));
    return;
  }
  const rules = rulesLoader(env);
  const byStore = new Map<string, Delivery[]>();
  for (const msg of batch.messages) {
    const parsed = QueueMessage.safeParse(msg.body);
    if (!parsed.success) {
      // Nothing to record it against: retrying cannot make it readable.
      log({ outcome: "dropped", reason: "malformed queue message", messageId: msg.id });
      msg.ack();
      continue;
    }
    const items = byStore.get(parsed.data.storeId) ?? [];
    items.push({ msg, m: parsed.data });
    byStore.set(parsed.data.storeId, items);
  }
  await Promise.all([...byStore].map(([storeId, items]) => deliverStore(storeId, items, env, rules)));
}
