/**
 * Rules in Workers KV: each saved version is published as an immutable key plus the current
 * pointer; a burst of saves ends with the pointer on the newest version without breaking KV's
 * one-write-per-second-per-key limit; cases reading rules fall back to the registry whenever KV
 * has not caught up; and a publish that failed is caught up later.
 */
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { loadRules, pointerKey, putWithRetry, RulesKvPublisher, versionKey } from "../../src/rules-store/kv";
import { DEFAULT_RULES } from "../../src/rules/schema";
import { getRules, newStore, sampleRules, saveRules, SLACK_URL } from "./helpers";

/**
 * The real local KV binding, with production's per-key write limit enforced: miniflare does not
 * enforce it, so without this a publisher that writes a key twice within a second would pass
 * here and fail in production with the same error text this throws.
 */
function rateLimitedKv(inner: KVNamespace, opts: { failFirst?: number } = {}) {
  const lastWrite = new Map<string, number>();
  const stats = { puts: new Map<string, number>(), rejected: 0 };
  let failures = opts.failFirst ?? 0;
  const kv = {
    async put(key: string, value: string) {
      const now = Date.now();
      const last = lastWrite.get(key);
      if (failures > 0 || (last !== undefined && now - last < 1000)) {
        failures = Math.max(0, failures - 1);
        stats.rejected++;
        throw new Error("KV PUT failed: 429 Too Many Requests");
      }
      lastWrite.set(key, now);
      stats.puts.set(key, (stats.puts.get(key) ?? 0) + 1);
      await inner.put(key, value);
    },
  };
  return { kv: kv as unknown as KVNamespace, stats };
}

describe("publishing saved versions", () => {
  it("a save writes the immutable version key and moves the pointer; cases then read it from KV", async () => {
    const store = await newStore();
    expect((await saveRules(store, sampleRules())).status).toBe(200);
    expect(await env.RULES.get(pointerKey(store.storeId), "json")).toEqual({ version: 1 });
    const stored = await env.RULES.get<{ version: number; document: unknown }>(versionKey(store.storeId, 1), "json");
    expect(stored!.version).toBe(1);
    // Channel secrets are sealed in KV (src/lib/secret-box.ts); the rest of the document reads as saved.
    expect((stored!.document as { policies: { name: string }[] }).policies[0]!.name).toBe("Urgent chat");
    expect(JSON.stringify(stored)).not.toContain(SLACK_URL);
    const loaded = await loadRules(env, store.storeId);
    expect(loaded).toMatchObject({ version: 1, source: "kv" });
    expect(loaded.document.channels.team).toMatchObject({ webhookUrl: SLACK_URL });
    expect(loaded.document.policies.map((p) => p.name)).toEqual(["Urgent chat", "Everything"]);
  });

  it("a burst of saves ends with the pointer on the newest version and every version key written", async () => {
    const store = await newStore();
    const n = 5;
    for (let i = 1; i <= n; i++) {
      const doc = sampleRules();
      doc.description = `burst ${i}`;
      expect((await saveRules(store, doc)).status).toBe(200);
    }
    expect(await env.RULES.get(pointerKey(store.storeId), "json")).toEqual({ version: n });
    for (let v = 1; v <= n; v++) {
      const stored = await env.RULES.get<{ version: number; document: { description: string } }>(versionKey(store.storeId, v), "json");
      expect(stored!.document.description).toBe(`burst ${v}`);
    }
    const loaded = await loadRules(env, store.storeId);
    expect(loaded).toMatchObject({ version: n, source: "kv" });
    expect(loaded.document.description).toBe(`burst ${n}`);
  });

  it("concurrent publishes share pointer writes: never two writes of one key within a second, pointer on the newest", async () => {
    const storeId = `st_kvburst${crypto.randomUUID().slice(0, 6)}`;
    const { kv, stats } = rateLimitedKv(env.RULES);
    const publisher = new RulesKvPublisher(kv, storeId);
    const versions = [1, 2, 3, 4, 5, 6, 7, 8];
    await Promise.all(versions.map((v) => publisher.publish(v, { ...DEFAULT_RULES, description: `v${v}` })));
    expect(stats.rejected).toBe(0);
    expect(await env.RULES.get(pointerKey(storeId), "json")).toEqual({ version: 8 });
    expect(stats.puts.get(pointerKey(storeId))).toBeLessThan(versions.length);
    for (const v of versions) expect(stats.puts.get(versionKey(storeId, v))).toBe(1);
  });

  it("a 429 from KV is retried with backoff until the write lands", async () => {
    const key = `retry-test:${crypto.randomUUID()}`;
    const { kv, stats } = rateLimitedKv(env.RULES, { failFirst: 2 });
    await putWithRetry(kv, key, "landed", 5, 10);
    expect(stats.rejected).toBe(2);
    expect(await env.RULES.get(key)).toBe("landed");
  });

  it("errors other than 429 are not retried, and a 429 that never clears gives up", async () => {
    let calls = 0;
    const broken = { put: async () => { calls++; throw new Error("KV PUT failed: 500 Internal Server Error"); } } as unknown as KVNamespace; // prettier-ignore
    await expect(putWithRetry(broken, "k", "v", 5, 10)).rejects.toThrow(/500/);
    expect(calls).toBe(1);
    const { kv, stats } = rateLimitedKv(env.RULES, { failFirst: 100 });
    await expect(putWithRetry(kv, `never:${crypto.randomUUID()}`, "v", 3, 10)).rejects.toThrow(/429/);
    expect(stats.rejected).toBe(3);
  });
});

