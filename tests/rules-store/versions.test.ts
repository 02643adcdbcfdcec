/**
 * The history an admin relies on to undo a mistake: the version list (who, when, what), one
 * version, the readable diff between two, rollback as a new version, and the audit log.
 */
import { describe, expect, it } from "vitest";
import { call } from "../support/api";
import { getRules, newStore, rulesPath, sampleRules, saveRules, type Store } from "./helpers";

async function issueSecondToken(store: Store): Promise<Store> {
  const res = await call("POST", `/v1/stores/${store.storeId}/tokens`, { token: store.adminToken, body: { label: "second admin" } });
  expect(res.status).toBe(201);
  return { ...store, adminToken: res.body.adminToken, tokenId: res.body.tokenId };
}

/** v1 = sample; v2 = urgent chat target 5m → 3m (by a second admin); v3 = a new policy at the top. */
async function storeWithHistory() {
  const store = await newStore();
  const second = await issueSecondToken(store);
  expect((await saveRules(store, sampleRules())).status).toBe(200);
  const v2 = sampleRules();
  v2.policies[0]!.targets.firstReply!.byPriority = { urgent: "3m" } as never;
  v2.policies[0]!.targets.firstReply!.warnings = ["1m"];
  expect((await saveRules(second, v2, "?summary=Tighter%20urgent%20chat")).status).toBe(200);
  const v3 = structuredClone(v2) as ReturnType<typeof sampleRules>;
  v3.policies.unshift({ name: "VIP", when: { segmentTags: ["vip"] }, targets: { firstReply: { calendar: "24/7", byPriority: { normal: "1h" } as never, warnings: [] } }, notify: ["team"] } as never);
  expect((await saveRules(store, v3)).status).toBe(200);
  return { store, second };
}

describe("version list", () => {
  it("lists versions newest first with author token id, time and summary, starter rules last", async () => {
    const { store, second } = await storeWithHistory();
    const res = await call("GET", rulesPath(store, "/versions"), { token: store.adminToken });
    expect(res.status).toBe(200);
    expect(res.body.current).toBe(3);
    expect(res.body.versions.map((v: { version: number }) => v.version)).toEqual([3, 2, 1, 0]);
    const [v3, v2, v1, v0] = res.body.versions;
    expect(v2).toMatchObject({ author: second.tokenId, summary: "Tighter urgent chat", basedOn: 1, action: "update" });
    expect(v3.author).toBe(store.tokenId);
    expect(v3.summary).toMatch(/policies\["VIP"\] added/);
    expect(v1.author).toBe(store.tokenId);
    expect(v0).toMatchObject({ version: 0, action: "default" });
    for (const v of [v3, v2, v1]) expect(Date.parse(v.createdAt)).toBeGreaterThan(Date.parse("2020-01-01"));
    expect(v0).not.toHaveProperty("document");
    expect(res.body.nextBefore).toBeNull();
  });

  it("pages with limit and before", async () => {
    const { store } = await storeWithHistory();
    const first = await call("GET", rulesPath(store, "/versions?limit=2"), { token: store.adminToken });
    expect(first.body.versions.map((v: { version: number }) => v.version)).toEqual([3, 2]);
    expect(first.body.nextBefore).toBe(2);
    const next = await call("GET", rulesPath(store, `/versions?limit=2&before=${first.body.nextBefore}`), { token: store.adminToken });
    expect(next.body.versions.map((v: { version: number }) => v.version)).toEqual([1, 0]);
    const bad = await call("GET", rulesPath(store, "/versions?limit=1000"), { token: store.adminToken });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0].path).toBe("query.limit");
  });

  it("reads one version, 404 for one that does not exist, 400 for one that is not a number", async () => {
    const { store } = await storeWithHistory();
    const v2 = await call("GET", rulesPath(store, "/versions/2"), { token: store.adminToken });
    expect(v2.status).toBe(200);
    expect(v2.body.version).toBe(2);
    expect(v2.body.rules.policies[0].targets.firstReply.byPriority).toEqual({ urgent: "3m" });
    const v0 = await call("GET", rulesPath(store, "/versions/0"), { token: store.adminToken });
    expect(v0.body.rules.policies[0].name).toBe("Everything");
    expect((await call("GET", rulesPath(store, "/versions/9"), { token: store.adminToken })).status).toBe(404);
    expect((await call("GET", rulesPath(store, "/versions/latest"), { token: store.adminToken })).status).toBe(400);
  });
});

