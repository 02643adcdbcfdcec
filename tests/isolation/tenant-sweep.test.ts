/**
 * Tenant isolation, swept over every store route the app declares (ALL_ROUTES), through
 * exports.default.fetch as a client would call it.
 *
 * Store A's admin token on each of store B's routes, with parameters and a body that would
 * succeed with B's own token, gets exactly the answer (status, body, WWW-Authenticate) that the
 * same request gets for a store id that does not exist; and B is byte-identical afterwards
 * (support/snapshot.ts). A's token on A's own path naming B's case, callback or token ids
 * never succeeds either. A webhook signed with A's provider secret is refused at B's hook URL.
 * Then B's own token on each route gets past authentication (2xx where B has the thing the
 * route acts on), so the sweep above is not vacuous.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProviderId } from "../../src/events/model";
import { ALL_ROUTES } from "../../src/http/app";
import type { RouteSpec } from "../../src/http/route";
import { secretFor } from "../webhooks/intake-harness";
import { signDelivery } from "../webhooks/signers";
import { answerProblem } from "../fuzz/support/envelope";
import { arbitraryFor, jsonSchemaOf } from "../fuzz/support/schema-arbitrary";
import { viaExports, type Answer, type Wire } from "../fuzz/support/send";
import { caseObjectCount, snapshot, type StoreSnapshot } from "../fuzz/support/snapshot";
import { api, customTicket, NO_SUCH_STORES, populatedStore, storeRules, type TestStore } from "../fuzz/support/world";

/** B signs with secrets of its own, so a delivery signed for A cannot pass at B. */
const secretOfB = (provider: ProviderId) => (provider === "custom" ? "whsec_" + btoa("store-b-signing-secret-32-bytes!!") : `${secretFor(provider)}-store-b`);

let a: TestStore;
let b: TestStore;
/** A second live token of B: the one B's own DELETE /tokens/:tokenId revokes. */
let bSpareTokenId: string;
let bEtag: string;
let before: { a: StoreSnapshot; b: StoreSnapshot };

const key = (spec: RouteSpec) => `${spec.method} ${spec.path}`;
const storeRoutes = ALL_ROUTES.filter((r) => r.path.includes(":storeId"));

/** Routes B's own token cannot succeed on in this setup, and why. */
const NO_SUCCESS_EXPECTED: Record<string, string> = {
  "post /v1/stores/:storeId/deliveries/:id/retry": "B has no dead delivery to retry (404)",
  "get /v1/stores/:storeId/rules/backtests/:backtestId": "B has no backtest with that id (404)",
  "delete /v1/stores/:storeId/rules/backtests/:backtestId": "B has no backtest with that id (404)",
  "get /v1/stores/:storeId/channels/:name/setup": "B's channel \"team\" is not a slack_app channel: nothing to set up (404)",
};

function paramsOfB(): Record<string, string> {
  return { storeId: b.storeId, tokenId: bSpareTokenId, provider: "zendesk", version: "1", caseId: b.caseIds[0]!, callbackId: b.callbackIds[0]!, id: "1", backtestId: `bt_${"0".repeat(32)}`, name: "team" };
}

/** A body the route accepts from B: a known one, else the first schema-shaped value its schema takes. */
function bodyFor(spec: RouteSpec): unknown {
  const known: Record<string, unknown> = {
    "post /v1/stores/:storeId/tokens": { label: "sweep" },
    "put /v1/stores/:storeId/providers/:provider": { secrets: [secretOfB("zendesk")] },
    "put /v1/stores/:storeId/rules": storeRules(),
    "post /v1/stores/:storeId/rules/rollback": { version: 1 },
    "post /v1/stores/:storeId/rules/backtest": { rules: storeRules(), from: new Date(Date.now() - 86_400_000).toISOString(), to: new Date().toISOString() },
    "post /v1/stores/:storeId/rules/dry-run": { events: [{ provider: "custom", payload: JSON.parse(customTicket("DRY-1")), headers: { "webhook-id": "msg_dry_1" } }] },
    "post /v1/stores/:storeId/cases/:caseId/callbacks": { at: new Date(Date.now() + 86_400_000).toISOString(), owner: "Deniz" },
    "post /v1/stores/:storeId/cases/:caseId/callbacks/:callbackId/done": { note: "called back" },
    "post /v1/stores/:storeId/cases/:caseId/snooze": { until: new Date(Date.now() + 86_400_000).toISOString() },
    "post /v1/stores/:storeId/cases/:caseId/resolve": { note: "sorted by phone" },
  };
  if (key(spec) in known) return known[key(spec)];
  if (!spec.body) return undefined;
  const schema = spec.body;
  const found = fc.sample(arbitraryFor(jsonSchemaOf(schema)), { numRuns: 200, seed: 1 }).find((v) => schema.safeParse(v).success);
  return found ?? {};
}

