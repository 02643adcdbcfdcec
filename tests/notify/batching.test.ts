/**
 * The queue consumer works a batch per store: one registry call claims all of a store's messages,
 * the claimed ones are posted to the real loopback receiver, one call records every attempt.
 * Each message is still acked or retried on its own. The batches are built with
 * `createMessageBatch` and handed to the Worker's real `queue` handler; the deliveries they name
 * were recorded by the real dispatch and tried once through the real queue first.
 *
 * Registry calls are counted by handing the consumer an `env` whose STORES namespace returns the
 * real stubs wrapped in a counter (as bench/cost/paths.measure.ts does for the cost bench): every
 * method the consumer calls on a registry stub is one Durable Object request.
 */
import { createExecutionContext, createMessageBatch, getQueueResult, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { DELIVERY_QUEUE_NAME } from "../../src/notify/consumer";
import { dispatchReminder } from "../../src/notify/dispatch";
import type { QueueMessage } from "../../src/notify/messages";
import type { Reminder } from "../../src/notify/reminder";
import { Sink } from "./support/receiver";
import { deliveries, deliveryOf, eventually, queueMessage, reminder, storeWithRules, type TestStore } from "./support/store";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

interface RegistryCall {
  store: string;
  method: string;
}

type Fn = (...args: unknown[]) => unknown;
const NOT_RPC = new Set(["then", "id", "name", "constructor"]);

/**
 * The real bindings, except that every registry stub the consumer gets counts the methods called
 * on it. `fail` makes one method of one store's registry reject instead of reaching it: a
 * registry that cannot be reached (overloaded, reset mid-call) cannot be produced on demand
 * inside workerd, and the consumer's answer to exactly that is what those tests check.
 */
function countingEnv(calls: RegistryCall[], fail?: { store: string; method: string }): Env {
  const stores = {
    getByName(name: string) {
      const stub = env.STORES.getByName(name);
      return new Proxy(stub, {
        get(target, prop) {
          const value: unknown = Reflect.get(target, prop);
          if (typeof prop !== "string" || NOT_RPC.has(prop) || typeof value !== "function") return value;
          return (...args: unknown[]) => {
            calls.push({ store: name, method: prop });
            if (fail && fail.store === name && fail.method === prop) return Promise.reject(new Error("registry unreachable"));
            // Reflect.apply: on an RPC property, `.apply` would itself be read as a remote method.
            return Reflect.apply(value as Fn, target, args);
          };
        },
      });
    },
  };
  return new Proxy(env, { get: (target, prop) => (prop === "STORES" ? stores : Reflect.get(target, prop)) });
}

async function webhookStore(sink: Sink): Promise<TestStore> {
  return storeWithRules({ channels: { hook: { type: "webhook", url: `${sink.url}/hook`, secret: SECRET } } });
}

/**
 * `n` reminders recorded on the store's `hook` channel and tried once through the real queue: the
 * receiver answered 503 with Retry-After of two minutes, so each row is pending, unclaimed, and
 * its queue copy stays away for the rest of the test. Later posts get the receiver's 200.
 */
async function pendingReminders(store: TestStore, sink: Sink, n: number): Promise<Reminder[]> {
  await sink.respondWith(...Array.from({ length: n }, () => ({ status: 503, headers: { "retry-after": "120" }, body: "busy" })));
  const rs = Array.from({ length: n }, () => reminder(store.storeId, { channels: ["hook"] }));
  await Promise.all(rs.map((r) => dispatchReminder(env, r)));
  await eventually(async () => {
    const ds = await deliveries(store, "?state=pending&limit=100");
    return rs.every((r) => ds.some((d) => d.deliveryId === `${r.id}#hook` && d.attemptCount === 1));
  }, "a first, failed attempt of each reminder");
  return rs;
}

function batchOf(messages: { id: string; body: unknown }[]) {
  return createMessageBatch<QueueMessage>(
    DELIVERY_QUEUE_NAME,
    messages.map((m) => ({ id: m.id, timestamp: new Date(), attempts: 1, body: m.body as QueueMessage })),
  );
}

async function consume(messages: { id: string; body: unknown }[], consumerEnv: Env = env) {
  const batch = batchOf(messages);
  const ctx = createExecutionContext();
  await worker.queue!(batch, consumerEnv);
  const result = await getQueueResult(batch, ctx);
  return { acked: [...result.explicitAcks].sort(), retried: result.retryMessages.map((m: { msgId: string }) => m.msgId).sort() };
}

/** Keys of the reminders the receiver accepted (answered 200), one entry per accepted post. */
async function accepted(sink: Sink): Promise<string[]> {
  return (await sink.requests())
    .filter((g) => g.answered === 200)
    .map((g) => g.headers["webhook-id"]!)
    .sort();
}

const ids = (rs: Reminder[]) => rs.map((r) => r.id).sort();
const methods = (calls: RegistryCall[], store: string) => calls.filter((c) => c.store === store).map((c) => c.method);

describe("a batch of one store's messages", () => {
  it("delivers each once, logs each attempt, and costs the store's registry two calls, not two per message", async () => {
    const sink = await Sink.create();
    const store = await webhookStore(sink);
    const rs = await pendingReminders(store, sink, 5);

    const calls: RegistryCall[] = [];
    const messages: { id: string; body: unknown }[] = rs.map((r, i) => ({ id: `m-${i}`, body: queueMessage(store, r.id, "hook") }));
    // A malformed message among them is acked on its own and holds nothing up.
    messages.push({ id: "garbage", body: { v: 1, kind: "reminder", storeId: store.storeId } });
    const result = await consume(messages, countingEnv(calls));

    expect(result.acked).toEqual(messages.map((m) => m.id).sort());
    expect(result.retried).toEqual([]);
    expect(await accepted(sink)).toEqual(ids(rs));
    for (const r of rs) {
      const d = (await deliveryOf(store, `${r.id}#hook`))!;
      expect(d.state).toBe("delivered");
      expect(d.attempts.map((a) => [a.attempt, a.status, a.outcome, a.source])).toEqual([
        [1, 503, "retry", "queue"],
        [2, 200, "delivered", "queue"],
      ]);
    }
    expect(calls).toEqual([
      { store: store.storeId, method: "deliveryStartBatch" },
      { store: store.storeId, method: "deliveryFinishBatch" },
    ]);
  });

  it("posts a delivery that appears twice in the batch once: the second copy waits", async () => {
    const sink = await Sink.create();
    const store = await webhookStore(sink);
    const [r] = await pendingReminders(store, sink, 1);

    const result = await consume([
      { id: "copy-a", body: queueMessage(store, r!.id, "hook") },
      { id: "copy-b", body: queueMessage(store, r!.id, "hook") },
    ]);

    expect(result.acked).toEqual(["copy-a"]);
    expect(result.retried).toEqual(["copy-b"]);
    expect(await accepted(sink)).toEqual([r!.id]);
    const d = (await deliveryOf(store, `${r!.id}#hook`))!;
    expect(d.state).toBe("delivered");
    expect(d.attempts.map((a) => a.outcome)).toEqual(["retry", "delivered"]);
  });

  it("a delivery that cannot be claimed is retried on its own; the others of its store still go out", async () => {
    const sink = await Sink.create();
    const store = await webhookStore(sink);
    const [broken, ...rest] = await pendingReminders(store, sink, 3);
    // A row whose stored reminder no longer reads (as one written by older code might not).
    await runInDurableObject(env.STORES.getByName(store.storeId), (_instance, state) => {
      state.storage.sql.exec(`UPDATE deliveries SET payload = '{}' WHERE delivery_id = ?`, `${broken!.id}#hook`);
    });

    const result = await consume([broken!, ...rest].map((r, i) => ({ id: `m-${i}`, body: queueMessage(store, r.id, "hook") })));

    expect(result.retried).toEqual(["m-0"]);
    expect(result.acked).toEqual(["m-1", "m-2"]);
    expect(await accepted(sink)).toEqual(ids(rest));
    const d = (await deliveryOf(store, `${broken!.id}#hook`))!;
    expect(d.state).toBe("pending");
    expect(d.attemptCount).toBe(1);
  });
});

describe("a batch mixing stores", () => {
  it("claims and records each store's messages in that store's own log, with two calls per store", async () => {
    const sinkA = await Sink.create();
    const sinkB = await Sink.create();
    const a = await webhookStore(sinkA);
    const b = await webhookStore(sinkB);
    const ra = await pendingReminders(a, sinkA, 2);
    const rb = await pendingReminders(b, sinkB, 2);

    const calls: RegistryCall[] = [];
    const result = await consume(
      [
        { id: "a-0", body: queueMessage(a, ra[0]!.id, "hook") },
        { id: "b-0", body: queueMessage(b, rb[0]!.id, "hook") },
        { id: "a-1", body: queueMessage(a, ra[1]!.id, "hook") },
        { id: "b-1", body: queueMessage(b, rb[1]!.id, "hook") },
        // A message naming store B but one of A's deliveries finds nothing in B's log and changes nothing in A's.
        { id: "b-forged", body: { ...queueMessage(a, ra[0]!.id, "hook"), storeId: b.storeId } },
      ],
      countingEnv(calls),
    );

    expect(result.acked).toEqual(["a-0", "a-1", "b-0", "b-1", "b-forged"]);
    expect(result.retried).toEqual([]);
    expect(await accepted(sinkA)).toEqual(ids(ra));
    expect(await accepted(sinkB)).toEqual(ids(rb));
    const logA = await deliveries(a, "?limit=100");
    const logB = await deliveries(b, "?limit=100");
    expect(logA.map((d) => d.reminder?.id).sort()).toEqual(ids(ra));
    expect(logB.map((d) => d.reminder?.id).sort()).toEqual(ids(rb));
    for (const d of [...logA, ...logB]) {
      expect(d.state).toBe("delivered");
      expect(d.attempts.map((x) => x.outcome)).toEqual(["retry", "delivered"]);
    }
    expect(methods(calls, a.storeId)).toEqual(["deliveryStartBatch", "deliveryFinishBatch"]);
    expect(methods(calls, b.storeId)).toEqual(["deliveryStartBatch", "deliveryFinishBatch"]);
    expect(calls).toHaveLength(4);
  });
});

describe("when the registry cannot be reached", () => {
  it("claiming fails: every message of that store is retried and nothing is posted; other stores are delivered", async () => {
    const sinkA = await Sink.create();
    const sinkB = await Sink.create();
    const a = await webhookStore(sinkA);
    const b = await webhookStore(sinkB);
    const ra = await pendingReminders(a, sinkA, 2);
    const rb = await pendingReminders(b, sinkB, 1);
    const messages = [
      ...ra.map((r, i) => ({ id: `a-${i}`, body: queueMessage(a, r.id, "hook") })),
      { id: "b-0", body: queueMessage(b, rb[0]!.id, "hook") },
    ];

    const failed = await consume(messages, countingEnv([], { store: a.storeId, method: "deliveryStartBatch" }));

    expect(failed.retried).toEqual(["a-0", "a-1"]);
    expect(failed.acked).toEqual(["b-0"]);
    expect(await accepted(sinkA)).toEqual([]);
    expect(await accepted(sinkB)).toEqual(ids(rb));
    for (const r of ra) expect((await deliveryOf(a, `${r.id}#hook`))!).toMatchObject({ state: "pending", attemptCount: 1 });

    // The queue's retry: nothing was claimed, so the messages go out at once.
    const retried = await consume(messages.slice(0, 2));
    expect(retried.acked).toEqual(["a-0", "a-1"]);
    expect(await accepted(sinkA)).toEqual(ids(ra));
  });

  it("recording fails after posting: every posted message is retried, and its retry posts again with the same key and is logged", async () => {
    const sink = await Sink.create();
    const store = await webhookStore(sink);
    const rs = await pendingReminders(store, sink, 2);
    const messages = rs.map((r, i) => ({ id: `m-${i}`, body: queueMessage(store, r.id, "hook") }));

    const failed = await consume(messages, countingEnv([], { store: store.storeId, method: "deliveryFinishBatch" }));

    expect(failed.retried).toEqual(["m-0", "m-1"]);
    expect(failed.acked).toEqual([]);
    expect(await accepted(sink)).toEqual(ids(rs));
    for (const r of rs) expect((await deliveryOf(store, `${r.id}#hook`))!).toMatchObject({ state: "pending", attemptCount: 1 });

    // The queue's retries: copies wait while the lost attempt's claim lasts, then post and are recorded.
    const left = new Set(messages.map((m) => m.id));
    await eventually(async () => {
      const round = await consume(messages.filter((m) => left.has(m.id)));
      for (const id of round.acked) left.delete(id);
      return left.size === 0;
    }, "the retried messages to be delivered and acked");
    expect(await accepted(sink)).toEqual(ids([...rs, ...rs]));
    for (const r of rs) {
      const d = (await deliveryOf(store, `${r.id}#hook`))!;
      expect(d.state).toBe("delivered");
      expect(d.attempts.map((x) => [x.status, x.outcome])).toEqual([
        [503, "retry"],
        [200, "delivered"],
      ]);
    }
  });
});