describe("diff between versions", () => {
  it("by default shows what a version changed compared to the one it replaced, in readable lines", async () => {
    const { store } = await storeWithHistory();
    const res = await call("GET", rulesPath(store, "/versions/2/diff"), { token: store.adminToken });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ from: 1, to: 2 });
    expect(res.body.changes).toEqual([
      { path: 'policies["Urgent chat"].targets.firstReply.byPriority.urgent', op: "changed", from: "5m", to: "3m" },
      { path: 'policies["Urgent chat"].targets.firstReply.warnings', op: "changed", from: ["2m"], to: ["1m"] },
    ]);
    expect(res.body.lines).toEqual([
      '~ policies["Urgent chat"].targets.firstReply.byPriority.urgent: "5m" → "3m"',
      '~ policies["Urgent chat"].targets.firstReply.warnings: ["2m"] → ["1m"]',
    ]);
  });

  it("against any other version, policies matched by name (a new policy on top is one addition that says where it sits)", async () => {
    const { store } = await storeWithHistory();
    const res = await call("GET", rulesPath(store, "/versions/3/diff?against=1"), { token: store.adminToken });
    expect(res.body.from).toBe(1);
    const paths = res.body.changes.map((c: { path: string }) => c.path);
    expect(paths).toContain('policies["VIP"]');
    expect(paths).toContain('policies["Urgent chat"].targets.firstReply.byPriority.urgent');
    expect(res.body.changes.find((c: { path: string }) => c.path === 'policies["VIP"]').note).toBe('inserted at policies[0], checked before "Urgent chat"');
    // The kept policies did not move relative to each other, so there is no order-change entry.
    expect(paths).not.toContain("policies");
    expect(paths.some((p: string) => p.startsWith('policies["Everything"]'))).toBe(false);
    expect((await call("GET", rulesPath(store, "/versions/3/diff?against=7"), { token: store.adminToken })).status).toBe(404);
  });
});