function wireFor(spec: RouteSpec, params: Record<string, string>, token: string): Wire {
  const path = spec.path.replace(/:(\w+)/g, (_m, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${key(spec)}: give the sweep a plausible value for :${name}`);
    return encodeURIComponent(value);
  });
  const headers: [string, string][] = [["authorization", `Bearer ${token}`]];
  const body = bodyFor(spec);
  if (body !== undefined) headers.push(["content-type", "application/json"]);
  if (key(spec) === "put /v1/stores/:storeId/rules") headers.push(["if-match", bEtag]);
  return { method: spec.method.toUpperCase(), target: path, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) };
}

const seen = (x: Answer) => ({ status: x.status, text: x.text, challenge: x.headers.get("www-authenticate") });

beforeAll(async () => {
  a = await populatedStore("Store A", { full: true, ticketId: "A-1" });
  b = await populatedStore("Store B", { full: true, ticketId: "B-1", secret: secretOfB });
  const spare = await api("POST", `/v1/stores/${b.storeId}/tokens`, { token: b.token, body: { label: "spare" } });
  expect(spare.status).toBe(201);
  bSpareTokenId = spare.body.tokenId as string;
  bEtag = (await api("GET", `/v1/stores/${b.storeId}/rules`, { token: b.token })).answer.headers.get("etag")!;
  before = { a: await snapshot(a), b: await snapshot(b) };
});

const outcomes: string[] = [];
afterAll(() => console.info(`tenant sweep, B's own token:\n${outcomes.join("\n")}`));

describe("tenant isolation sweep over ALL_ROUTES", () => {
  it("every route under /v1/stores/:storeId or /hooks/:storeId takes the store's admin token or a webhook signature", () => {
    expect(storeRoutes.length).toBeGreaterThan(20);
    for (const spec of storeRoutes) expect([key(spec), spec.auth]).toEqual([key(spec), expect.stringMatching(/^(store|webhook)$/)]);
  });

  it("store A's token on each of B's routes gets exactly the unknown-store answer, and B is unchanged", async () => {
    const swept: string[] = [];
    for (const spec of storeRoutes.filter((r) => r.auth === "store")) {
      const onB = await viaExports(wireFor(spec, paramsOfB(), a.token));
      const onNobody = await viaExports(wireFor(spec, { ...paramsOfB(), storeId: NO_SUCH_STORES[0]! }, a.token));
      expect(onNobody.status, `${key(spec)}: the unknown-store answer`).toBe(401);
      expect(answerProblem(onB, spec.method.toUpperCase()), key(spec)).toBeNull();
      expect(seen(onB), key(spec)).toEqual(seen(onNobody));
      swept.push(key(spec));
    }
    expect(swept.length).toBe(storeRoutes.filter((r) => r.auth === "store").length);
    expect({ a: await snapshot(a), b: await snapshot(b) }).toEqual(before);
  });

  it("store A's token on A's own routes naming B's case, callback and token ids never succeeds, and B is unchanged", async () => {
    const tenantParams = ["caseId", "callbackId", "tokenId", "id"];
    let tried = 0;
    for (const spec of storeRoutes.filter((r) => r.auth === "store" && tenantParams.some((p) => r.path.includes(`:${p}`)))) {
      const answer = await viaExports(wireFor(spec, { ...paramsOfB(), storeId: a.storeId }, a.token));
      expect(answerProblem(answer, spec.method.toUpperCase()), key(spec)).toBeNull();
      expect(answer.status, `${key(spec)}: ${answer.text}`).toBe(404);
      tried += 1;
    }
    expect(tried).toBeGreaterThanOrEqual(6);
    expect({ b: await snapshot(b) }).toEqual({ b: before.b });
  });

  it("a webhook signed with A's secret is refused at B's hook URL (and B's at A's), storing nothing", async () => {
    const cases = await caseObjectCount();
    for (const [from, to, secret] of [[a, b, secretFor], [b, a, secretOfB]] as const) {
      for (const provider of to.configured) {
        const raw = provider === "custom" ? customTicket("X-1") : JSON.stringify({ hello: "from the other store" });
        const headers = await signDelivery(provider, raw, secret(provider));
        const answer = await viaExports({ method: "POST", target: `/hooks/${to.storeId}/${provider}`, headers: Object.entries(headers), body: raw });
        expect(answerProblem(answer, "POST"), `${from.storeId} → ${to.storeId} ${provider}`).toBeNull();
        expect(answer.status, `${provider}: ${answer.text}`).toBe(401);
      }
    }
    expect(await caseObjectCount()).toBe(cases);
    expect({ a: await snapshot(a), b: await snapshot(b) }).toEqual(before);
  });

  it("B's own token gets past authentication on each of those routes (2xx where B has what the route acts on)", async () => {
    const unknownStore = await viaExports(wireFor(storeRoutes.find((r) => r.auth === "store")!, { ...paramsOfB(), storeId: NO_SUCH_STORES[0]! }, b.token));
    for (const spec of storeRoutes.filter((r) => r.auth === "store")) {
      const answer = await viaExports(wireFor(spec, paramsOfB(), b.token));
      outcomes.push(`  ${answer.status}  ${key(spec)}`);
      expect(answerProblem(answer, spec.method.toUpperCase()), key(spec)).toBeNull();
      expect(seen(answer), key(spec)).not.toEqual(seen(unknownStore));
      expect(answer.status, key(spec)).not.toBe(401);
      if (NO_SUCCESS_EXPECTED[key(spec)]) expect(answer.status, `${key(spec)}: ${answer.text}`).toBeGreaterThanOrEqual(400);
      else expect(answer.status, `${key(spec)}: ${answer.text}`).toBeLessThan(300);
    }
  });
});
