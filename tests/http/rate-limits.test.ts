/**
 * Failed authentication is rate limited per client (CF-Connecting-IP, which Cloudflare and
 * `wrangler dev` set; here each test names its own address): wrong operator tokens, wrong admin
 * tokens per store, refused webhook deliveries per store. Over the limit a failure is answered 429
 * in the error envelope with Retry-After, and nothing changes; a right admin token or a correctly
 * signed webhook still goes through, the operator token does not (docs/security.md says why).
 */
import { describe, expect, it } from "vitest";
import wranglerToml from "../../wrangler.toml?raw";
import { ALL_ROUTES } from "../../src/http/app";
import { FAILURE_LIMITS } from "../../src/http/rate-limit";
import { connect, fixtureText, storedFootprint } from "../webhooks/intake-harness";
import { call, createStore, OPERATOR_TOKEN } from "../support/api";

type Answer = Awaited<ReturnType<typeof call>>;

const hex = () => Math.floor(Math.random() * 0x10000).toString(16);

/** A client address of its own per use (a /64 of the documentation prefix), so tests share no counter. */
function newClient(): string {
  return `2001:db8:${hex()}:${hex()}::1`;
}

/**
 * Sends failing attempts until one is answered 429, and says how many were refused as usual
 * before it. The limiters count in fixed windows (10 or 60 s); if a window boundary passes while
 * the attempts are sent, the count restarts, so the run is repeated with a fresh client.
 */
async function failUntilLimited(limit: number, attempt: (client: string) => Promise<Answer>): Promise<{ client: string; before: Answer[]; limited: Answer }> {
  for (;;) {
    const client = newClient();
    const window = Math.floor(Date.now() / 60_000);
    const before: Answer[] = [];
    for (let i = 0; i <= limit * 2; i++) {
      const answer = await attempt(client);
      if (answer.status === 429) {
        if (Math.floor(Date.now() / 60_000) !== window) break;
        return { client, before, limited: answer };
      }
      before.push(answer);
    }
    if (Math.floor(Date.now() / 60_000) === window) throw new Error(`no 429 after ${before.length} failed attempts`);
  }
}

function expectRateLimited(answer: Answer, periodSeconds: number): void {
  expect(answer.status).toBe(429);
  expect(answer.body).toEqual({ error: { code: "rate_limited", message: expect.stringMatching(/^too many .+ from your address: try again in \d+ s$/) } });
  const retryAfter = Number(answer.headers.get("retry-after"));
  expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= periodSeconds).toBe(true);
  expect(answer.headers.get("x-request-id")).toBeTruthy();
}

