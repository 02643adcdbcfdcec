/**
 * Fuzz of every route the app declares (ALL_ROUTES), through the Worker's fetch handler inside
 * workerd. For each route, thousands in all of: wrong, missing, malformed, forged, revoked and
 * other stores' tokens; path parameters that are live ids, junk, bad percent-encoding, unicode
 * or kilobytes long; random query strings; bodies derived from the route's zod schema and
 * mutated, random JSON, non-JSON, wrong content types, bodies over the cap; other methods.
 *
 * Every answer: never a 5xx; every error is exactly the JSON envelope; a request with a part
 * that must fail (see support/routes.ts) fails, with the status of the first check in the
 * Worker's order (bad path escape 400, auth 401, query 400, content type 415, size 413, JSON
 * 400, schema 400). A request to a state-changing route is never generated without such a part.
 * After each route: both stores are byte-identical to before (API reads, every SQLite row of
 * the registry and the cases, KV keys).
 *
 * VITE_FUZZ_SEED replays a run (fast-check prints the seed and path of a failure);
 * VITE_FUZZ_SCALE multiplies the number of tries (the VITE_ prefix is what reaches workerd).
 */
/// <reference types="vite/client" />
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NormalizedEvent } from "../../src/events/model";
import { RulesDocument } from "../../src/rules/schema";
import { ALL_FIXTURES } from "../webhooks/intake-harness";
import { answerProblem, briefReport } from "./support/envelope";
import { describeWire, requestArb, withAuthorization, type Context } from "./support/requests";
import { arbitraryFor, jsonSchemaOf } from "./support/schema-arbitrary";
import { classify, fuzzRoutes, routeKey, type FuzzRoute } from "./support/routes";
import { direct, viaExports, type Answer, type Wire } from "./support/send";
import { snapshot, type StoreSnapshot } from "./support/snapshot";
import { api, NO_SUCH_STORES, populatedStore, storeRules, worldOf, type TestStore } from "./support/world";
import { OPERATOR_TOKEN } from "../support/api";

const SCALE = Number(import.meta.env.VITE_FUZZ_SCALE ?? "1") || 1;
const SEED = import.meta.env.VITE_FUZZ_SEED ? Number(import.meta.env.VITE_FUZZ_SEED) : undefined;
/** Requests per fast-check run, sent at once: a store under concurrent junk must stay as it was too. */
const BATCH = Number(import.meta.env.VITE_FUZZ_BATCH ?? "4") || 4;

/** PUT /rules declares an opaque body (the registry validates it): the rules schema decides. */
const ROUTES = fuzzRoutes({ "put /v1/stores/:storeId/rules": (v) => RulesDocument.safeParse(v).success });

/**
 * Tries per route. Most cost a few milliseconds (one or two Durable Object calls); the OpenAPI
 * document is rebuilt from every zod schema on each request (tens of ms), and a dry-run
 * simulates days of virtual time, so those get fewer.
 */
const RUNS: Record<string, number> = { "get /openapi.json": 40, "post /v1/stores/:storeId/rules/dry-run": 150 };
function runsFor(route: FuzzRoute): number {
  return Math.max(BATCH, Math.round((RUNS[route.key] ?? 200) * SCALE));
}

let main: TestStore;
let other: TestStore;
let ctx: Context;
let initial: { main: StoreSnapshot; other: StoreSnapshot };
const tries = new Map<string, number>();
/** Statuses seen per route: shows how many tries got past authentication and validation. */
const statuses = new Map<string, Map<number, number>>();

async function stateOfBoth(): Promise<{ main: StoreSnapshot; other: StoreSnapshot }> {
  return { main: await snapshot({ storeId: main.storeId, token: main.token }), other: await snapshot({ storeId: other.storeId, token: other.token }) };
}

