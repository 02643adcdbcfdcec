/**
 * Fuzzing the rules API with fast-check, through the Worker's real fetch handler:
 * - PUT /rules: never a 5xx; a 400 never saves anything; a 200 saves exactly what was sent
 *   (nothing of the body silently dropped); mutations that are invalid by construction are
 *   always refused.
 * - POST /rules/dry-run: never a 5xx, and nothing is saved.
 */
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SECRET_MASK } from "../../src/rules/schema";
import { templateInputs } from "../../src/rules/templates";
import { call } from "../support/api";
import { newStore, rulesPath, sampleRules, type Store } from "./helpers";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = (string | number)[];

/** Every path to a value inside the document (the root excluded). */
function pathsOf(value: Json, prefix: Path = []): Path[] {
  const out: Path[] = [];
  if (Array.isArray(value)) value.forEach((v, i) => out.push([...prefix, i], ...pathsOf(v, [...prefix, i])));
  else if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) out.push([...prefix, k], ...pathsOf(v, [...prefix, k]));
  return out;
}

function parentOf(doc: Json, path: Path): { parent: Json; key: string | number } {
  let node: Json = doc;
  for (const seg of path.slice(0, -1)) node = (node as Record<string | number, Json>)[seg]!;
  return { parent: node, key: path[path.length - 1]! };
}

type Mutation =
  | { kind: "replace"; at: number; value: Json }
  | { kind: "delete"; at: number }
  | { kind: "unknownKey"; at: number; key: string }
  | { kind: "badDuration"; at: number }
  | { kind: "unknownChannel"; at: number }
  | { kind: "protoKey"; at: number; key: string }
  | { kind: "flood"; at: number };

/** Past every collection cap of the document (a calendar's 1,000 holidays is the largest). */
const FLOOD = 1500;

const isDuration = (v: Json | undefined) => typeof v === "string" && /^\d+[smhdw]$/.test(v);

/** Applies a mutation; says whether the result is invalid no matter what (by construction). */
function mutate(doc: Json, m: Mutation): boolean {
  const paths = pathsOf(doc);
  if (paths.length === 0) return false;
  const path = paths[m.at % paths.length]!;
  const { parent, key } = parentOf(doc, path);
  const p = parent as Record<string | number, Json>;
  switch (m.kind) {
    case "replace":
      p[key] = m.value;
      return false;
    case "delete":
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete p[key];
      return false;
    case "unknownKey": {
      // Every object in the document is strict except the `calendars` / `channels` maps, whose keys are new names.
      const isPlain = (v: Json | undefined) => v !== null && typeof v === "object" && !Array.isArray(v);
      const objects = [[] as Path, ...paths].filter((q) => {
        const v = q.length === 0 ? doc : (parentOf(doc, q).parent as Record<string | number, Json>)[q[q.length - 1]!];
        return isPlain(v) && !(q.length === 1 && (q[0] === "calendars" || q[0] === "channels"));
      });
      if (!isPlain(doc)) return false;
      const q = objects[m.at % objects.length]!;
      const target = (q.length === 0 ? doc : (parentOf(doc, q).parent as Record<string | number, Json>)[q[q.length - 1]!]) as Record<string, Json>;
      target[`zz_${m.key}`] = 1;
      return true;
    }
    case "badDuration": {
      const durationPaths = paths.filter((q) => typeof parentOf(doc, q).parent === "object" && isDuration((parentOf(doc, q).parent as Record<string | number, Json>)[q[q.length - 1]!]));
      if (durationPaths.length === 0) return false;
      const d = durationPaths[m.at % durationPaths.length]!;
      const dp = parentOf(doc, d);
      (dp.parent as Record<string | number, Json>)[dp.key] = "soon";
      return true;
    }
    case "protoKey": {
      // An own key named like an Object.prototype member, as JSON.parse makes it. "__proto__" is
      // refused anywhere; the others are unknown fields in strict objects and valid names in the maps.
      const targets = [[] as Path, ...paths].filter((q) => {
        const v = q.length === 0 ? doc : (parentOf(doc, q).parent as Record<string | number, Json>)[q[q.length - 1]!];
        return v !== null && typeof v === "object" && !Array.isArray(v);
      });
      if (targets.length === 0) return false;
      const q = targets[m.at % targets.length]!;
      const target = (q.length === 0 ? doc : (parentOf(doc, q).parent as Record<string | number, Json>)[q[q.length - 1]!]) as Record<string, Json>;
      Object.defineProperty(target, m.key, { value: {}, enumerable: true, writable: true, configurable: true });
      return m.key === "__proto__";
    }
    case "flood": {
      // A huge collection: an array grown past its cap (every array in the document has one).
      const arrays = [[] as Path, ...paths].filter((q) => q.length > 0 && Array.isArray((parentOf(doc, q).parent as Record<string | number, Json>)[q[q.length - 1]!]));
      if (arrays.length === 0) return false;
      const q = arrays[m.at % arrays.length]!;
      const { parent: fp, key: fk } = parentOf(doc, q);
      const items = (fp as Record<string | number, Json>)[fk] as Json[];
      if (items.length === 0) return false;
      (fp as Record<string | number, Json>)[fk] = Array.from({ length: FLOOD }, (_, i) => items[i % items.length]!);
      return true;
    }
    case "unknownChannel": {
      const refs = paths.filter((q) => q.includes("notify") || q.at(-2) === "channels" && typeof q.at(-1) === "number");
      if (refs.length === 0) return false;
      const r = refs[m.at % refs.length]!;
      const rp = parentOf(doc, r);
      if (!Array.isArray(rp.parent)) return false;
      (rp.parent as Json[])[rp.key as number] = "no-such-channel-anywhere";
      return true;
    }
  }
}

