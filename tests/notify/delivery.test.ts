/**
 * Reminder delivery end to end inside workerd: dispatchReminder → the store's delivery log →
 * the real delivery queue → the queue consumer → a real HTTP receiver on 127.0.0.1 (started in
 * Node by the test's globalSetup). The receiver misbehaves the way real ones do (500, 429 with
 * Retry-After, a hang past the timeout) and the tests assert what a store would notice: every
 * reminder arrives, none is lost, duplicates carry the same key, and the delivery log explains
 * every attempt.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { DEAD_LETTER_QUEUE_NAME, DELIVERY_QUEUE_NAME } from "../../src/notify/consumer";
import { dispatchReminder } from "../../src/notify/dispatch";
import type { QueueMessage } from "../../src/notify/messages";
import { WebhookBody } from "../../src/notify/webhook-body";
import { call } from "../support/api";
import { Sink, type Received } from "./support/receiver";
import { deliveries, deliveryOf, eventually, queueMessage, reminder, storeWithRules, type TestStore } from "./support/store";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

async function webhookStore(sink: Sink, extraChannels: Record<string, unknown> = {}): Promise<TestStore> {
  return storeWithRules({ channels: { hook: { type: "webhook", url: `${sink.url}/hook`, secret: SECRET }, ...extraChannels } });
}

function verified(req: Received): WebhookBody {
  // Throws unless the signature over id.timestamp.body matches the secret (Standard Webhooks).
  return WebhookBody.parse(new Webhook(SECRET).verify(req.body, req.headers));
}

const delivered = (store: TestStore, id: string) => async () => {
  const d = await deliveryOf(store, id);
  return d?.state === "delivered" ? d : undefined;
};

describe("a receiver that fails, throttles, hangs, then recovers", () => {
  it("gets the reminder in the end, and the log shows every attempt with its status", async () => {
    const sink = await Sink.create();
    await sink.respondWith({ status: 500, body: "boom" }, { status: 429, headers: { "retry-after": "1" }, body: "slow down" }, { hangMs: 4000 });
    const store = await webhookStore(sink);
    const r = reminder(store.storeId, { channels: ["hook"] });
    await dispatchReminder(env, r);

    const d = await eventually(delivered(store, `${r.id}#hook`), "delivery", 25_000);
    expect(d.attempts.map((a) => [a.status, a.outcome])).toEqual([
      [500, "retry"],
      [429, "retry"],
      [null, "retry"],
      [200, "delivered"],
    ]);
    expect(d.attempts[0]!.error).toContain("boom");
    expect(d.attempts[2]!.error).toMatch(/timed out/);
    // Delivered in the end: the timeout is the third attempt's error, not the delivery's.
    expect(d.lastError).toBeNull();
    // Retry-After: 1 → the next try was scheduled exactly one second after the 429.
    const throttled = d.attempts[1]!;
    expect(Date.parse(throttled.retryAt!) - Date.parse(throttled.at)).toBe(1000);
    expect(d.attemptCount).toBe(4);

    const got = await sink.requests();
    expect(got).toHaveLength(4);
    // Every copy, including the one the receiver saw but never answered, carries the same key.
    expect(new Set(got.map((g) => g.headers["webhook-id"]))).toEqual(new Set([r.id]));
    expect(new Set(got.map((g) => g.headers["idempotency-key"]))).toEqual(new Set([r.id]));
    for (const g of got) {
      const body = verified(g);
      expect(body).toMatchObject({ type: "reminder.fired", id: r.id, channel: "hook", data: { caseId: r.caseId, nextAction: r.nextAction } });
    }
  });

  it("loses none of a burst of reminders: each arrives, duplicates share one key", async () => {
    const sink = await Sink.create();
    await sink.respondWith({ status: 503 }, { status: 429, headers: { "retry-after": "1" } }, { hangMs: 3000 }, { status: 500 }, { status: 502 });
    const store = await webhookStore(sink);
    const burst = Array.from({ length: 6 }, () => reminder(store.storeId, { channels: ["hook"] }));
    await Promise.all(burst.map((r) => dispatchReminder(env, r)));

    for (const r of burst) await eventually(delivered(store, `${r.id}#hook`), `delivery of ${r.id}`, 25_000);
    const got = await sink.requests();
    const byKey = new Map<string, Received[]>();
    for (const g of got) byKey.set(g.headers["webhook-id"]!, [...(byKey.get(g.headers["webhook-id"]!) ?? []), g]);
    expect([...byKey.keys()].sort()).toEqual(burst.map((r) => r.id).sort());
    for (const [key, copies] of byKey) {
      expect(copies.filter((c) => c.answered === 200).length).toBeGreaterThanOrEqual(1);
      // A receiver dropping duplicates by webhook-id sees the same body each time.
      expect(new Set(copies.map((c) => JSON.stringify(verified(c))))).toHaveProperty("size", 1);
      expect(verified(copies[0]!).id).toBe(key);
    }
    expect(got.length).toBeGreaterThan(burst.length);
  });
});

describe("permanent failures and manual retry", () => {
  it("a 4xx ends dead at once with its status and error; a retry delivers it with the same key", async () => {
    const sink = await Sink.create();
    await sink.respondWith({ status: 410, body: "channel_is_archived" });
    const store = await webhookStore(sink);
    const r = reminder(store.storeId, { channels: ["hook"] });
    await dispatchReminder(env, r);

    const dead = await eventually(async () => (await deliveries(store, "?state=dead")).find((d) => d.deliveryId === `${r.id}#hook`), "dead delivery");
    expect(dead).toMatchObject({ state: "dead", lastStatus: 410, attemptCount: 1 });
    expect(dead.lastError).toContain("channel_is_archived");
    expect(await deliveries(store, "?state=pending")).toEqual([]);

    const retried = await call("POST", `/v1/stores/${store.storeId}/deliveries/${dead.id}/retry`, { token: store.token });
    expect(retried.status).toBe(202);
    expect(retried.body.state).toBe("pending");
    const d = await eventually(delivered(store, `${r.id}#hook`), "redelivery");
    expect(d.attempts.map((a) => a.outcome)).toEqual(["dead", "requeued", "delivered"]);
    expect(d.attempts[1]!.source).toMatch(/^admin:/);
    const got = await sink.requests();
    expect(got.map((g) => [g.answered, g.headers["webhook-id"]])).toEqual([
      [410, r.id],
      [200, r.id],
    ]);

    const again = await call("POST", `/v1/stores/${store.storeId}/deliveries/${dead.id}/retry`, { token: store.token });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("not_dead");
  });

  it("retry answers 404 for an unknown delivery and 400 for a malformed id", async () => {
    const store = await storeWithRules({});
    const missing = await call("POST", `/v1/stores/${store.storeId}/deliveries/999999/retry`, { token: store.token });
    expect(missing.status).toBe(404);
    const bad = await call("POST", `/v1/stores/${store.storeId}/deliveries/abc/retry`, { token: store.token });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0].path).toBe("id");
  });

  it("a message that exhausted its retries lands in the DLQ and is recorded dead; a retry then delivers it", async () => {
    const sink = await Sink.create();
    await sink.setFallback({ status: 500, body: "still down" });
    const store = await webhookStore(sink);
    const r = reminder(store.storeId, { channels: ["hook"] });
    await dispatchReminder(env, r);
    await eventually(async () => ((await deliveryOf(store, `${r.id}#hook`))?.attemptCount ?? 0) >= 1, "a failed attempt");

    // What the queue does after the last retry: the same message, on the dead-letter queue.
    const batch = createMessageBatch<QueueMessage>(DEAD_LETTER_QUEUE_NAME, [{ id: "dlq-1", timestamp: new Date(), attempts: 1, body: queueMessage(store, r.id, "hook") }]);
    const ctx = createExecutionContext();
    await worker.queue!(batch, env);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["dlq-1"]);

    const dead = (await deliveryOf(store, `${r.id}#hook`))!;
    expect(dead.state).toBe("dead");
    // The status, never the receiver's words: an answer body is not shown back (docs/security.md).
    expect(dead.lastError).toMatch(/retries are exhausted.*HTTP 500/);
    expect(dead.lastError).not.toContain("still down");
    expect(dead.attempts.at(-1)).toMatchObject({ outcome: "dead", source: "dlq" });

    await sink.setFallback({ status: 200, body: "ok" });
    expect((await call("POST", `/v1/stores/${store.storeId}/deliveries/${dead.id}/retry`, { token: store.token })).status).toBe(202);
    await eventually(delivered(store, `${r.id}#hook`), "delivery after retry");
    expect(new Set((await sink.requests()).map((g) => g.headers["webhook-id"]))).toEqual(new Set([r.id]));
  });
});

describe("dispatch is idempotent per reminder × channel", () => {
  it("dispatching the same reminder again adds no rows and posts nothing twice", async () => {
    const sink = await Sink.create();
    const other = await Sink.create();
    const store = await webhookStore(sink, { second: { type: "webhook", url: `${other.url}/hook`, secret: SECRET } });
    const r = reminder(store.storeId, { channels: ["hook", "second"] });
    await dispatchReminder(env, r);
    await dispatchReminder(env, r);
    await eventually(delivered(store, `${r.id}#hook`), "first channel");
    await eventually(delivered(store, `${r.id}#second`), "second channel");
    await dispatchReminder(env, r);

    const rows = (await deliveries(store)).filter((d) => d.reminder?.id === r.id);
    expect(rows.map((d) => d.channel).sort()).toEqual(["hook", "second"]);
    expect(await sink.requests()).toHaveLength(1);
    expect(await other.requests()).toHaveLength(1);
  });

  it("a duplicate queue message for a delivered reminder is acked without posting again", async () => {
    const sink = await Sink.create();
    const store = await webhookStore(sink);
    const r = reminder(store.storeId, { channels: ["hook"] });
    await dispatchReminder(env, r);
    await eventually(delivered(store, `${r.id}#hook`), "delivery");

    const batch = createMessageBatch<QueueMessage>(DELIVERY_QUEUE_NAME, [{ id: "dup-1", timestamp: new Date(), attempts: 1, body: queueMessage(store, r.id, "hook") }]);
    const ctx = createExecutionContext();
    await worker.queue!(batch, env);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual(["dup-1"]);
    expect(result.retryMessages).toEqual([]);
    expect(await sink.requests()).toHaveLength(1);
    expect((await deliveryOf(store, `${r.id}#hook`))!.attemptCount).toBe(1);
  });

  it("a copy arriving while another copy is being sent waits instead of posting twice", async () => {
    const sink = await Sink.create();
    await sink.respondWith({ status: 503, headers: { "retry-after": "120" } });
    const store = await webhookStore(sink);
    const r = reminder(store.storeId, { channels: ["hook"] });
    await dispatchReminder(env, r);
    await eventually(async () => ((await deliveryOf(store, `${r.id}#hook`))?.attemptCount ?? 0) === 1, "the first attempt");

    // Another consumer claims it (as a copy being posted right now does) …
    const [claim] = await env.STORES.getByName(store.storeId).deliveryStartBatch([`${r.id}#hook`], 60_000);
    expect(claim?.action).toBe("send");
    // … so a duplicate copy is put back on the queue for later, not posted and not dropped,
    const dup = createMessageBatch<QueueMessage>(DELIVERY_QUEUE_NAME, [{ id: "dup-2", timestamp: new Date(), attempts: 1, body: queueMessage(store, r.id, "hook") }]);
    const ctx = createExecutionContext();
    await worker.queue!(dup, env);
    const result = await getQueueResult(dup, ctx);
    expect(result.retryMessages).toEqual([{ msgId: "dup-2" }]);
    expect(result.explicitAcks).toEqual([]);
    // … and a copy that ran out of retries meanwhile does not kill the delivery the claimer is sending.
    const dlq = createMessageBatch<QueueMessage>(DEAD_LETTER_QUEUE_NAME, [{ id: "dlq-2", timestamp: new Date(), attempts: 1, body: queueMessage(store, r.id, "hook") }]);
    await worker.queue!(dlq, env);
    expect((await getQueueResult(dlq, createExecutionContext())).explicitAcks).toEqual(["dlq-2"]);
    expect((await deliveryOf(store, `${r.id}#hook`))!.state).toBe("pending");
    expect(await sink.requests()).toHaveLength(1);
  });

  it("a reminder whose rule names no channel is logged as such, and nothing is sent", async () => {
    const store = await storeWithRules({});
    const r = reminder(store.storeId, { channels: [] });
    await dispatchReminder(env, r);
    await dispatchReminder(env, r);
    const rows = (await deliveries(store, "?state=no_channels")).filter((d) => d.reminder?.id === r.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ channel: null, state: "no_channels", attempts: [] });
  });

  it("a channel the rules do not define is dead at once, with a message that says so", async () => {
    const store = await storeWithRules({});
    const r = reminder(store.storeId, { channels: ["ghost"] });
    await dispatchReminder(env, r);
    const [row] = await deliveries(store, "?state=dead");
    expect(row).toMatchObject({ channel: "ghost", state: "dead" });
    expect(row!.lastError).toMatch(/channel "ghost" is not defined/);
  });
});

describe("the delivery log API", () => {
  it("pages newest first, filters by state, and rejects a bad filter with the error envelope", async () => {
    const sink = await Sink.create();
    const store = await webhookStore(sink);
    const sent = [];
    for (let i = 0; i < 5; i++) {
      const r = reminder(store.storeId, { channels: ["hook"] });
      sent.push(r);
      await dispatchReminder(env, r);
    }
    for (const r of sent) await eventually(delivered(store, `${r.id}#hook`), "delivery");
    const first = await call("GET", `/v1/stores/${store.storeId}/deliveries?limit=2&state=delivered`, { token: store.token });
    expect(first.status).toBe(200);
    expect(first.body.deliveries.map((d: { reminder: { id: string } }) => d.reminder.id)).toEqual([sent[4]!.id, sent[3]!.id]);
    const second = await call("GET", `/v1/stores/${store.storeId}/deliveries?limit=2&state=delivered&cursor=${first.body.nextCursor}`, { token: store.token });
    expect(second.body.deliveries.map((d: { reminder: { id: string } }) => d.reminder.id)).toEqual([sent[2]!.id, sent[1]!.id]);
    const third = await call("GET", `/v1/stores/${store.storeId}/deliveries?limit=2&state=delivered&cursor=${second.body.nextCursor}`, { token: store.token });
    expect(third.body.deliveries).toHaveLength(1);
    expect(third.body.nextCursor).toBeNull();

    const bad = await call("GET", `/v1/stores/${store.storeId}/deliveries?state=lost`, { token: store.token });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0].path).toBe("query.state");
  });

  it("store A's token never sees or retries store B's deliveries", async () => {
    const sink = await Sink.create();
    await sink.respondWith({ status: 400, body: "invalid_payload" });
    const a = await storeWithRules({});
    const b = await webhookStore(sink);
    const r = reminder(b.storeId, { channels: ["hook"] });
    await dispatchReminder(env, r);
    const dead = await eventually(async () => (await deliveries(b, "?state=dead"))[0], "B's dead delivery");

    expect((await call("GET", `/v1/stores/${b.storeId}/deliveries`, { token: a.token })).status).toBe(401);
    expect((await call("POST", `/v1/stores/${b.storeId}/deliveries/${dead.id}/retry`, { token: a.token })).status).toBe(401);
    expect((await call("GET", `/v1/stores/${b.storeId}/channel-health`, { token: a.token })).status).toBe(401);
    expect(await deliveries(a)).toEqual([]);
    // A's own retry of the same number finds nothing in A's log.
    expect((await call("POST", `/v1/stores/${a.storeId}/deliveries/${dead.id}/retry`, { token: a.token })).status).toBe(404);
    expect((await deliveryOf(b, `${r.id}#hook`))!.state).toBe("dead");
  });
});
