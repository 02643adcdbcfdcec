/**
 * Issue 22, items 1 and 10: a rules document is bounded (every collection and the whole
 * document), and prototype-named keys are refused with a path and a message on every admin body.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call } from "../support/api";
import { getRules, newStore, rulesPath, sampleRules, saveRules, type Store } from "../rules-store/helpers";

type Issue = { path: string; message: string };

function holidays(n: number): string[] {
  const out: string[] = [];
  const start = Date.UTC(2000, 0, 1);
  for (let i = 0; i < n; i++) out.push(new Date(start + (i % 20_000) * 86_400_000).toISOString().slice(0, 10));
  return out;
}

const office = (extra: Record<string, unknown> = {}) => ({ timeZone: "Europe/Istanbul", week: { mon: [["09:00", "18:00"]] }, ...extra });

describe("caps on the rules document", () => {
  it("refuses the 650 KB calendar of 50,000 holidays with 400 at the root, saves nothing, and keeps answering", async () => {
    const store = await newStore();
    const body = JSON.stringify({ calendars: { Office: office({ holidays: holidays(50_000) }) } });
    expect(body.length).toBeGreaterThan(600_000);
    const res = await call("PUT", rulesPath(store), { token: store.adminToken, rawBody: body, headers: { "if-match": '"v0"', "content-type": "application/json" } });
    expect(res.status).toBe(400);
    expect(res.body.error.issues).toEqual([{ path: "(root)", message: "at most 262144 bytes (256 KB)" }]);
    expect((await env.STORES.getByName(store.storeId).rulesVersions(1)).current).toBe(0);
    // The runtime still answers, and the same store still saves a normal document.
    expect((await getRules(store)).status).toBe(200);
    expect((await saveRules(store, sampleRules())).status).toBe(200);
  });

  it("names the path and the limit for each collection over its cap", async () => {
    const store = await newStore();
    const calendars: Record<string, unknown> = { Big: office({ holidays: holidays(1001), closures: [], openings: [] }) };
    for (let i = 0; i < 50; i++) calendars[`c${i}`] = office();
    const channels: Record<string, unknown> = {};
    for (let i = 0; i < 51; i++) channels[`ch${i}`] = { type: "webhook", url: "https://example.com/hook", secret: "s" };
    const res = await saveRules(store, {
      calendars,
      channels,
      policies: [{ name: "P", when: { tags: { any: Array.from({ length: 101 }, (_, i) => `t${i}`) }, priorities: Array(31).fill("low") }, notify: Object.keys(channels) }],
    });
    expect(res.status).toBe(400);
    const issues = res.body.error.issues as Issue[];
    const at = (path: string) => issues.find((i) => i.path === path)?.message ?? "";
    expect(at("calendars.Big.holidays")).toContain("1000");
    expect(at("calendars")).toContain("at most 50 calendars");
    expect(at("channels")).toContain("at most 50 channels");
    expect(at("policies[0].when.tags.any")).toContain("100");
    expect(at("policies[0].when.priorities")).toContain("30");
    expect(at("policies[0].notify")).toContain("50");
    expect((await env.STORES.getByName(store.storeId).rulesVersions(1)).current).toBe(0);
  });

  it("accepts a document at the caps (1,000 holidays in one calendar)", async () => {
    const store = await newStore();
    const res = await saveRules(store, { calendars: { Office: office({ holidays: holidays(1000) }) } });
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
  });

  it("refuses a day with more hour intervals than the cap without comparing them pairwise", async () => {
    const store = await newStore();
    const many = Array.from({ length: 5_000 }, () => ["09:00", "10:00"]);
    const res = await saveRules(store, { calendars: { Office: { timeZone: "UTC", week: { mon: many } } } });
    expect(res.status).toBe(400);
    expect((res.body.error.issues as Issue[]).find((i) => i.path === "calendars.Office.week.mon")?.message).toContain("24");
  });
});

describe("prototype keys in admin bodies", () => {
  const put = (store: Store, raw: string) =>
    call("PUT", rulesPath(store), { token: store.adminToken, rawBody: raw, headers: { "if-match": '"v0"', "content-type": "application/json" } });

  it('PUT /rules with a top-level "__proto__" answers 400 with its path, not 500', async () => {
    const store = await newStore();
    const res = await put(store, '{"__proto__":{}}');
    expect(res.status).toBe(400);
    expect(res.body.error.issues).toEqual([{ path: "__proto__", message: '"__proto__" is not allowed as a field or name' }]);
    expect((await env.STORES.getByName(store.storeId).rulesVersions(1)).current).toBe(0);
  });

  for (const key of ["toString", "constructor", "hasOwnProperty", "valueOf"]) {
    it(`{"${key}":{}} answers 400 with a message naming the field`, async () => {
      const store = await newStore();
      const res = await put(store, `{"${key}":{}}`);
      expect(res.status).toBe(400);
      expect(res.body.error.issues).toEqual([{ path: key, message: `unknown field "${key}"` }]);
    });
  }

  it('a dry-run with {"rules":{"__proto__":{}}} answers 400 with a string message', async () => {
    const store = await newStore();
    const res = await call("POST", rulesPath(store, "/dry-run"), {
      token: store.adminToken,
      rawBody: '{"rules":{"__proto__":{}},"events":[]}',
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.issues).toEqual([{ path: "rules.__proto__", message: '"__proto__" is not allowed as a field or name' }]);
  });

  it("PUT providers with a __proto__ key answers 400 instead of dropping it", async () => {
    const store = await newStore();
    const res = await call("PUT", `/v1/stores/${store.storeId}/providers/custom`, {
      token: store.adminToken,
      rawBody: '{"secrets":["whsec_c2VjcmV0LXNpZ25pbmcta2V5LW5vYm9keS1zaG91bGQtc2Vl"],"__proto__":{"toleranceSeconds":1}}',
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.issues).toEqual([{ path: "__proto__", message: '"__proto__" is not allowed as a field or name' }]);
    expect((await call("GET", `/v1/stores/${store.storeId}/providers`, { token: store.adminToken })).body.providers ?? []).toEqual([]);
  });

  it("a calendar named toString is a new calendar in the diff, not a change from Object.prototype", async () => {
    const store = await newStore();
    const res = await saveRules(store, { calendars: { toString: office() } });
    expect(res.status).toBe(200);
    expect(res.body.changes).toContainEqual(expect.objectContaining({ path: "calendars.toString", op: "added" }));
  });
});
