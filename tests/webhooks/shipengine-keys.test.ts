/**
 * ShipEngine's key fetch must not amplify requests (issue 22 item 7): 80 unsigned requests that
 * name a key set nobody can reach once caused 80 outbound fetches and 80 answers echoing the URL
 * and the fetch error, none of them counted by the rate limiter.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FAILURE_LIMITS } from "../../src/http/rate-limit";
import { clearShipEngineKeyCache } from "../../src/webhooks/shipengine";
import { call, createStore } from "../support/api";

beforeEach(() => clearShipEngineKeyCache());
afterEach(() => vi.restoreAllMocks());

const UNREACHABLE = "https://jwks-unreachable.example/jwks";

describe("ShipEngine key set unreachable", () => {
  it("80 unsigned requests cost one fetch, tell the caller only 'signature keys unavailable', and are counted until 429", async () => {
    const store = await createStore("ShipEngine keys down");
    const put = await call("PUT", `/v1/stores/${store.storeId}/providers/shipengine`, { token: store.adminToken, body: { jwksUrl: UNREACHABLE } });
    expect(put.status).toBe(200);
    const fetched: string[] = [];
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
      fetched.push(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
      throw new TypeError("connect ECONNREFUSED 203.0.113.9:443");
    });
    const client = `2001:db8:5e:${Math.floor(Math.random() * 0xffff).toString(16)}::1`;
    const headers = {
      "content-type": "application/json",
      "cf-connecting-ip": client,
      "x-shipengine-rsa-sha256-signature": btoa("forged"),
      "x-shipengine-rsa-sha256-key-id": "made-up-key",
      "x-shipengine-timestamp": new Date().toISOString(),
    };
    const answers = [];
    for (let i = 0; i < 80; i++) answers.push(await call("POST", `/hooks/${store.storeId}/shipengine`, { rawBody: "{}", headers }));

    // The failed fetch is remembered for 30 s: a second one only if the run crossed that.
    expect(fetched.length).toBeGreaterThanOrEqual(1);
    expect(fetched.length).toBeLessThanOrEqual(2);
    const refused = answers.filter((a) => a.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    for (const a of refused) {
      expect(a.body).toEqual({ error: { code: "verification_unavailable", message: "signature keys unavailable" } });
      expect(a.headers.get("retry-after")).toBe("60");
    }
    expect(JSON.stringify(answers.map((a) => a.body))).not.toMatch(/jwks-unreachable|ECONNREFUSED|203\.0\.113/);
    // Counted against the caller: past the webhook limit the answer is 429, before any fetch.
    const limited = answers.filter((a) => a.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(refused.length).toBeLessThanOrEqual(FAILURE_LIMITS.webhook.limit);
    expect(answers.every((a) => a.status === 503 || a.status === 429)).toBe(true);
  });

  it("a key-set URL on the private network is refused when configured", async () => {
    const store = await createStore("ShipEngine private keys");
    for (const jwksUrl of ["https://169.254.169.254/jwks", "https://10.0.0.8/jwks", "http://api.shipengine.com/jwks"]) {
      const put = await call("PUT", `/v1/stores/${store.storeId}/providers/shipengine`, { token: store.adminToken, body: { jwksUrl } });
      expect(put.status, jwksUrl).toBe(400);
      expect(put.body.error.issues[0]).toMatchObject({ path: "jwksUrl", message: expect.stringMatching(/^destination refused: /) });
    }
  });
});