describe("reading rules for cases (loadRules)", () => {
  it("falls back to the registry when the pointer or the version key is missing or unreadable", async () => {
    const store = await newStore();
    await saveRules(store, sampleRules());
    const doc2 = sampleRules();
    doc2.description = "second";
    await saveRules(store, doc2);

    // Each version is read here for the first time: a version read once is kept parsed in memory.
    await env.RULES.put(versionKey(store.storeId, 2), JSON.stringify({ version: 2, document: { policies: "garbage" } }));
    expect(await loadRules(env, store.storeId, 2)).toMatchObject({ version: 2, source: "registry", document: { description: "second" } });

    await env.RULES.delete(pointerKey(store.storeId));
    expect(await loadRules(env, store.storeId)).toMatchObject({ version: 2, source: "registry", document: { description: "second" } });

    await env.RULES.delete(versionKey(store.storeId, 1));
    const pinned = await loadRules(env, store.storeId, 1);
    expect(pinned).toMatchObject({ version: 1, source: "registry", document: { description: "Office 9-18 weekdays" } });
  });

  it("a version read once is served from memory: versions never change, so KV is not asked again", async () => {
    const store = await newStore();
    await saveRules(store, sampleRules());
    expect(await loadRules(env, store.storeId, 1)).toMatchObject({ version: 1, source: "kv" });
    await env.RULES.put(versionKey(store.storeId, 1), JSON.stringify({ version: 1, document: { policies: "garbage" } }));
    expect(await loadRules(env, store.storeId, 1)).toMatchObject({ version: 1, source: "kv", document: { description: "Office 9-18 weekdays" } });
    // The pointer is still read each time: a new version is seen as soon as KV names it.
    const doc2 = sampleRules();
    doc2.description = "second";
    await saveRules(store, doc2);
    expect(await loadRules(env, store.storeId)).toMatchObject({ version: 2, document: { description: "second" } });
  });

  it("a case pinned to version 1 keeps reading version 1 after version 2 is saved", async () => {
    const store = await newStore();
    await saveRules(store, sampleRules());
    const v2 = sampleRules();
    v2.policies[0]!.targets.firstReply!.byPriority = { urgent: "15m" } as never;
    await saveRules(store, v2);
    const pinned = await loadRules(env, store.storeId, 1);
    expect(pinned.document.policies[0]!.targets.firstReply!.byPriority.urgent).toBe("5m");
    expect((await loadRules(env, store.storeId)).document.policies[0]!.targets.firstReply!.byPriority.urgent).toBe("15m");
  });

  it("version 0 is the built-in starter document; a version that was never saved is an error", async () => {
    const store = await newStore();
    expect(await loadRules(env, store.storeId, 0)).toEqual({ version: 0, document: DEFAULT_RULES, source: "builtin" });
    expect(await loadRules(env, store.storeId)).toMatchObject({ version: 0, source: "registry" });
    await expect(loadRules(env, store.storeId, 7)).rejects.toThrow(/does not exist/);
  });
});

describe("catching up after a failed publish", () => {
  it("a version whose KV key never got written is written on a later read of the rules", async () => {
    const store = await newStore();
    await saveRules(store, sampleRules());
    const stub = env.STORES.getByName(store.storeId);
    // As if KV had been down during the save: the key is missing and the registry knows it.
    await runInDurableObject(stub, async (_instance, state) => {
      state.storage.sql.exec(`UPDATE rule_versions SET kv_written = 0`);
      state.storage.sql.exec(`UPDATE rules_kv_state SET published = 0`);
    });
    await env.RULES.delete(versionKey(store.storeId, 1));
    await env.RULES.delete(pointerKey(store.storeId));

    expect((await getRules(store)).status).toBe(200);
    let written: unknown = null;
    for (let i = 0; i < 100 && written === null; i++) {
      await new Promise((r) => setTimeout(r, 50));
      written = await env.RULES.get(versionKey(store.storeId, 1), "json");
    }
    expect(written).toMatchObject({ version: 1 });
    let pointer: unknown = null;
    for (let i = 0; i < 100 && pointer === null; i++) {
      await new Promise((r) => setTimeout(r, 50));
      pointer = await env.RULES.get(pointerKey(store.storeId), "json");
    }
    expect(pointer).toEqual({ version: 1 });
    const flags = await runInDurableObject(stub, async (_instance, state) => state.storage.sql.exec<{ kv_written: number }>(`SELECT kv_written FROM rule_versions`).toArray());
    expect(flags).toEqual([{ kv_written: 1 }]);
  });
});