/** Whether everything in `sent` is in `saved` (the mask stands for whatever was stored). */
function keptAll(sent: Json, saved: Json): boolean {
  if (sent === SECRET_MASK) return typeof saved === "string";
  if (Array.isArray(sent)) return Array.isArray(saved) && sent.length === saved.length && sent.every((v, i) => keptAll(v, saved[i]!));
  if (sent !== null && typeof sent === "object") {
    if (saved === null || typeof saved !== "object" || Array.isArray(saved)) return false;
    return Object.entries(sent).every(([k, v]) => Object.hasOwn(saved, k) && keptAll(v, (saved as Record<string, Json>)[k]!));
  }
  return Object.is(sent, saved);
}

const protoKey = fc.constantFrom("__proto__", "toString", "constructor", "hasOwnProperty", "valueOf");

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("replace" as const), at: fc.nat(), value: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json> }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("unknownKey" as const), at: fc.nat(), key: fc.stringMatching(/^[a-z]{1,8}$/) }),
  fc.record({ kind: fc.constant("badDuration" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("unknownChannel" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("protoKey" as const), at: fc.nat(), key: protoKey }),
  fc.record({ kind: fc.constant("flood" as const), at: fc.nat() }),
);

const seeds: Json[] = [sampleRules() as unknown as Json, ...templateInputs().map((t) => t.input as unknown as Json), {}];
const validSeeds = seeds.slice(0, -1);

const breakingMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("protoKey" as const), at: fc.nat(), key: fc.constant("__proto__") }),
  fc.record({ kind: fc.constant("flood" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("unknownKey" as const), at: fc.nat(), key: fc.stringMatching(/^[a-z]{1,8}$/) }),
  fc.record({ kind: fc.constant("badDuration" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("unknownChannel" as const), at: fc.nat() }),
);

const body: fc.Arbitrary<{ doc: Json; invalid: boolean }> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([seed, ms]) => {
    const doc = structuredClone(seed);
    let invalid = false;
    // Invalid-by-construction mutations go last, so a later replace or delete cannot undo them.
    const breaking = (m: Mutation) => m.kind !== "replace" && m.kind !== "delete" && !(m.kind === "protoKey" && m.key !== "__proto__");
    for (const m of [...ms.filter((m) => !breaking(m)), ...ms.filter(breaking)]) invalid = mutate(doc, m) || invalid;
    return { doc, invalid };
  }) },
  { weight: 1, arbitrary: (fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<Json>).map((doc) => ({ doc, invalid: false })) },
  // One mistake in an otherwise valid document: must always be refused.
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...validSeeds), breakingMutation).map(([seed, m]) => {
    const doc = structuredClone(seed);
    return { doc, invalid: mutate(doc, m) };
  }) },
);

const FUZZ_RUNS = 300;