describe("rate limits on failed authentication", () => {
  it("are the limits wrangler.toml gives the bindings", () => {
    const declared = [...wranglerToml.matchAll(/\[\[ratelimits\]\]\s*name = "(\w+)"\s*namespace_id = "(\d+)"\s*simple = \{ limit = (\d+), period = (\d+) \}/g)].map((m) => ({
      binding: m[1],
      limit: Number(m[3]),
      periodSeconds: Number(m[4]),
    }));
    expect(declared).toEqual(Object.values(FAILURE_LIMITS).map(({ binding, limit, periodSeconds }) => ({ binding, limit, periodSeconds })));
  });

  it("guessing a store's admin token: 429 after the limit and for every further guess, while the right token still works", async () => {
    const { limit, periodSeconds } = FAILURE_LIMITS.store;
    const store = await createStore("Guessed");
    const guess = `prm.${store.tokenId}.${"g".repeat(43)}`;
    const run = await failUntilLimited(limit, (client) => call("GET", `/v1/stores/${store.storeId}`, { token: guess, headers: { "cf-connecting-ip": client } }));
    expect(run.before.map((a) => a.status)).toEqual(Array(limit).fill(401));
    expectRateLimited(run.limited, periodSeconds);

    const asGuesser = { "cf-connecting-ip": run.client };
    // Further guesses stay refused and change nothing.
    const guessed = await call("POST", `/v1/stores/${store.storeId}/tokens`, { token: guess, body: { label: "by the guesser" }, headers: asGuesser });
    expectRateLimited(guessed, periodSeconds);
    expectRateLimited(await call("GET", `/v1/stores/${store.storeId}`, { token: `prm.${store.tokenId}.${"h".repeat(43)}`, headers: asGuesser }), periodSeconds);
    expectRateLimited(await call("GET", `/v1/stores/${store.storeId}`, { headers: asGuesser }), periodSeconds);
    // The admin behind the same address proves itself with the right token and is let through.
    const issue = await call("POST", `/v1/stores/${store.storeId}/tokens`, { token: store.adminToken, body: { label: "while locked out" }, headers: asGuesser });
    expect(issue.status).toBe(201);
    const read = await call("GET", `/v1/stores/${store.storeId}`, { token: store.adminToken, headers: asGuesser });
    expect(read.status).toBe(200);
    expect(read.body.adminTokens).toHaveLength(2);
    // Still locked out for failures after that success: the window did not reset.
    expectRateLimited(await call("GET", `/v1/stores/${store.storeId}`, { token: guess, headers: asGuesser }), periodSeconds);

    // Per store and per client: the admin elsewhere, and the guesser's own other store, are unaffected.
    const fromElsewhere = await call("GET", `/v1/stores/${store.storeId}`, { token: store.adminToken, headers: { "cf-connecting-ip": newClient() } });
    expect(fromElsewhere.status).toBe(200);
    const own = await createStore("The guesser's own");
    expect((await call("GET", `/v1/stores/${own.storeId}`, { token: own.adminToken, headers: asGuesser })).status).toBe(200);
  });

  it("answers a store that does not exist exactly like one that does", async () => {
    const { limit } = FAILURE_LIMITS.store;
    const real = await createStore("Real");
    const token = `prm.${real.tokenId}.${"g".repeat(43)}`;
    const onReal = await failUntilLimited(limit, (client) => call("GET", `/v1/stores/${real.storeId}`, { token, headers: { "cf-connecting-ip": client } }));
    const onGhost = await failUntilLimited(limit, (client) => call("GET", `/v1/stores/st_${"0f".repeat(8)}`, { token, headers: { "cf-connecting-ip": client } }));
    const seen = (run: typeof onReal) => [...run.before, run.limited].map((a) => [a.status, a.body, a.headers.get("www-authenticate")]);
    expect(seen(onGhost)).toEqual(seen(onReal));
  });

  it("guessing the operator token: 429 after the limit, and even the right token creates no store from that client (a chosen token may be short)", async () => {
    const { limit, periodSeconds } = FAILURE_LIMITS.operator;
    const run = await failUntilLimited(limit, (client) => call("POST", "/v1/stores", { token: "operator-guess", body: { name: "x" }, headers: { "cf-connecting-ip": client } }));
    expect(run.before.map((a) => a.status)).toEqual(Array(limit).fill(401));
    expectRateLimited(run.limited, periodSeconds);
    const right = await call("POST", "/v1/stores", { token: OPERATOR_TOKEN, body: { name: "While locked out" }, headers: { "cf-connecting-ip": run.client } });
    expectRateLimited(right, periodSeconds);
    expect(right.body.storeId).toBeUndefined();
    expect((await call("POST", "/v1/stores", { token: OPERATOR_TOKEN, body: { name: "Elsewhere" }, headers: { "cf-connecting-ip": newClient() } })).status).toBe(201);
  });

  it("a flood of unsigned webhooks to one store: 429 after the limit for unsigned ones, while a signed delivery from that client is stored", async () => {
    const { limit, periodSeconds } = FAILURE_LIMITS.webhook;
    const zendesk = await connect("zendesk");
    const raw = fixtureText("zendesk/ticket-created.json");
    const run = await failUntilLimited(limit, (client) => zendesk.post(raw, { "content-type": "application/json", "cf-connecting-ip": client }));
    expect(new Set(run.before.map((a) => a.status))).toEqual(new Set([401]));
    expect(run.before).toHaveLength(limit);
    expectRateLimited(run.limited, periodSeconds);

    const stored = await storedFootprint(zendesk.storeId);
    expectRateLimited(await zendesk.post(raw, { "content-type": "application/json", "cf-connecting-ip": run.client }), periodSeconds);
    expect(await storedFootprint(zendesk.storeId)).toEqual(stored);
    // A delivery that proves itself with a valid signature goes through from the same address:
    // one misconfigured sender there must not block the store's good deliveries.
    const signed = await zendesk.send(raw, { headers: { "cf-connecting-ip": run.client } });
    expect(signed.status).toBe(202);
    expect(signed.body.duplicate).toBe(false);
    expect(await storedFootprint(zendesk.storeId)).not.toEqual(stored);
    expectRateLimited(await zendesk.post(raw, { "content-type": "application/json", "cf-connecting-ip": run.client }), periodSeconds);
    // The provider's own deliveries, from its address, go through too.
    expect((await zendesk.send(raw, { headers: { "cf-connecting-ip": newClient() } })).status).toBe(202);
  });

  it("counts an IPv6 client per /64, since one host can rotate through all of it", async () => {
    const { limit } = FAILURE_LIMITS.store;
    const store = await createStore("Rotated");
    const guess = `prm.${store.tokenId}.${"g".repeat(43)}`;
    // Each attempt from another address of the same /64 (written in both long and short forms).
    const run = await failUntilLimited(limit, (client) => {
      const prefix = client.split(":").slice(0, 4);
      const address = Math.random() < 0.5 ? `${prefix.join(":")}:${hex()}::${hex()}` : `${prefix.map((g) => g.padStart(4, "0").toUpperCase()).join(":")}:${hex()}:${hex()}:${hex()}:${hex()}`;
      return call("GET", `/v1/stores/${store.storeId}`, { token: guess, headers: { "cf-connecting-ip": address } });
    });
    expect(run.before).toHaveLength(limit);
    // Another address of the same /64 is the same client: its guesses are refused too.
    expect((await call("GET", `/v1/stores/${store.storeId}`, { token: guess, headers: { "cf-connecting-ip": run.client.replace(/::1$/, ":9:9:9:9") } })).status).toBe(429);
  });

  it("are documented on every authenticated route", async () => {
    const doc = (await call("GET", "/openapi.json")).body;
    const authenticated = ALL_ROUTES.filter((r) => r.auth !== "none");
    expect(authenticated.length).toBeGreaterThan(20);
    const undocumented = authenticated
      .map((r) => ({ route: `${r.method.toUpperCase()} ${r.path}`, op: doc.paths[r.path.replace(/:(\w+)/g, "{$1}")]?.[r.method] }))
      .filter(({ op }) => op?.responses?.["429"] === undefined)
      .map(({ route }) => route);
    expect(undocumented).toEqual([]);
    for (const r of ALL_ROUTES.filter((x) => x.auth === "none")) expect(doc.paths[r.path.replace(/:(\w+)/g, "{$1}")][r.method].responses["429"]).toBeUndefined();
  });

  it("never counts successes: more right-token requests than the limit all succeed", async () => {
    const { limit } = FAILURE_LIMITS.store;
    const store = await createStore("Busy admin");
    const client = newClient();
    for (let i = 0; i <= limit + 1; i++) {
      expect((await call("GET", `/v1/stores/${store.storeId}`, { token: store.adminToken, headers: { "cf-connecting-ip": client } })).status).toBe(200);
    }
  });
});