describe("rollback", () => {
  it("creates a new version equal to the chosen one, and the current rules become it", async () => {
    const { store } = await storeWithHistory();
    const res = await call("POST", rulesPath(store, "/rollback"), { token: store.adminToken, body: { version: 1 } });
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).toBe('"v4"');
    expect(res.body).toMatchObject({ version: 4, basedOn: 3, action: "rollback", summary: "rolled back to version 1", author: store.tokenId });
    const v1 = await call("GET", rulesPath(store, "/versions/1"), { token: store.adminToken });
    const now = await getRules(store);
    expect(now.body.version).toBe(4);
    expect(now.body.rules).toEqual(v1.body.rules);
    const diff = await call("GET", rulesPath(store, "/versions/4/diff?against=1"), { token: store.adminToken });
    expect(diff.body.changes).toEqual([]);
    const history = await call("GET", rulesPath(store, "/versions"), { token: store.adminToken });
    expect(history.body.versions.map((v: { version: number }) => v.version)).toEqual([4, 3, 2, 1, 0]);
  });

  it("keeps channel secrets as they were in that version (the rolled-back rules still deliver)", async () => {
    const store = await newStore();
    await saveRules(store, sampleRules());
    const noChannels = { ...sampleRules(), channels: {}, policies: [], playbook: {}, quietHours: undefined };
    expect((await saveRules(store, noChannels)).status).toBe(200);
    const res = await call("POST", rulesPath(store, "/rollback"), { token: store.adminToken, body: { version: 1 } });
    expect(res.status).toBe(200);
    expect(res.body.rules.channels.team.webhookUrl).toBe("********");
    // A PUT of the fetched document (masks included) works: the secrets are stored again.
    const fetched = (await getRules(store)).body.rules;
    expect((await saveRules(store, fetched)).status).toBe(200);
  });

  it("rolls back to the starter rules (version 0), and rollback of a missing version is 404", async () => {
    const { store } = await storeWithHistory();
    const res = await call("POST", rulesPath(store, "/rollback"), { token: store.adminToken, body: { version: 0 } });
    expect(res.status).toBe(200);
    expect(res.body.rules.policies.map((p: { name: string }) => p.name)).toEqual(["Everything"]);
    const missing = await call("POST", rulesPath(store, "/rollback"), { token: store.adminToken, body: { version: 42 } });
    expect(missing.status).toBe(404);
    expect((await getRules(store)).body.version).toBe(4);
  });

  it("honours If-Match when sent: a stale one is 412 and nothing changes", async () => {
    const { store } = await storeWithHistory();
    const stale = await call("POST", rulesPath(store, "/rollback"), { token: store.adminToken, body: { version: 1 }, headers: { "if-match": '"v2"' } });
    expect(stale.status).toBe(412);
    expect(stale.headers.get("etag")).toBe('"v3"');
    const fresh = await call("POST", rulesPath(store, "/rollback"), { token: store.adminToken, body: { version: 1 }, headers: { "if-match": '"v3"' } });
    expect(fresh.status).toBe(200);
    const badBody = await call("POST", rulesPath(store, "/rollback"), { token: store.adminToken, body: { version: "one" } });
    expect(badBody.status).toBe(400);
    expect(badBody.body.error.issues[0].path).toBe("version");
  });
});

describe("audit log", () => {
  it("records who changed what, when, from which version to which, newest first", async () => {
    const { store, second } = await storeWithHistory();
    await call("POST", rulesPath(store, "/rollback"), { token: store.adminToken, body: { version: 1 } });
    const res = await call("GET", `/v1/stores/${store.storeId}/audit`, { token: store.adminToken });
    expect(res.status).toBe(200);
    const entries = res.body.entries;
    expect(entries.map((e: { action: string }) => e.action)).toEqual(["rules.rollback", "rules.update", "rules.update", "rules.update"]);
    expect(entries.map((e: { fromVersion: number; toVersion: number }) => [e.fromVersion, e.toVersion])).toEqual([
      [3, 4],
      [2, 3],
      [1, 2],
      [0, 1],
    ]);
    expect(entries[2]).toMatchObject({ actor: second.tokenId, summary: "Tighter urgent chat", subject: "rules" });
    expect(entries[2].changes).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'policies["Urgent chat"].targets.firstReply.byPriority.urgent', from: "5m", to: "3m" })]));
    expect(entries[0]).toMatchObject({ actor: store.tokenId, summary: "rolled back to version 1" });
    expect(Date.parse(entries[0].at)).toBeGreaterThanOrEqual(Date.parse(entries[3].at));
  });

  it("a rejected save leaves no audit entry; the log pages with before", async () => {
    const { store } = await storeWithHistory();
    await saveRules(store, { policies: "nope" });
    await call("PUT", rulesPath(store), { token: store.adminToken, body: sampleRules(), headers: { "if-match": '"v1"' } });
    const all = await call("GET", `/v1/stores/${store.storeId}/audit`, { token: store.adminToken });
    expect(all.body.entries).toHaveLength(3);
    const page = await call("GET", `/v1/stores/${store.storeId}/audit?limit=2`, { token: store.adminToken });
    expect(page.body.entries).toHaveLength(2);
    const rest = await call("GET", `/v1/stores/${store.storeId}/audit?limit=2&before=${page.body.nextBefore}`, { token: store.adminToken });
    expect(rest.body.entries.map((e: { toVersion: number }) => e.toVersion)).toEqual([1]);
  });
});
