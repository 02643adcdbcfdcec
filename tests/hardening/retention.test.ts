/**
 * Issue 22, item 3: old rules versions are pruned by a retention setting, which keeps the current
 * version, every version a case is pinned to, and the last N.
 */
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call } from "../support/api";
import { rulesPath, saveRules } from "../rules-store/helpers";
import { connect } from "../webhooks/intake-harness";
import { versionKey } from "../../src/rules-store/kv";

const doc = (n: number) => ({ description: `version ${n}` });

/** Makes every stored version look saved an hour ago (past the retention grace). */
async function ageVersions(storeId: string): Promise<void> {
  await runInDurableObject(env.STORES.getByName(storeId), async (_i, state) => {
    state.storage.sql.exec(`UPDATE rule_versions SET created_at = created_at - 3600000`);
  });
}

async function pinsOf(storeId: string): Promise<number[]> {
  return runInDurableObject(env.STORES.getByName(storeId), async (_i, state) =>
    state.storage.sql.exec<{ version: number }>(`SELECT version FROM case_rule_pins ORDER BY version`).toArray().map((r) => r.version),
  );
}

describe("rules version retention", () => {
  it("keeps the current version, the pinned one and the last N; prunes the rest from the registry and KV, audited", async () => {
    const hook = await connect("custom");
    const store = { storeId: hook.storeId, adminToken: hook.adminToken, tokenId: "" };
    expect((await saveRules(store, doc(1))).status).toBe(200);
    expect((await saveRules(store, doc(2))).status).toBe(200);
    // A case opened now is pinned to version 2.
    const raw = JSON.stringify({ occurredAt: new Date().toISOString(), caseKey: { type: "ticket", ticketId: "R-1" }, kind: "case.opened", subject: "pinned" });
    expect((await hook.send(raw, { deliveryId: "msg_retention_1" })).status).toBe(202);
    expect(await pinsOf(hook.storeId)).toEqual([2]);
    for (let n = 3; n <= 6; n++) expect((await saveRules(store, doc(n))).status).toBe(200);

    expect((await call("GET", rulesPath(store, "/retention"), { token: store.adminToken })).body).toEqual({ keepLast: null });
    // Just superseded versions are kept for a grace period (a new case may still be given one).
    const early = await call("PUT", rulesPath(store, "/retention"), { token: store.adminToken, body: { keepLast: 2 } });
    expect(early.status).toBe(200);
    expect(early.body.pruned).toEqual([]);

    await ageVersions(hook.storeId);
    // The next save prunes: current 7, last two (6, 7), pinned 2 stay.
    expect((await saveRules(store, doc(7))).status).toBe(200);
    const versions = await call("GET", rulesPath(store, "/versions?limit=100"), { token: store.adminToken });
    expect((versions.body.versions as { version: number }[]).map((v) => v.version)).toEqual([7, 6, 2, 0]);
    for (const gone of [1, 3, 4, 5]) {
      expect((await call("GET", rulesPath(store, `/versions/${gone}`), { token: store.adminToken })).status).toBe(404);
      expect(await env.RULES.get(versionKey(hook.storeId, gone))).toBeNull();
    }
    expect((await call("GET", rulesPath(store, "/versions/2"), { token: store.adminToken })).status).toBe(200);
    // The pinned case still reads its version.
    expect((await hook.readCase("ticket:custom:R-1")).status).toBe(200);
    const audit = await call("GET", `/v1/stores/${hook.storeId}/audit?limit=1`, { token: store.adminToken });
    expect(audit.body.entries[0]).toMatchObject({ action: "rules.prune", summary: "pruned 4 old version(s) (keep last 2): 1, 3, 4, 5" });
  });

  it("waits while an indexed case has not reported its pins, and refuses a bad setting", async () => {
    const hook = await connect("custom");
    const store = { storeId: hook.storeId, adminToken: hook.adminToken, tokenId: "" };
    for (let n = 1; n <= 4; n++) expect((await saveRules(store, doc(n))).status).toBe(200);
    const raw = JSON.stringify({ occurredAt: new Date().toISOString(), caseKey: { type: "ticket", ticketId: "R-2" }, kind: "case.opened" });
    expect((await hook.send(raw, { deliveryId: "msg_retention_2" })).status).toBe(202);
    // As a case object from before pins were pushed.
    await runInDurableObject(env.STORES.getByName(hook.storeId), async (_i, state) => {
      state.storage.sql.exec(`DELETE FROM case_rule_pins`);
    });
    await ageVersions(hook.storeId);
    const res = await call("PUT", rulesPath(store, "/retention"), { token: store.adminToken, body: { keepLast: 1 } });
    expect(res.status).toBe(200);
    expect(res.body.pruned).toEqual([]);
    expect(res.body.waiting).toContain("not reported");
    const bad = await call("PUT", rulesPath(store, "/retention"), { token: store.adminToken, body: { keepLast: 0 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0].path).toBe("keepLast");
  });
});
