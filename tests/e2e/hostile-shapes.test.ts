/**
 * The hostile shapes of issue 22 against the real `wrangler dev` (the in-workerd fuzzers send
 * them too, tests/fuzz and tests/rules-store/fuzz.test.ts): prototype keys at any depth of an
 * admin body, collections grown past their caps, a 650 KB calendar, channels pointing at private
 * addresses, 300 KB subjects. Bounded in
 * count and time; only ever 127.0.0.1. Every answer is below 500, a refused save changes nothing,
 * and the service still answers afterwards.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request } from "./support/http";
import { configureProvider, createStore, CUSTOM_SECRET, postCustom, type E2EStore } from "./support/store";
import { DevServer } from "./support/wrangler";

type Json = unknown;

const BASE_RULES = {
  calendars: { Office: { timeZone: "Europe/Istanbul", week: { mon: [["09:00", "18:00"]], tue: [["09:00", "18:00"]] }, holidays: ["2026-01-01"] } },
  channels: { hook: { type: "webhook", url: "https://example.com/hook", secret: "whsec_ZTJlLWZ1enotY2hhbm5lbC1zZWNyZXQ=" } },
  policies: [{ name: "All", when: { tags: { any: ["vip"] } }, targets: { firstReply: { calendar: "Office", byPriority: { normal: "4h" } } }, notify: ["hook"] }],
};

/** Every object and array inside `v`, with the root. */
function containers(v: Json): Json[] {
  const out: Json[] = [];
  const stack: Json[] = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    if (x === null || typeof x !== "object") continue;
    out.push(x);
    for (const child of Object.values(x as object)) stack.push(child);
  }
  return out;
}

type Shape = { kind: "proto"; at: number; key: string } | { kind: "flood"; at: number } | { kind: "bigCalendar" } | { kind: "privateUrl"; url: string };

/** Destinations refused even where loopback is allowed (as here): private, link-local, metadata, userinfo, non-http(s). */
const PRIVATE_URLS = [
  "http://10.0.0.1/hook",
  "https://192.168.1.1/hook",
  "https://172.16.0.5/hook",
  "http://169.254.169.254/latest/meta-data",
  "http://metadata.google.internal/computeMetadata/v1/",
  "http://[fd00::1]/hook",
  "https://user:pass@example.com/hook",
  "javascript:alert(1)",
  "file:///etc/passwd",
];

/** The base document with one hostile shape; `refused` when it can only be refused. */
function shaped(s: Shape): { doc: Json; refused: boolean } {
  const doc = structuredClone(BASE_RULES) as Json;
  const all = containers(doc);
  switch (s.kind) {
    case "proto": {
      const objects = all.filter((x) => !Array.isArray(x)) as Record<string, Json>[];
      Object.defineProperty(objects[s.at % objects.length]!, s.key, { value: {}, enumerable: true, writable: true, configurable: true });
      return { doc, refused: s.key === "__proto__" };
    }
    case "flood": {
      const arrays = all.filter((x): x is Json[] => Array.isArray(x) && x.length > 0);
      const target = arrays[s.at % arrays.length]!;
      const items = [...target];
      target.length = 0;
      for (let i = 0; i < 1500; i++) target.push(structuredClone(items[i % items.length]));
      return { doc, refused: true };
    }
    case "privateUrl": {
      (doc as typeof BASE_RULES).channels.hook.url = s.url;
      return { doc, refused: true };
    }
    case "bigCalendar": {
      const holidays: string[] = [];
      for (let i = 0; i < 50_000; i++) holidays.push(new Date(Date.UTC(2000, 0, 1) + (i % 20_000) * 86_400_000).toISOString().slice(0, 10));
      (doc as typeof BASE_RULES).calendars.Office.holidays = holidays;
      return { doc, refused: true };
    }
  }
}

const shape: fc.Arbitrary<Shape> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("proto" as const), at: fc.nat(), key: fc.constantFrom("__proto__", "toString", "constructor", "hasOwnProperty", "valueOf") }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("flood" as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ kind: "bigCalendar" as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("privateUrl" as const), url: fc.constantFrom(...PRIVATE_URLS) }) },
);

describe("hostile shapes against wrangler dev", () => {
  const server = new DevServer();
  let store: E2EStore;
  beforeAll(async () => {
    await server.start();
    store = await createStore(server.url, "Hostile shapes");
    await configureProvider(store, "custom", { secrets: [CUSTOM_SECRET] });
  });
  afterAll(() => server.dispose());

  const rules = (rest = "") => `/v1/stores/${store.storeId}/rules${rest}`;
  const version = async () => (await request(server.url, "GET", rules(), { token: store.token })).headers.get("etag") ?? "";

  it("PUT /rules and dry-run with prototype keys, huge collections and private destinations: never 5xx, a refused save changes nothing", async () => {
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(shape, async (s) => {
        const { doc, refused } = shaped(s);
        const etag = await version();
        const raw = JSON.stringify(doc);
        const put = await request(server.url, "PUT", rules(), { token: store.token, rawBody: raw, headers: { "content-type": "application/json", "if-match": etag } });
        expect(put.status, `${JSON.stringify(s)} → ${JSON.stringify(put.body).slice(0, 300)}`).toBeLessThan(500);
        if (refused) {
          expect(put.status).toBe(400);
          expect(typeof put.body.error.issues?.[0]?.message).toBe("string");
          expect(await version()).toBe(etag);
        }
        const dry = await request(server.url, "POST", rules("/dry-run"), {
          token: store.token,
          rawBody: `{"rules":${raw},"events":[],"until":"2026-01-15T00:00:00Z"}`,
          headers: { "content-type": "application/json" },
        });
        expect(dry.status, JSON.stringify(dry.body).slice(0, 300)).toBeLessThan(500);
        if (refused && s.kind === "proto") expect(dry.status).toBe(400);
      }),
      { numRuns: 40, seed: 22 },
    );
    expect(Date.now() - started).toBeLessThan(90_000);
  });

  it("prototype keys in provider bodies answer 400 with a message; the registry keeps its config", async () => {
    for (const raw of ['{"secrets":["x"],"__proto__":{"toleranceSeconds":1}}', '{"__proto__":{}}', '{"options":{"__proto__":{"callbackTag":"x"}},"secrets":["x"]}']) {
      const res = await request(server.url, "PUT", `/v1/stores/${store.storeId}/providers/custom`, { token: store.token, rawBody: raw, headers: { "content-type": "application/json" } });
      expect(res.status, raw).toBe(400);
      expect(res.body.error.issues[0].message).toBe('"__proto__" is not allowed as a field or name');
    }
    // The provider still verifies signed deliveries with the secret it had.
    const ok = await postCustom(store, { occurredAt: new Date().toISOString(), caseKey: { type: "ticket", ticketId: "H-1" }, kind: "case.opened", subject: "fine" });
    expect(ok.status).toBe(202);
  });

  it("signed tickets with 300 KB subjects are taken in cut, and the case list stays small", async () => {
    const subject = "x".repeat(300_000);
    for (let i = 0; i < 10; i++) {
      const res = await postCustom(store, { occurredAt: new Date().toISOString(), caseKey: { type: "ticket", ticketId: `BIG-${i}` }, kind: "case.opened", subject });
      expect(res.status).toBe(202);
    }
    const list = await request(server.url, "GET", `/v1/stores/${store.storeId}/cases?limit=200`, { token: store.token });
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body).length).toBeLessThan(50_000);
    const health = await request(server.url, "GET", "/healthz");
    expect(health.status).toBe(200);
  });
});
