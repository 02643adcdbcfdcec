/**
 * The per-store outbound cap under the real `wrangler dev` (issue 22 item 2): a burst of
 * reminders over the store's per-minute limit is not dropped; what is over the limit waits for
 * the next minute and is then delivered, all of it, to a real receiver on 127.0.0.1. The server
 * runs with STORE_DELIVERIES_PER_MINUTE=3 (production default 12,000) so the burst is small.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request, waitFor } from "./support/http";
import { Receiver } from "./support/receiver";
import { CUSTOM_SECRET, configureProvider, createStore, postCustom, saveRules, type E2EStore } from "./support/store";
import { DevServer } from "./support/wrangler";

const PER_MINUTE = 3;
const CHANNEL_SECRET = `whsec_${Buffer.from("e2e-store-rate-channel-secret-012345").toString("base64")}`;

describe("a burst over the store's outbound limit", () => {
  const server = new DevServer({ vars: { STORE_DELIVERIES_PER_MINUTE: String(PER_MINUTE), DELIVERY_TIMEOUT_MS: "2000", DELIVERY_RETRY_BASE_SECONDS: "1" } });
  const receiver = new Receiver();
  let store: E2EStore;

  beforeAll(async () => {
    await receiver.start();
    await server.start();
    store = await createStore(server.url, "Bursty shop");
    await configureProvider(store, "custom", { secrets: [CUSTOM_SECRET] });
    await saveRules(store, {
      channels: { team: { type: "webhook", url: `${receiver.url}/team`, secret: CHANNEL_SECRET } },
      policies: [{ name: "Everything", targets: { firstReply: { byPriority: { normal: "1s" } } }, notify: ["team"] }],
    });
  });
  afterAll(async () => {
    await server.dispose();
    await receiver.stop();
  });

  it("delivers every reminder, never more than the limit in one clock minute", async () => {
    const tickets = ["R-1", "R-2", "R-3", "R-4", "R-5"];
    for (const ticketId of tickets) {
      const res = await postCustom(store, { occurredAt: new Date().toISOString(), caseKey: { type: "ticket", ticketId }, kind: "case.opened", channel: "email", priority: "normal", status: "open" });
      expect(res.status, server.logs()).toBe(202);
    }
    const keys = () => new Set(receiver.received.map((r) => r.headers["webhook-id"]));
    await waitFor(async () => (keys().size >= tickets.length ? true : undefined), 150_000).catch((err: unknown) => {
      throw new Error(`${String(err)}: ${keys().size} of ${tickets.length} arrived\n${server.logs()}`);
    });
    // All five breaches arrived, none dropped...
    expect(keys().size).toBe(tickets.length);
    // ...never more than the limit in any clock minute (the cap's windows)...
    const perMinute = new Map<number, number>();
    for (const r of receiver.received) perMinute.set(Math.floor(r.at / 60_000), (perMinute.get(Math.floor(r.at / 60_000)) ?? 0) + 1);
    for (const count of perMinute.values()) expect(count).toBeLessThanOrEqual(PER_MINUTE);
    expect(perMinute.size).toBeGreaterThanOrEqual(Math.ceil(tickets.length / PER_MINUTE));
    // ...and the delivery log shows every one delivered, the waiting ones as such in the server's log.
    const res = await request(server.url, "GET", `/v1/stores/${store.storeId}/deliveries?limit=100&state=delivered`, { token: store.token });
    expect(res.body.deliveries).toHaveLength(tickets.length);
    expect(server.logs(100_000)).toMatch(/over the store's limit of 3 outbound requests per minute/);
  }, 180_000);
});
