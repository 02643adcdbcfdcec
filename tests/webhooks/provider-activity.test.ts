/**
 * Connections shows, per provider, when it last received a delivery and its last refused
 * signature. Intake records both without a registry call per webhook: the first one after a quiet
 * minute is written through, the rest of the minute stays in the isolate (and still shows).
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call } from "../support/api";
import { eventually } from "../notify/support/store";
import { noteProviderActivity, WRITE_THROUGH_MS } from "../../src/webhooks/provider-activity";
import { connect } from "./intake-harness";

const stopped = (n: string) => JSON.stringify({ event: "TRACKING_STOPPED", data: { number: n, carrier: 3011 } });

async function providers(storeId: string, token: string) {
  const res = await call("GET", `/v1/stores/${storeId}/providers`, { token });
  expect(res.status).toBe(200);
  return res.body.providers as { provider: string; lastReceivedAt: string | null; lastRefused: { at: string; reason: string } | null }[];
}

const storedActivity = (storeId: string) =>
  runInDurableObject(env.STORES.getByName(storeId), (_r, state) =>
    state.storage.sql.exec<{ received: number | null; refused: number | null }>(`SELECT last_received_at AS received, last_refused_at AS refused FROM providers`).one(),
  );

describe("provider activity on the Connections page", () => {
  it("starts empty, then shows the last verified delivery and the last refused signature with its reason", async () => {
    const hook = await connect("17track");
    expect(await providers(hook.storeId, hook.adminToken)).toMatchObject([{ provider: "17track", lastReceivedAt: null, lastRefused: null }]);

    const before = Date.now();
    expect((await hook.send(stopped("RR100000001CN"))).status).toBe(200);
    const [afterOk] = await providers(hook.storeId, hook.adminToken);
    expect(Date.parse(afterOk!.lastReceivedAt!)).toBeGreaterThanOrEqual(before);
    expect(afterOk!.lastRefused).toBeNull();

    const refused = await hook.post(stopped("RR100000002CN"), { sign: "not-the-signature", "content-type": "application/json" });
    expect(refused.status).toBe(401);
    const [afterRefused] = await providers(hook.storeId, hook.adminToken);
    expect(afterRefused!.lastRefused).not.toBeNull();
    expect(Date.parse(afterRefused!.lastRefused!.at)).toBeGreaterThanOrEqual(Date.parse(afterOk!.lastReceivedAt!));
    expect(afterRefused!.lastRefused!.reason.length).toBeGreaterThan(0);
    // A refusal does not count as a delivery received.
    expect(afterRefused!.lastReceivedAt).toBe(afterOk!.lastReceivedAt);
  });

  it("writes through to the store's registry once for a burst, not once per webhook", async () => {
    const hook = await connect("17track");
    expect((await hook.send(stopped("RR200000000CN"))).status).toBe(200);
    const first = await eventually(async () => (await storedActivity(hook.storeId)).received ?? undefined, "the first delivery written through");
    for (let i = 1; i <= 10; i++) expect((await hook.send(stopped(`RR20000000${i % 10}CX`))).status).toBe(200);
    // The burst stays in the isolate: the registry still holds the first instant...
    await new Promise((r) => setTimeout(r, 200));
    expect((await storedActivity(hook.storeId)).received).toBe(first);
    // ...while the page already shows the newest one.
    const [shown] = await providers(hook.storeId, hook.adminToken);
    expect(Date.parse(shown!.lastReceivedAt!)).toBeGreaterThan(first);
  });

  it("records nothing for a provider the store has not configured", async () => {
    const hook = await connect("17track");
    const res = await call("POST", `/hooks/${hook.storeId}/aftership`, { rawBody: "{}", headers: { "aftership-hmac-sha256": "x" } });
    expect(res.status).toBe(401);
    expect((await providers(hook.storeId, hook.adminToken)).map((p) => p.provider)).toEqual(["17track"]);
    expect(await storedActivity(hook.storeId)).toEqual({ received: null, refused: null });
  });
});

describe("write-through at most once a minute", () => {
  it("writes the first delivery at once, holds the rest of the minute, then writes the newest of both kinds", () => {
    const store = `st_${crypto.randomUUID().replace(/-/g, "").slice(0, 16)}`;
    const t0 = 1_800_000_000_000;
    expect(noteProviderActivity(store, "zendesk", { receivedAt: t0 }, t0)).toEqual({ receivedAt: t0 });
    expect(noteProviderActivity(store, "zendesk", { receivedAt: t0 + 1_000 }, t0 + 1_000)).toBeNull();
    expect(noteProviderActivity(store, "zendesk", { refused: { at: t0 + 2_000, reason: "bad signature" } }, t0 + 2_000)).toBeNull();
    // Another provider of the same store has its own minute.
    expect(noteProviderActivity(store, "shopify", { receivedAt: t0 + 3_000 }, t0 + 3_000)).toEqual({ receivedAt: t0 + 3_000 });
    const later = t0 + WRITE_THROUGH_MS;
    expect(noteProviderActivity(store, "zendesk", { receivedAt: later }, later)).toEqual({ receivedAt: later, refused: { at: t0 + 2_000, reason: "bad signature" } });
  });
});
