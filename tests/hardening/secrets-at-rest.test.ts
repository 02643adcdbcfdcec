/**
 * Issue 22, item 9: channel and provider secrets are sealed at rest (AES-GCM under SECRETS_KEY),
 * old plaintext rows still load, keys rotate with SECRETS_KEY_PREVIOUS, and a purged secret is
 * gone from every old version, registry and KV, so a rollback cannot bring it back.
 */
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call } from "../support/api";
import { getRules, newStore, rulesPath, sampleRules, saveRules, SLACK_URL, WEBHOOK_SECRET, ZENDESK_TOKEN, type Store } from "../rules-store/helpers";
import { loadRules, versionKey } from "../../src/rules-store/kv";
import { SecretBox } from "../../src/lib/secret-box";
import { SECRET_MASK } from "../../src/rules/schema";
import { connect, secretFor } from "../webhooks/intake-harness";

const PLAINTEXTS = [SLACK_URL, ZENDESK_TOKEN, WEBHOOK_SECRET];

function withWebhook(doc: ReturnType<typeof sampleRules>, secret = WEBHOOK_SECRET) {
  return { ...doc, channels: { ...doc.channels, hook: { type: "webhook", url: "https://example.com/hook", secret } } };
}

async function registryRows(store: { storeId: string }): Promise<string> {
  const stub = env.STORES.getByName(store.storeId);
  return runInDurableObject(stub, async (_i, state) =>
    JSON.stringify([
      state.storage.sql.exec(`SELECT document FROM rule_versions`).toArray(),
      state.storage.sql.exec(`SELECT * FROM providers`).toArray(),
      state.storage.sql.exec(`SELECT * FROM audit`).toArray(),
    ]),
  );
}

describe("secrets at rest", () => {
  it("the registry rows and the KV value hold no plaintext secret, and the Worker still reads them", async () => {
    const store = await newStore();
    expect((await saveRules(store, withWebhook(sampleRules()))).status).toBe(200);
    const rows = await registryRows(store);
    const kv = await env.RULES.get(versionKey(store.storeId, 1));
    for (const secret of PLAINTEXTS) {
      expect(rows).not.toContain(secret);
      expect(kv).not.toContain(secret);
    }
    expect(kv).toContain("enc:v1:");
    // Read back inside the Worker: opened; through the API: masked, as before.
    const loaded = await loadRules(env, store.storeId, 1);
    expect(loaded.document.channels.team).toMatchObject({ webhookUrl: SLACK_URL });
    expect(loaded.document.channels.hook).toMatchObject({ secret: WEBHOOK_SECRET });
    const api = await getRules(store);
    expect(JSON.stringify(api.body)).not.toContain(SLACK_URL);
    expect(api.body.rules.channels.team.webhookUrl).toBe(SECRET_MASK);
    // Sending the mask back keeps the (sealed) secret.
    const again = await saveRules(store, { ...api.body.rules, description: "edited" });
    expect(again.status).toBe(200);
    expect((await loadRules(env, store.storeId, 2)).document.channels.hook).toMatchObject({ secret: WEBHOOK_SECRET });
  });

  it("a provider's signing secret is sealed in the registry, and signed deliveries still verify", async () => {
    const hook = await connect("custom");
    const rows = await registryRows(hook);
    expect(rows).not.toContain(secretFor("custom"));
    expect(rows).toContain("enc:v1:");
    const raw = JSON.stringify({ occurredAt: new Date().toISOString(), caseKey: { type: "ticket", ticketId: "S-1" }, kind: "case.opened", subject: "hello" });
    expect((await hook.send(raw, { deliveryId: "msg_sealed_1" })).status).toBe(202);
  });

  it("rows written before sealing existed (plaintext) still load, and are sealed at the next write", async () => {
    const store = await newStore();
    const doc = withWebhook(sampleRules());
    expect((await saveRules(store, doc)).status).toBe(200);
    const stub = env.STORES.getByName(store.storeId);
    // Put the plaintext back, as an older deployment stored it.
    await runInDurableObject(stub, async (_i, state) => {
      const row = state.storage.sql.exec<{ document: string }>(`SELECT document FROM rule_versions WHERE version = 1`).one();
      const d = JSON.parse(row.document) as { channels: Record<string, Record<string, string>> };
      d.channels.team!.webhookUrl = SLACK_URL;
      d.channels.hook!.secret = WEBHOOK_SECRET;
      state.storage.sql.exec(`UPDATE rule_versions SET document = ? WHERE version = 1`, JSON.stringify(d));
    });
    const current = await stub.rulesRead();
    expect(current!.document.channels.team).toMatchObject({ webhookUrl: SLACK_URL });
    const api = await getRules(store);
    expect((await saveRules(store, { ...api.body.rules, description: "resaved" })).status).toBe(200);
    const v2 = await runInDurableObject(stub, async (_i, state) => state.storage.sql.exec<{ document: string }>(`SELECT document FROM rule_versions WHERE version = 2`).one().document);
    expect(v2).not.toContain(SLACK_URL);
    expect((await loadRules(env, store.storeId, 2)).document.channels.team).toMatchObject({ webhookUrl: SLACK_URL });
  });
});

