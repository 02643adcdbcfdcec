/**
 * Console sessions: the store id and admin token are traded for an HttpOnly cookie that store
 * routes accept in place of the bearer token; writes made with the cookie must come from the
 * API's own origin; revoking the token or signing out ends the session; wrong credentials get the
 * bad-token 401 and count toward the same limit.
 */
import { describe, expect, it } from "vitest";
import { SessionBody } from "../../src/http/session-schema";
import { STORE_ID_PATTERN } from "../../src/stores/tokens";
import { call, createStore } from "../support/api";

const ORIGIN = "http://promptly.test";
const hex = () => Math.floor(Math.random() * 0x10000).toString(16);

async function signIn(storeId: string, token: string, headers: Record<string, string> = {}) {
  const res = await call("POST", "/v1/session", { body: { storeId, token }, headers: { origin: ORIGIN, ...headers } });
  const setCookie = res.headers.get("set-cookie") ?? "";
  const cookie = /^(promptly_session=[^;]*)/.exec(setCookie)?.[1] ?? "";
  return { ...res, setCookie, cookie };
}

describe("console sessions", () => {
  it("signs in with the store id and admin token, and the cookie then opens the store's routes", async () => {
    const store = await createStore("Session shop");
    const session = await signIn(store.storeId, store.adminToken);
    expect(session.status).toBe(200);
    expect(session.body).toMatchObject({ storeId: store.storeId, storeName: "Session shop", tokenId: store.tokenId });
    expect(Date.parse(session.body.expiresAt) - Date.now()).toBeGreaterThan(11.9 * 3_600_000);
    // The answer never carries the token back, and the cookie is out of scripts' reach.
    expect(JSON.stringify(session.body)).not.toContain(store.adminToken);
    expect(session.setCookie).toMatch(new RegExp(`^promptly_session=${store.storeId}\\.[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200; Secure$`));

    const who = await call("GET", "/v1/session", { headers: { cookie: session.cookie } });
    expect(who.status).toBe(200);
    expect(who.body).toMatchObject({ storeId: store.storeId, tokenId: store.tokenId });

    const read = await call("GET", `/v1/stores/${store.storeId}`, { headers: { cookie: session.cookie } });
    expect(read.status).toBe(200);
    expect(read.body.name).toBe("Session shop");
  });

  it("leaves Secure off only on localhost, where the console is served over plain HTTP", async () => {
    const store = await createStore();
    const { exports } = await import("cloudflare:workers");
    const res = await exports.default.fetch(
      new Request("http://127.0.0.1:8787/v1/session", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ storeId: store.storeId, token: store.adminToken }) }),
    );
    expect(res.status).toBe(200);
    const setCookie = res.headers.get("set-cookie") ?? "";
    expect(setCookie).toContain("HttpOnly; SameSite=Strict; Path=/; Max-Age=43200");
    expect(setCookie).not.toContain("Secure");
  });

  it("answers wrong credentials with the same 401 as a bad bearer token, and keeps no session", async () => {
    const store = await createStore();
    const other = await createStore();
    const bearer = await call("GET", `/v1/stores/${store.storeId}`, { token: other.adminToken });
    for (const token of [other.adminToken, `${store.adminToken.slice(0, -1)}x`, "not-a-token"]) {
      const res = await signIn(store.storeId, token);
      expect(res.status).toBe(401);
      expect(res.body).toEqual(bearer.body);
      expect(res.setCookie).toBe("");
    }
    const unknownStore = await signIn(`st_${"ab".repeat(8)}`, store.adminToken);
    expect(unknownStore.status).toBe(401);
    expect(unknownStore.body).toEqual(bearer.body);

    const badBody = await call("POST", "/v1/session", { body: { storeId: "shop-1" } });
    expect(badBody.status).toBe(400);
    expect(badBody.body.error.issues.map((i: { path: string }) => i.path).sort()).toEqual(["storeId", "token"]);
  });

  it("counts wrong sign-ins toward the admin-token limit of that store", async () => {
    const store = await createStore();
    const client = `2001:db8:${hex()}:${hex()}::1`;
    let limited: Awaited<ReturnType<typeof signIn>> | null = null;
    for (let i = 0; i < 45 && !limited; i++) {
      const res = await signIn(store.storeId, "prm.0000000000000000.wrongwrongwrongwrongwrongwrongwrongwrongwro", { "cf-connecting-ip": client });
      if (res.status === 429) limited = res;
      else expect(res.status).toBe(401);
    }
    expect(limited?.body.error.code).toBe("rate_limited");
    // Locked out for wrong tokens only: a further wrong one is 429, while the right token from
    // that address still signs in and still works on the bearer route (docs/security.md: a
    // request that proves itself is let through, so a lockout never blocks the store's admin).
    expect((await signIn(store.storeId, "prm.0000000000000000.wrongwrongwrongwrongwrongwrongwrongwrongwro", { "cf-connecting-ip": client })).status).toBe(429);
    expect((await signIn(store.storeId, store.adminToken, { "cf-connecting-ip": client })).status).toBe(200);
    expect((await call("GET", `/v1/stores/${store.storeId}`, { token: store.adminToken, headers: { "cf-connecting-ip": client } })).status).toBe(200);
  });

  it("refuses a cookie on another store's routes, like a token of another store", async () => {
    const store = await createStore();
    const other = await createStore();
    const session = await signIn(store.storeId, store.adminToken);
    const res = await call("GET", `/v1/stores/${other.storeId}`, { headers: { cookie: session.cookie } });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("unauthorized");
  });

  it("lets a cookie change things only from the API's own origin", async () => {
    const store = await createStore();
    const session = await signIn(store.storeId, store.adminToken);
    const path = `/v1/stores/${store.storeId}/tokens`;

    for (const origin of ["https://evil.example", "null", undefined]) {
      const res = await call("POST", path, { body: { label: "stolen" }, headers: { cookie: session.cookie, ...(origin ? { origin } : {}) } });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: { code: "cross_origin", message: expect.stringContaining("must come from the console itself") } });
    }
    // Nothing was issued by the refused requests.
    const before = (await call("GET", `/v1/stores/${store.storeId}`, { token: store.adminToken })).body.adminTokens.length;
    expect(before).toBe(1);

    const same = await call("POST", path, { body: { label: "from the console" }, headers: { cookie: session.cookie, origin: ORIGIN } });
    expect(same.status).toBe(201);
    // Reads need no Origin: a GET changes nothing.
    expect((await call("GET", `/v1/stores/${store.storeId}`, { headers: { cookie: session.cookie } })).status).toBe(200);
    // The bearer token is not a browser credential: no Origin needed.
    expect((await call("POST", path, { token: store.adminToken, body: { label: "script" } })).status).toBe(201);
  });

  it("ends the session on sign-out", async () => {
    const store = await createStore();
    const session = await signIn(store.storeId, store.adminToken);
    const crossSite = await call("DELETE", "/v1/session", { headers: { cookie: session.cookie, origin: "https://evil.example" } });
    expect(crossSite.status).toBe(403);
    expect((await call("GET", "/v1/session", { headers: { cookie: session.cookie } })).status).toBe(200);

    const out = await call("DELETE", "/v1/session", { headers: { cookie: session.cookie, origin: ORIGIN } });
    expect(out.status).toBe(200);
    expect(out.headers.get("set-cookie")).toMatch(/^promptly_session=; HttpOnly; SameSite=Strict; Path=\/; Max-Age=0/);
    expect((await call("GET", "/v1/session", { headers: { cookie: session.cookie } })).status).toBe(401);
    expect((await call("GET", `/v1/stores/${store.storeId}`, { headers: { cookie: session.cookie } })).status).toBe(401);
  });

  it("ends every session of an admin token when the token is revoked", async () => {
    const store = await createStore();
    const second = (await call("POST", `/v1/stores/${store.storeId}/tokens`, { token: store.adminToken, body: { label: "lead" } })).body;
    const onSecond = await signIn(store.storeId, second.adminToken);
    const onFirst = await signIn(store.storeId, store.adminToken);
    expect((await call("GET", `/v1/stores/${store.storeId}`, { headers: { cookie: onSecond.cookie } })).status).toBe(200);

    expect((await call("DELETE", `/v1/stores/${store.storeId}/tokens/${second.tokenId}`, { token: store.adminToken })).status).toBe(200);
    expect((await call("GET", `/v1/stores/${store.storeId}`, { headers: { cookie: onSecond.cookie } })).status).toBe(401);
    expect((await call("GET", "/v1/session", { headers: { cookie: onSecond.cookie } })).status).toBe(401);
    // Another token's session lives on.
    expect((await call("GET", `/v1/stores/${store.storeId}`, { headers: { cookie: onFirst.cookie } })).status).toBe(200);
  });

  it("accepts exactly the store ids the API issues (the schema spells the pattern out for the console)", () => {
    for (const id of ["st_0123456789abcdef", "st_0123456789abcdeg", "st_0123456789abcde", "ST_0123456789abcdef", "st_0123456789abcdef0"]) {
      expect(SessionBody.shape.storeId.safeParse(id).success, id).toBe(STORE_ID_PATTERN.test(id));
    }
  });

  it("answers a sign-out without a session 401, and one from another origin 403", async () => {
    expect((await call("DELETE", "/v1/session", { headers: { origin: ORIGIN } })).status).toBe(401);
    expect((await call("DELETE", "/v1/session", { headers: { origin: "https://evil.example" } })).status).toBe(403);
  });

  it("treats a forged or unknown cookie as not signed in", async () => {
    const store = await createStore();
    const forged = `promptly_session=${store.storeId}.${"A".repeat(43)}`;
    expect((await call("GET", "/v1/session", { headers: { cookie: forged } })).status).toBe(401);
    expect((await call("GET", `/v1/stores/${store.storeId}`, { headers: { cookie: forged } })).status).toBe(401);
    expect((await call("GET", `/v1/stores/${store.storeId}`, { headers: { cookie: "promptly_session=garbage" } })).status).toBe(401);
  });
});
