/**
 * Reminder delivery under the real `wrangler dev`: real case objects fire real reminders (cases
 * opened through the signed `custom` provider with 2-second targets), the real local queue and
 * its consumer post them to a real receiver on 127.0.0.1 that fails, throttles, hangs, then
 * recovers. What the store would see: every reminder arrives, none is lost, every copy of one
 * carries the same idempotency key and verifies with `standardwebhooks`, and the delivery log
 * shows each attempt. A permanent 4xx ends dead and a manual retry over HTTP delivers it.
 */
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request, waitFor } from "./support/http";
import { Receiver, type Received } from "./support/receiver";
import { CUSTOM_SECRET, configureProvider, createStore, postCustom, saveRules, type E2EStore } from "./support/store";
import { DevServer } from "./support/wrangler";

const CHANNEL_SECRET = `whsec_${Buffer.from("e2e-delivery-channel-secret-0123456789").toString("base64")}`;

interface Delivery {
  id: number;
  deliveryId: string;
  idempotencyKey: string;
  channel: string;
  state: string;
  lastStatus: number | null;
  lastError: string | null;
  reminder: { id: string; kind: string } | null;
  attempts: { status: number | null; outcome: string; error: string | null }[];
}

async function list(s: E2EStore, query = ""): Promise<Delivery[]> {
  const res = await request(s.url, "GET", `/v1/stores/${s.storeId}/deliveries?limit=100${query}`, { token: s.token });
  expect(res.status).toBe(200);
  return res.body.deliveries as Delivery[];
}

function verify(r: Received): { type: string; id: string; data: { kind: string; caseId: string } } {
  return new Webhook(CHANNEL_SECRET).verify(r.body, { "webhook-id": r.headers["webhook-id"]!, "webhook-timestamp": r.headers["webhook-timestamp"]!, "webhook-signature": r.headers["webhook-signature"]! }) as never;
}

function openCase(s: E2EStore, ticketId: string) {
  return postCustom(s, { occurredAt: new Date().toISOString(), caseKey: { type: "ticket", ticketId }, kind: "case.opened", channel: "email", priority: "normal", status: "open" });
}

describe("reminder delivery against wrangler dev", () => {
  const server = new DevServer({ vars: { DELIVERY_TIMEOUT_MS: "1000", DELIVERY_RETRY_BASE_SECONDS: "1" } });
  const flaky = new Receiver();
  const strict = new Receiver();
  let store: E2EStore;

  beforeAll(async () => {
    await flaky.start();
    await strict.start();
    await server.start();
    store = await createStore(server.url, "Delivery shop");
    await configureProvider(store, "custom", { secrets: [CUSTOM_SECRET] });
    await saveRules(store, {
      channels: {
        team: { type: "webhook", url: `${flaky.url}/team`, secret: CHANNEL_SECRET },
        audit: { type: "webhook", url: `${strict.url}/audit`, secret: CHANNEL_SECRET },
      },
      policies: [
        { name: "Audited", when: { tags: { any: ["audit"] } }, targets: { firstReply: { byPriority: { normal: "2s" } } }, notify: ["audit"] },
        { name: "Everything", targets: { firstReply: { byPriority: { normal: "2s" }, warnings: ["1s"] } }, notify: ["team"] },
      ],
    });
  });
  afterAll(async () => {
    await server.dispose();
    await flaky.stop();
    await strict.stop();
  });

  it("delivers every reminder through 500, 429 + Retry-After and a hang, with one key per reminder", async () => {
    flaky.respondWith({ status: 500, body: "boom" }, { status: 429, headers: { "retry-after": "1" }, body: "slow down" }, { hangMs: 3000 });
    for (const id of ["D-1", "D-2", "D-3"]) expect((await openCase(store, id)).status, server.logs()).toBe(202);

    // Three cases × (warning + breach), all on the team channel.
    const delivered = await waitFor(async () => {
      const ds = (await list(store, "&state=delivered")).filter((d) => d.channel === "team");
      return ds.length === 6 ? ds : undefined;
    }, 60_000).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${server.logs()}`);
    });
    expect(delivered.map((d) => d.reminder!.kind).sort()).toEqual(["first_reply.breach", "first_reply.breach", "first_reply.breach", "first_reply.warning", "first_reply.warning", "first_reply.warning"]);
    const failed = delivered.flatMap((d) => d.attempts.filter((a) => a.outcome === "retry"));
    expect(failed.map((a) => a.status).sort()).toEqual([429, 500, null].sort());
    expect(failed.find((a) => a.status === null)!.error).toMatch(/timed out/);

    const byKey = new Map<string, Received[]>();
    for (const r of flaky.received) byKey.set(r.headers["webhook-id"]!, [...(byKey.get(r.headers["webhook-id"]!) ?? []), r]);
    expect([...byKey.keys()].sort()).toEqual(delivered.map((d) => d.idempotencyKey).sort());
    for (const [key, copies] of byKey) {
      const bodies = copies.map(verify);
      expect(new Set(bodies.map((b) => JSON.stringify(b)))).toHaveProperty("size", 1);
      expect(bodies[0]!.id).toBe(key);
      expect(bodies[0]!.type).toBe("reminder.fired");
    }
    // Six reminders plus the three failed tries; at-least-once may add copies, which the per-key checks above cover.
    expect(flaky.received.length).toBeGreaterThanOrEqual(9);
  });

  it("ends a permanent 4xx dead, and a manual retry delivers it with the same key", async () => {
    strict.respondWith({ status: 422, body: "unprocessable" });
    const res = await postCustom(store, { occurredAt: new Date().toISOString(), caseKey: { type: "ticket", ticketId: "D-AUDIT" }, kind: "case.opened", channel: "email", priority: "normal", status: "open", tags: ["audit"] });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const dead = await waitFor(async () => (await list(store, "&state=dead")).find((d) => d.channel === "audit"), 30_000);
    expect(dead).toMatchObject({ lastStatus: 422, state: "dead" });
    expect(dead.lastError).toContain("unprocessable");

    const retry = await request(server.url, "POST", `/v1/stores/${store.storeId}/deliveries/${dead.id}/retry`, { token: store.token });
    expect(retry.status).toBe(202);
    await waitFor(async () => ((await list(store, "&state=delivered")).some((d) => d.deliveryId === dead.deliveryId) ? true : undefined), 30_000);
    expect(strict.received.map((r) => [r.headers["webhook-id"], verify(r).data.caseId])).toEqual([
      [dead.idempotencyKey, res.body.caseId],
      [dead.idempotencyKey, res.body.caseId],
    ]);
  });
});