describe("purging a secret from every stored version", () => {
  it("the leaked secret is gone from old versions (registry and KV), the purge is audited, and rollback does not restore it", async () => {
    const store: Store = await newStore();
    const LEAKED = "whsec_bGVha2VkLXNlY3JldC10aGF0LW11c3QtZ28tYXdheQ==";
    const FRESH = "whsec_ZnJlc2gtc2VjcmV0LWFmdGVyLXRoZS1sZWFr";
    expect((await saveRules(store, withWebhook(sampleRules(), LEAKED))).status).toBe(200); // v1
    expect((await saveRules(store, { ...withWebhook(sampleRules(), LEAKED), description: "v2" })).status).toBe(200); // v2
    expect((await saveRules(store, withWebhook(sampleRules(), FRESH))).status).toBe(200); // v3: replaced

    const res = await call("POST", rulesPath(store, "/purge-secret"), { token: store.adminToken, body: { channel: "hook", field: "secret" } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.purged).toEqual([1, 2]);

    for (const v of [1, 2]) {
      expect((await loadRules(env, store.storeId, v)).document.channels.hook).toMatchObject({ secret: SECRET_MASK });
      const kv = await env.RULES.get<{ document: { channels: { hook: { secret: string } } } }>(versionKey(store.storeId, v), "json");
      expect(kv!.document.channels.hook.secret).toBe(SECRET_MASK);
      expect((await env.STORES.getByName(store.storeId).rulesRead(v))!.document.channels.hook).toMatchObject({ secret: SECRET_MASK });
    }
    // The live secret is untouched.
    expect((await loadRules(env, store.storeId, 3)).document.channels.hook).toMatchObject({ secret: FRESH });

    const audit = await call("GET", `/v1/stores/${store.storeId}/audit?limit=1`, { token: store.adminToken });
    expect(audit.body.entries[0]).toMatchObject({ action: "rules.purge_secret", subject: "channels.hook.secret" });

    // Rolling back to v1 keeps the current secret for the same destination, never the leaked one.
    const back = await call("POST", rulesPath(store, "/rollback"), { token: store.adminToken, body: { version: 1 } });
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    const restored = await env.STORES.getByName(store.storeId).rulesRead(back.body.version as number);
    expect(restored!.document.channels.hook).toMatchObject({ secret: FRESH });
    expect(await registryRows(store)).not.toContain(LEAKED);
  });

  it("refuses an unknown secret field with a path", async () => {
    const store = await newStore();
    const res = await call("POST", rulesPath(store, "/purge-secret"), { token: store.adminToken, body: { channel: "hook", field: "url" } });
    expect(res.status).toBe(400);
    expect(res.body.error.issues[0].path).toBe("field");
  });
});

describe("key rotation", () => {
  const KEY_A = btoa("a".repeat(32));
  const KEY_B = btoa("b".repeat(32));

  it("a value sealed under the old key opens with it as SECRETS_KEY_PREVIOUS; new values use the new key", async () => {
    const oldBox = await SecretBox.fromEnv({ SECRETS_KEY: KEY_A });
    const sealed = await oldBox.seal("xoxb-secret");
    const rotated = await SecretBox.fromEnv({ SECRETS_KEY: KEY_B, SECRETS_KEY_PREVIOUS: KEY_A });
    expect(await rotated.open(sealed)).toBe("xoxb-secret");
    const resealed = await rotated.seal("xoxb-secret");
    expect(resealed.split(":")[2]).not.toBe(sealed.split(":")[2]);
    const onlyNew = await SecretBox.fromEnv({ SECRETS_KEY: KEY_B });
    await expect(onlyNew.open(sealed)).rejects.toThrow(/neither SECRETS_KEY nor SECRETS_KEY_PREVIOUS/);
    // A tampered ciphertext never opens.
    await expect(rotated.open(sealed.slice(0, -2) + (sealed.endsWith("AA") ? "AB" : "AA"))).rejects.toThrow();
  });

  it("refuses a key that is not 32 bytes", async () => {
    await expect(SecretBox.fromEnv({ SECRETS_KEY: btoa("short") })).rejects.toThrow(/32 random bytes/);
  });
});