describe("fuzzing PUT /rules", () => {
  it("never answers 5xx, never saves an invalid document, and never drops what was sent", async () => {
    let store: Store = await newStore("fuzz");
    const seen = { saved: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(body, async ({ doc, invalid }) => {
        const registry = env.STORES.getByName(store.storeId);
        // Read, not tracked: a failing run must not leave the next one (or a shrink step) with a stale If-Match.
        const version = (await registry.rulesVersions(1)).current;
        const res = await call("PUT", rulesPath(store), { token: store.adminToken, body: doc, headers: { "if-match": `"v${version}"` } });
        expect(res.status, JSON.stringify(res.body)).toBeLessThan(500);
        if (res.status === 200) {
          const stored = await registry.rulesRead();
          // A fresh store per saved version keeps each store's KV pointer to one write (no 1 s coalescing waits).
          store = await newStore("fuzz");
          expect(invalid, "a document invalid by construction was saved").toBe(false);
          expect(stored!.version).toBe(version + 1);
          expect(keptAll(doc, stored!.document as unknown as Json), "something sent was silently dropped").toBe(true);
          seen.saved++;
        } else {
          expect(res.status).toBe(400);
          expect((await registry.rulesVersions(1)).current).toBe(version);
          seen.refused++;
        }
      }),
      { numRuns: Number(FUZZ_RUNS) },
    );
    // The generator must exercise both outcomes, or the property says little.
    expect(seen.saved).toBeGreaterThan(10);
    expect(seen.refused).toBeGreaterThan(100);
  }, 300_000);
});

describe("fuzzing POST /rules/dry-run", () => {
  const event = fc.record({
    provider: fc.constantFrom("custom", "zendesk", "shopify"),
    providerEventId: fc.stringMatching(/^[a-z0-9]{1,6}$/),
    occurredAt: fc.integer({ min: Date.parse("2026-01-05T00:00:00Z"), max: Date.parse("2026-01-12T00:00:00Z") }).map((t) => new Date(t).toISOString()),
    caseKey: fc.oneof(
      fc.record({ type: fc.constant("ticket"), provider: fc.constant("custom"), ticketId: fc.constantFrom("1", "2") }),
      fc.record({ type: fc.constant("shipment"), carrier: fc.constant("ups"), trackingNumber: fc.constantFrom("1Z1", "1Z2") }),
    ),
    kind: fc.constantFrom(
      "case.opened", "case.customer_message", "case.agent_reply", "case.status_changed", "case.priority_changed", "case.tags_changed", "case.rating",
      "case.callback_promised", "case.callback_done", "shipment.label_created", "shipment.in_transit", "shipment.exception", "shipment.eta_later", "shipment.delivered",
    ),
    status: fc.option(fc.constantFrom("open", "pending", "solved"), { nil: undefined }),
    priority: fc.option(fc.constantFrom("low", "normal", "high", "urgent"), { nil: undefined }),
    channel: fc.option(fc.constantFrom("chat", "email"), { nil: undefined }),
    tags: fc.option(fc.array(fc.constantFrom("vip", "chargeback", "callback")), { nil: undefined }),
    rating: fc.option(fc.record({ score: fc.constantFrom("good", "bad") }), { nil: undefined }),
    body: fc.option(fc.constantFrom("where is my parcel", "I will file a chargeback"), { nil: undefined }),
    callback: fc.option(fc.record({ at: fc.constant("2026-01-06T10:00:00Z") }), { nil: undefined }),
  });
  const junk = fc.jsonValue({ maxDepth: 3 });

  it("never answers 5xx and never saves anything", async () => {
    const store = await newStore("dry-run fuzz");
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof({ weight: 5, arbitrary: event }, { weight: 1, arbitrary: junk }), { minLength: 1, maxLength: 8 }), fc.constantFrom(...seeds), async (events, rules) => {
        // A bounded horizon keeps each run cheap; the default (14 days past the last event) is covered in dry-run.test.ts.
        const res = await call("POST", rulesPath(store, "/dry-run"), { token: store.adminToken, body: { rules, events, until: "2026-01-15T00:00:00Z" } });
        expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBeLessThan(500);
        if (res.status === 200) expect(Array.isArray(res.body.reminders)).toBe(true);
      }),
      { numRuns: 80 },
    );
    expect((await env.STORES.getByName(store.storeId).rulesVersions(5)).current).toBe(0);
  }, 300_000);
});
