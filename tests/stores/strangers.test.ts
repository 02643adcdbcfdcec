/**
 * Anyone can name a store id: an unsigned webhook to /hooks/st_…, a forged admin token. Naming
 * one must not create anything: the registry object for it keeps no tables, so nobody can make
 * us store (and pay for) data for stores that do not exist.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call } from "../support/api";

const tablesOf = (storeId: string) =>
  runInDurableObject(env.STORES.getByName(storeId), (_i, state) => state.storage.sql.exec<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table'`).toArray().map((r) => r.name));

describe("requests naming a store that does not exist", () => {
  it("answer as unknown and leave no storage behind", async () => {
    const ghost = `st_${"ab".repeat(8)}`;
    const hook = await call("POST", `/hooks/${ghost}/zendesk`, { rawBody: "{}", headers: { "content-type": "application/json" } });
    // The same answer an unsigned delivery to a real store gets (docs/security.md).
    expect(hook.status).toBe(401);
    const admin = await call("GET", `/v1/stores/${ghost}`, { token: `prm.0123456789abcdef.${"a".repeat(43)}` });
    expect(admin.status).toBe(401);
    expect(await tablesOf(ghost)).toEqual([]);
  });

  it("a real store still gets its tables when it is created", async () => {
    const created = await call("POST", "/v1/stores", { token: "test-operator-token", body: { name: "Real" } });
    expect(created.status).toBe(201);
    expect(await tablesOf(created.body.storeId)).toEqual(expect.arrayContaining(["store", "admin_tokens", "providers", "rule_versions", "deliveries", "case_index"]));
  });
});