beforeAll(async () => {
  main = await populatedStore("Fuzz store", { full: true });
  other = await populatedStore("Other store", { full: false });
  const templates = (await api("GET", `/v1/stores/${main.storeId}/rules/templates`, { token: main.token })).body.templates.map((t: { rules: unknown }) => t.rules);
  const masked = (await api("GET", `/v1/stores/${main.storeId}/rules`, { token: main.token })).body.rules;
  const zendeskTicket = JSON.parse(ALL_FIXTURES["zendesk/ticket-created.json"]!) as unknown;
  const event = { provider: "custom", providerEventId: "ev-1", occurredAt: new Date().toISOString(), caseKey: { type: "ticket", provider: "custom", ticketId: "D-1" }, kind: "case.opened", status: "open", priority: "urgent", channel: "chat" };
  ctx = {
    world: worldOf([main, other], [1, 0]),
    principals: { right: main.token, rightTokenId: main.tokenId, other: other.token, revoked: main.revoked, operator: OPERATOR_TOKEN },
    storeIds: { main: main.storeId, other: other.storeId, none: NO_SUCH_STORES },
    seeds: {
      "post /v1/stores": [{ name: "Anatolia Tea" }],
      "post /v1/stores/:storeId/tokens": [{ label: "ci" }],
      "put /v1/stores/:storeId/providers/:provider": [{ secrets: ["s1", "s2"], toleranceSeconds: 300, options: {} }],
      "put /v1/stores/:storeId/rules": [storeRules(), masked, ...templates],
      "post /v1/stores/:storeId/rules/rollback": [{ version: 0 }, { version: 1, applyToOpenCases: true }],
      "post /v1/stores/:storeId/rules/dry-run": [
        { events: [event] },
        { rules: storeRules(), events: [event, { ...event, providerEventId: "ev-2", kind: "case.agent_reply" }] },
        { rules: templates[0], events: [{ provider: "zendesk", payload: zendeskTicket }] },
      ],
      "post /v1/stores/:storeId/cases/:caseId/callbacks": [{ at: new Date(Date.now() + 86_400_000).toISOString(), owner: "Deniz", phone: "+90 532 000 00 00" }],
      "post /v1/stores/:storeId/cases/:caseId/snooze": [{ until: new Date(Date.now() + 86_400_000).toISOString(), reason: "holiday" }],
    },
  };
  // Dry-run events are `unknown` to the router: give it event sequences shaped like the event model.
  const events = fc.array(arbitraryFor(jsonSchemaOf(NormalizedEvent)), { minLength: 1, maxLength: 6 });
  ctx.shapes = { "post /v1/stores/:storeId/rules/dry-run": fc.record({ rules: fc.constantFrom(storeRules(), ...templates), events }, { requiredKeys: ["events"] }) };
  initial = await stateOfBoth();
});

afterAll(() => {
  const total = [...tries.values()].reduce((a, b) => a + b, 0);
  console.info(`fuzz tries per route:\n${[...tries].map(([k, n]) => `  ${String(n).padStart(5)}  ${k}  (${[...(statuses.get(k) ?? [])].sort(([x], [y]) => x - y).map(([st, c]) => `${st}:${c}`).join(" ")})`).join("\n")}\n  total ${total}`);
});

async function tryOnce(route: FuzzRoute, wire: Wire): Promise<void> {
  let verdict = await classify(wire, ROUTES, ctx.world);
  if (verdict.route?.mutating && verdict.poison.length === 0) {
    // Everything about it is valid: a success would change state, so send it with a revoked token instead.
    wire = withAuthorization(wire, `Bearer ${main.revoked}`);
    verdict = await classify(wire, ROUTES, ctx.world);
    expect(verdict.poison, "a revoked token must poison the request").toContain("auth");
  }
  tries.set(route.key, (tries.get(route.key) ?? 0) + 1);
  const answer = await direct(wire);
  const seen = statuses.get(route.key) ?? new Map<number, number>();
  statuses.set(route.key, seen.set(answer.status, (seen.get(answer.status) ?? 0) + 1));
  const where = `\n  request: ${describeWire(wire)}\n  route: ${verdict.route?.key ?? "(none)"} poison: ${verdict.poison.join(",") || "(none)"}\n  answer: ${answer.status} ${answer.text.slice(0, 400)}`;
  const problem = answerProblem(answer, wire.method);
  if (problem) throw new Error(problem + where);
  if (verdict.poison.length > 0 && answer.status < 400) throw new Error(`a request that must fail succeeded${where}`);
  if (verdict.expectedStatus !== undefined && answer.status !== verdict.expectedStatus) throw new Error(`expected ${verdict.expectedStatus}${where}`);
  if (verdict.poison.includes("no-route") && answer.status !== 404 && answer.status !== 405) throw new Error(`an unrouted request must be 404 or 405${where}`);
}

