/**
 * GET / PUT /v1/stores/:storeId/rules through the Worker's real fetch handler: ETags and
 * If-Match, a 400 that lists every problem and saves nothing, write-only secrets, and reads
 * right after a write served by the store's registry.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call } from "../support/api";
import { getRules, newStore, rulesPath, sampleRules, saveRules, SLACK_URL, ZENDESK_TOKEN } from "./helpers";

describe("reading the rules", () => {
  it("a new store has the starter rules as version 0, with an ETag", async () => {
    const store = await newStore();
    const res = await getRules(store);
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).toBe('"v0"');
    expect(res.body.version).toBe(0);
    expect(res.body.rules.policies.map((p: { name: string }) => p.name)).toEqual(["Everything"]);
    expect(res.body.rules.playbook.badRating.enabled).toBe(true);
  });

  it("If-None-Match with the current ETag answers 304", async () => {
    const store = await newStore();
    const res = await call("GET", rulesPath(store), { token: store.adminToken, headers: { "if-none-match": '"v0"' } });
    expect(res.status).toBe(304);
  });
});

describe("saving the rules", () => {
  it("saves a new version, answers with its ETag, and a GET right after shows it (from the registry)", async () => {
    const store = await newStore();
    const saved = await saveRules(store, sampleRules());
    expect(saved.status).toBe(200);
    expect(saved.headers.get("etag")).toBe('"v1"');
    expect(saved.body).toMatchObject({ version: 1, basedOn: 0, action: "update", author: store.tokenId, appliedToOpenCases: false });
    expect(saved.body.changes).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'policies["Urgent chat"]', op: "added" })]));

    const read = await getRules(store);
    expect(read.headers.get("etag")).toBe('"v1"');
    expect(read.body.rules.policies.map((p: { name: string }) => p.name)).toEqual(["Urgent chat", "Everything"]);
    expect(read.body.rules.policies[0].targets.firstReply.byPriority.urgent).toBe("5m");
  });

  it("without If-Match the answer is 428 and nothing is saved; If-Match: * is refused the same way", async () => {
    const store = await newStore();
    const missing = await call("PUT", rulesPath(store), { token: store.adminToken, body: sampleRules() });
    expect(missing.status).toBe(428);
    expect(missing.body.error.code).toBe("precondition_required");
    const star = await call("PUT", rulesPath(store), { token: store.adminToken, body: sampleRules(), headers: { "if-match": "*" } });
    expect(star.status).toBe(428);
    const garbage = await call("PUT", rulesPath(store), { token: store.adminToken, body: sampleRules(), headers: { "if-match": "yesterday" } });
    expect(garbage.status).toBe(400);
    expect(garbage.body.error.code).toBe("bad_if_match");
    expect((await getRules(store)).body.version).toBe(0);
  });

  it("a stale If-Match answers 412 with the current ETag, and the other admin's change survives", async () => {
    const store = await newStore();
    const first = await call("PUT", rulesPath(store), { token: store.adminToken, body: sampleRules(), headers: { "if-match": '"v0"' } });
    expect(first.status).toBe(200);
    const other = sampleRules();
    other.description = "an edit made on version 0";
    const stale = await call("PUT", rulesPath(store), { token: store.adminToken, body: other, headers: { "if-match": '"v0"' } });
    expect(stale.status).toBe(412);
    expect(stale.body.error.code).toBe("precondition_failed");
    expect(stale.body.error.message).toMatch(/version 1 is current/);
    expect(stale.headers.get("etag")).toBe('"v1"');
    const read = await getRules(store);
    expect(read.body.version).toBe(1);
    expect(read.body.rules.description).toBe("Office 9-18 weekdays");
  });

  it("two saves racing on the same version: exactly one wins, the other gets 412", async () => {
    const store = await newStore();
    const a = sampleRules();
    a.description = "A";
    const b = sampleRules();
    b.description = "B";
    const [ra, rb] = await Promise.all([
      call("PUT", rulesPath(store), { token: store.adminToken, body: a, headers: { "if-match": '"v0"' } }),
      call("PUT", rulesPath(store), { token: store.adminToken, body: b, headers: { "if-match": '"v0"' } }),
    ]);
    expect([ra.status, rb.status].sort()).toEqual([200, 412]);
    const winner = ra.status === 200 ? "A" : "B";
    const read = await getRules(store);
    expect(read.body.version).toBe(1);
    expect(read.body.rules.description).toBe(winner);
  });

  it("an invalid document answers 400 with every problem, and nothing is saved", async () => {
    const store = await newStore();
    const doc = sampleRules() as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    doc.policies[0].targets.firstReply.calendar = "Offfice";
    doc.policies[0].targets.firstReply.warnings = ["10m"];
    doc.policies[0].notify = ["team", "lead"];
    doc.policies[1].name = "URGENT CHAT";
    doc.policies[1].targets.firstReply.byPriority.normal = "four hours";
    doc.channels.extra = { type: "slack" };
    doc.quietHourz = {};
    const res = await saveRules(store, doc);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_rules");
    expect(res.body.error.message).toMatch(/nothing was saved/);
    const paths = res.body.error.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "policies[0].targets.firstReply.calendar",
        "policies[0].targets.firstReply.warnings[0]",
        "policies[0].notify[1]",
        "policies[1].name",
        "policies[1].targets.firstReply.byPriority.normal",
        "channels.extra.webhookUrl",
        "quietHourz",
      ]),
    );
    expect((await getRules(store)).body.version).toBe(0);
    const versions = await call("GET", rulesPath(store, "/versions"), { token: store.adminToken });
    expect(versions.body.versions.map((v: { version: number }) => v.version)).toEqual([0]);
  });

  it("a body that is not JSON, not an object, or absurdly nested is a 4xx and saves nothing", async () => {
    const store = await newStore();
    const headers = { "if-match": '"v0"' };
    const notJson = await call("PUT", rulesPath(store), { token: store.adminToken, rawBody: "{policies:", headers: { ...headers, "content-type": "application/json" } });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.code).toBe("invalid_json");
    const text = await call("PUT", rulesPath(store), { token: store.adminToken, rawBody: "hello", headers: { ...headers, "content-type": "text/plain" } });
    expect(text.status).toBe(415);
    const array = await call("PUT", rulesPath(store), { token: store.adminToken, body: [], headers });
    expect(array.status).toBe(400);
    const deep = await call("PUT", rulesPath(store), { token: store.adminToken, rawBody: `{"description":${"[".repeat(5000)}${"]".repeat(5000)}}`, headers: { ...headers, "content-type": "application/json" } });
    expect(deep.status).toBe(400);
    expect((await getRules(store)).body.version).toBe(0);
  });

  it("a calendar named __proto__ in raw JSON is reported, not silently dropped", async () => {
    const store = await newStore();
    const raw = `{"calendars":{"__proto__":{"timeZone":"Europe/Istanbul","week":{"mon":[["09:00","18:00"]]}}}}`;
    const res = await call("PUT", rulesPath(store), { token: store.adminToken, rawBody: raw, headers: { "if-match": '"v0"', "content-type": "application/json" } });
    expect(res.status).toBe(400);
    expect(res.body.error.issues.map((i: { path: string }) => i.path)).toContain("calendars.__proto__");
  });

  it("applyToOpenCases=true is recorded on the version and the answer says how many open cases moved", async () => {
    const store = await newStore();
    const res = await saveRules(store, sampleRules(), "?applyToOpenCases=true&summary=Urgent%20chat%20gets%205%20minutes");
    expect(res.status).toBe(200);
    expect(res.body.appliedToOpenCases).toBe(true);
    expect(res.body.summary).toBe("Urgent chat gets 5 minutes");
    expect(res.body.openCases).toEqual({ moved: 0 });
    const plain = await saveRules(store, { ...sampleRules(), description: "again" });
    expect(plain.body.appliedToOpenCases).toBe(false);
    expect(plain.body.openCases).toBeUndefined();
    const bad = await saveRules(store, sampleRules(), "?applyToOpenCases=maybe");
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0].path).toBe("query.applyToOpenCases");
  });
});

describe("write-only channel secrets", () => {
  it("never come back: PUT answer, GET, versions and diff show the mask", async () => {
    const store = await newStore();
    const saved = await saveRules(store, sampleRules());
    const reads = [
      saved,
      await getRules(store),
      await call("GET", rulesPath(store, "/versions/1"), { token: store.adminToken }),
      await call("GET", rulesPath(store, "/versions/1/diff"), { token: store.adminToken }),
      await call("GET", `/v1/stores/${store.storeId}/audit`, { token: store.adminToken }),
    ];
    for (const r of reads) {
      expect(r.status).toBe(200);
      const text = JSON.stringify(r.body);
      expect(text).not.toContain(SLACK_URL);
      expect(text).not.toContain("very-secret-slack-token");
      expect(text).not.toContain(ZENDESK_TOKEN);
    }
    expect(reads[1]!.body.rules.channels.team.webhookUrl).toBe("********");
  });

  it("sending the mask back keeps the stored secret; a new destination requires the secret again", async () => {
    const store = await newStore();
    await saveRules(store, sampleRules());
    const fetched = (await getRules(store)).body.rules;
    fetched.policies[1].targets.firstReply.byPriority.normal = "3h";
    const kept = await saveRules(store, fetched);
    expect(kept.status).toBe(200);
    const stored = await env.STORES.getByName(store.storeId).rulesRead();
    expect(stored!.document.channels.team).toEqual({ type: "slack", webhookUrl: SLACK_URL });
    expect(stored!.document.channels.zendesk).toMatchObject({ apiToken: ZENDESK_TOKEN });

    const moved = (await getRules(store)).body.rules;
    moved.channels.zendesk.baseUrl = "https://elsewhere.example";
    const refused = await saveRules(store, moved);
    expect(refused.status).toBe(400);
    expect(refused.body.error.issues).toEqual([{ path: "channels.zendesk.apiToken", message: expect.stringMatching(/points somewhere else/) }]);
    expect((await getRules(store)).body.version).toBe(2);
  });
});
