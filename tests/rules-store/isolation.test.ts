/**
 * Tenant isolation for rules: store A's admin can never read or change store B's rules,
 * versions, audit log or channels, through any rules route, and no response of either store
 * ever contains a channel secret.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { loadRules } from "../../src/rules-store/kv";
import { call } from "../support/api";
import { getRules, newStore, rulesPath, sampleRules, saveRules, SLACK_URL, WEBHOOK_SECRET, ZENDESK_TOKEN, type Store } from "./helpers";

function storeBRules() {
  return {
    description: "store B",
    channels: { ops: { type: "webhook", url: "https://b.example/hook", secret: WEBHOOK_SECRET } },
    policies: [{ name: "B only", targets: { firstReply: { byPriority: { normal: "1h" } } }, notify: ["ops"] }],
  };
}

/** Every rules route of `target`, called with `caller`'s token. */
async function everyRoute(caller: Store, target: Store) {
  const as = { token: caller.adminToken };
  const ev = { provider: "custom", providerEventId: "x1", occurredAt: "2026-03-02T09:00:00Z", caseKey: { type: "ticket", provider: "custom", ticketId: "1" }, kind: "case.opened" };
  return [
    await call("GET", rulesPath(target), as),
    await call("PUT", rulesPath(target), { ...as, body: sampleRules(), headers: { "if-match": '"v1"' } }),
    await call("GET", rulesPath(target, "/versions"), as),
    await call("GET", rulesPath(target, "/versions/1"), as),
    await call("GET", rulesPath(target, "/versions/1/diff?against=0"), as),
    await call("POST", rulesPath(target, "/rollback"), { ...as, body: { version: 0 } }),
    await call("POST", rulesPath(target, "/dry-run"), { ...as, body: { events: [ev] } }),
    await call("GET", rulesPath(target, "/templates"), as),
    await call("GET", `/v1/stores/${target.storeId}/audit`, as),
  ];
}

describe("rules tenant isolation", () => {
  it("store A's token gets the same 401 on every one of store B's rules routes, and B is unchanged", async () => {
    const a = await newStore("A");
    const b = await newStore("B");
    await saveRules(a, sampleRules());
    await saveRules(b, storeBRules());
    const unknown = await call("GET", `/v1/stores/st_0000000000000000/rules`, { token: a.adminToken });
    expect(unknown.status).toBe(401);

    for (const res of await everyRoute(a, b)) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual(unknown.body);
    }
    const bNow = await getRules(b);
    expect(bNow.body.version).toBe(1);
    expect(bNow.body.rules.description).toBe("store B");
    const bAudit = await call("GET", `/v1/stores/${b.storeId}/audit`, { token: b.adminToken });
    expect(bAudit.body.entries).toHaveLength(1);
  });

  it("each store sees only its own rules, versions, audit and channels, in the API and in KV", async () => {
    const a = await newStore("A");
    const b = await newStore("B");
    await saveRules(a, sampleRules());
    await saveRules(b, storeBRules());
    await saveRules(b, { ...storeBRules(), description: "store B, second" });

    const aRules = await getRules(a);
    expect(aRules.body.version).toBe(1);
    expect(Object.keys(aRules.body.rules.channels)).toEqual(["team", "zendesk"]);
    const bRules = await getRules(b);
    expect(Object.keys(bRules.body.rules.channels)).toEqual(["ops"]);

    const aVersions = await call("GET", rulesPath(a, "/versions"), { token: a.adminToken });
    expect(aVersions.body.versions.map((v: { version: number }) => v.version)).toEqual([1, 0]);
    const aAudit = await call("GET", `/v1/stores/${a.storeId}/audit`, { token: a.adminToken });
    expect(aAudit.body.entries.every((e: { actor: string }) => e.actor === a.tokenId)).toBe(true);
    expect(aAudit.body.entries).toHaveLength(1);

    expect((await loadRules(env, a.storeId)).document.description).toBe("Office 9-18 weekdays");
    expect((await loadRules(env, b.storeId)).document.description).toBe("store B, second");
    // A pinned version number means the store's own version, never another store's.
    expect((await loadRules(env, a.storeId, 1)).document.policies[0]!.name).toBe("Urgent chat");
    await expect(loadRules(env, a.storeId, 2)).rejects.toThrow(/does not exist/);
  });

  it("a dry-run in store A runs A's rules even when the events name store B", async () => {
    const a = await newStore("A");
    const b = await newStore("B");
    await saveRules(a, sampleRules());
    await saveRules(b, storeBRules());
    const ev = { storeId: b.storeId, provider: "custom", providerEventId: "e1", occurredAt: "2026-03-02T09:00:00Z", caseKey: { type: "ticket", provider: "custom", ticketId: "1" }, kind: "case.opened", priority: "high" };
    const res = await call("POST", rulesPath(a, "/dry-run"), { token: a.adminToken, body: { events: [ev] } });
    expect(res.status).toBe(200);
    expect(res.body.cases[0].policy.name).toBe("Everything");
    expect(JSON.stringify(res.body)).not.toContain("B only");
  });

  it("no response of either store, success or error, ever contains a channel secret", async () => {
    const a = await newStore("A");
    const b = await newStore("B");
    const responses = [];
    responses.push(await saveRules(a, sampleRules()));
    responses.push(await saveRules(b, storeBRules()));
    const moved = (await getRules(a)).body.rules;
    moved.channels.zendesk.baseUrl = "https://elsewhere.example";
    responses.push(await saveRules(a, moved));
    responses.push(await call("POST", rulesPath(a, "/rollback"), { token: a.adminToken, body: { version: 0 } }));
    responses.push(await call("POST", rulesPath(a, "/rollback"), { token: a.adminToken, body: { version: 1 } }));
    for (const s of [a, b]) {
      responses.push(...(await everyRoute(s, s)));
      responses.push(await call("GET", rulesPath(s, "/versions/2/diff?against=0"), { token: s.adminToken }));
    }
    responses.push(...(await everyRoute(a, b)));
    for (const r of responses) {
      const text = JSON.stringify(r.body) + JSON.stringify([...r.headers]);
      for (const secret of [SLACK_URL, "very-secret-slack-token", ZENDESK_TOKEN, WEBHOOK_SECRET]) expect(text).not.toContain(secret);
    }
    expect(responses.filter((r) => r.status === 200).length).toBeGreaterThan(15);
  });
});
