/**
 * The delivery queue consumer (same Worker): posts each message to its channel and decides,
 * per message, between ack and retry.
 *
 * - 2xx: delivered, ack.
 * - 429, 408, 5xx, a timeout (bounded by DELIVERY_TIMEOUT_MS) or a network error: retry with
 *   backoff, `Retry-After` honoured when the receiver sends one. After the queue's last retry
 *   the message goes to the dead-letter queue, whose consumer (below) records it dead.
 * - Any other 4xx, a redirect, a broken channel config: permanent. Ack, and the delivery is dead
 *   with the status and error, until an admin fixes the channel and retries it.
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
import { ChannelFailure, type HttpAnswer } from "./channels/channel";
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
  outcome: "delivered" | "retry" | "dead";
  status: number | null;
  error: string | null;
  retryAfterSeconds?: number | undefined;
}

async function post(channel: NotificationChannel, name: string, outbound: Parameters<ReturnType<typeof adapterFor>["build"]>[0], timeoutMs: number): Promise<AttemptResult> {
  const adapter = adapterFor(channel);
  const ctx = { now: Date.now(), channel: name, fetch: (url: string, init: RequestInit) => boundedFetch(url, init, timeoutMs) };
  try {
    const req = await adapter.build(outbound, channel, ctx);
    const answer = await boundedFetch(req.url, { method: req.method, headers: req.headers, body: req.body }, timeoutMs);
    const verdict = adapter.classify(answer, channel);
    if (verdict.outcome === "delivered") return { outcome: "delivered", status: answer.status, error: null };
    if (verdict.outcome === "retry") return { outcome: "retry", status: answer.status, error: verdict.error, retryAfterSeconds: verdict.retryAfterSeconds };
    return { outcome: "dead", status: answer.status, error: verdict.error };
  } catch (err) {
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

/** Current rules per store, loaded once per batch (messages of one batch often share a store). */
function rulesLoader(env: Env): (storeId: string) => Promise<LoadedRules> {
  const cache = new Map<string, Promise<LoadedRules>>();
  return (storeId) => {
    let p = cache.get(storeId);
    if (!p) {
      p = loadRules(env, storeId);
      cache.set(storeId, p);
      p.catch(() => cache.delete(storeId));
    }
    return p;
  };
}

async function deliverOne(msg: Message, env: Env, rules: (storeId: string) => Promise<LoadedRules>): Promise<void> {
  const { timeoutMs, retryBaseSeconds } = deliverySettings(env);
  const parsed = QueueMessage.safeParse(msg.body);
  if (!parsed.success) {
    // Nothing to record it against: retrying cannot make it readable.
    log({ outcome: "dropped", reason: "malformed queue message", messageId: msg.id });
    msg.ack();
    return;
  }
  const m = parsed.data;
  const registry = env.STORES.getByName(m.storeId);
  try {
    // The lease covers a token request plus the note: two timeouts and some slack.
    const start = await registry.deliveryStart(m.deliveryId, 2 * timeoutMs + 5000);
    if (start.action === "wait") {
      log({ outcome: "waiting", storeId: m.storeId, deliveryId: m.deliveryId, reason: "another copy is being sent", retryInSeconds: start.seconds });
      msg.retry({ delaySeconds: start.seconds });
      return;
    }
    if (start.action === "skip") {
      log({ outcome: "skipped", storeId: m.storeId, deliveryId: m.deliveryId, reason: start.reason });
      msg.ack();
      return;
    }
    const loaded = await rules(m.storeId);
    const channel = loaded.document.channels[start.channel];
    const storeChannels = Object.entries(loaded.document.channels).map(([name, c]) => ({ name, type: c.type }));
    const began = Date.now();
    const result: AttemptResult = channel
      ? await post(channel, start.channel, start.outbound, timeoutMs)
      : { outcome: "dead", status: null, error: `channel "${start.channel}" is not in the store's current rules (version ${loaded.version}); add it back and retry this delivery` };
    const at = Date.now();
    const delay = result.outcome === "retry" ? retryDelaySeconds(start.attempt, retryBaseSeconds, result.retryAfterSeconds) : null;
    const done = await registry.deliveryFinish({
      deliveryId: m.deliveryId,
      at,
      durationMs: at - began,
      status: result.status,
      error: result.error,
      outcome: result.outcome,
      retryAt: delay === null ? null : at + delay * 1000,
      storeChannels,
    });
    log({ outcome: result.outcome, storeId: m.storeId, deliveryId: m.deliveryId, attempt: start.attempt, status: result.status, error: result.error, retryInSeconds: delay, noticesSent: done.noticesSent });
    if (delay === null) msg.ack();
    else msg.retry({ delaySeconds: delay });
  } catch (err) {
    const delay = backoffSeconds(msg.attempts, retryBaseSeconds);
    log({ outcome: "error", storeId: m.storeId, deliveryId: m.deliveryId, error: err instanceof Error ? err.message : String(err), retryInSeconds: delay });
    msg.retry({ delaySeconds: delay });
  }
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

/** The Worker's `queue` handler for both the delivery queue and its dead-letter queue. */
export async function handleQueue(batch: MessageBatch, env: Env): Promise<void> {
  if (batch.queue === DEAD_LETTER_QUEUE_NAME) {
    await Promise.all(batch.messages.map((msg) => deadLetterOne(msg, env)));
    return;
  }
  const rules = rulesLoader(env);
  await Promise.all(batch.messages.map((msg) => deliverOne(msg, env, rules)));
}