describe("every route in ALL_ROUTES under fuzz", () => {
  it("enumerates the app's routes, each with a state-safe way to fuzz it", () => {
    expect(ROUTES.length).toBeGreaterThan(20);
    expect(new Set(ROUTES.map((r) => r.key)).size).toBe(ROUTES.length);
  });

  for (const route of ROUTES) {
    it(`${routeKey(route.spec)}: no 5xx, only envelopes, refusals where due, no state change`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(requestArb(route, ctx), { minLength: BATCH, maxLength: BATCH }), async (batch) => {
          await Promise.all(batch.map(({ wire }) => tryOnce(route, wire)));
        }),
        { numRuns: Math.ceil(runsFor(route) / BATCH), ...(SEED !== undefined ? { seed: SEED } : {}), reporter: briefReport },
      );
      expect(await stateOfBoth()).toEqual(initial);
    });
  }

  it("the direct fetch handler answers exactly as exports.default.fetch does", async () => {
    const wires = ROUTES.flatMap((route) => fc.sample(requestArb(route, ctx), { numRuns: 2, ...(SEED !== undefined ? { seed: SEED } : {}) }).map((g) => g.wire));
    for (const wire of wires) {
      const verdict = await classify(wire, ROUTES, ctx.world);
      if (verdict.route?.mutating && verdict.poison.length === 0) continue;
      if (verdict.route?.key === "get /v1/webhooks/example") continue; // signed with the current second
      const [a, b] = [await direct(wire), await viaExports(wire)];
      // Over HTTP a HEAD answer loses its body; the status must still agree. A case view counts
      // its clocks' business time up to the instant it answers, which moves between the two calls;
      // a report's default range ends at the instant it answers, too.
      const atAnyInstant = (text: string) => text.replace(/"(usedMs|remainingMs)":-?\d+/g, '"$1":0').replace(/"(from|to)":"[0-9T:.-]+Z"/g, '"$1":""');
      const seen = (x: Answer) => ({ status: x.status, text: wire.method === "HEAD" ? "" : atAnyInstant(x.text) });
      expect(seen(b), describeWire(wire)).toEqual(seen(a));
    }
  });
});

// Found by the dry-run fuzz above: an event dated outside 1900–2300 reaches the business-time
// engine through the SLA fold, whose ensureInstant throws RangeError (src/calendar/engine.ts),
// and the answer is a 500 where bad input must be a 400 with the field path.
describe("instants outside the calendar engine's range (1900–2300)", () => {
  it("a dry-run event dated 1899 is refused with a 400 naming it, not a 500", async () => {
    const event = { provider: "custom", providerEventId: "old-1", occurredAt: "1899-12-31T23:59:59Z", caseKey: { type: "ticket", provider: "custom", ticketId: "OLD-1" }, kind: "case.opened" };
    const res = await api("POST", `/v1/stores/${main.storeId}/rules/dry-run`, { token: main.token, body: { events: [event] } });
    expect(answerProblem(res.answer, "POST")).toBeNull();
    expect(res.status, res.answer.text).toBe(400);
    expect(res.body.error.issues.map((i: { path: string }) => i.path)).toContain("events[0].occurredAt");
  });
});
