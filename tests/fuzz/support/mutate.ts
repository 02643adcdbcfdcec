/**
 * Mutations of a JSON value: the small mistakes (a missing field, a wrong type, an unknown key)
 * and the hostile ones (prototype keys, deep nesting, huge strings) a body can carry. A mutation
 * picks one node of the value by index and changes it; several can be stacked.
 */
import fc from "fast-check";
import { jsonText } from "./json-text";

type Json = unknown;

interface Slot {
  parent: Record<string, unknown> | unknown[] | null;
  key: string | number | null;
  value: Json;
}

function slots(value: Json): Slot[] {
  // Iterative: a mutated value may be nested thousands deep.
  const out: Slot[] = [{ parent: null, key: null, value }];
  const stack: Json[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      v.forEach((child, i) => {
        out.push({ parent: v, key: i, value: child });
        stack.push(child);
      });
    } else if (v !== null && typeof v === "object") {
      for (const [k, child] of Object.entries(v)) {
        out.push({ parent: v as Record<string, unknown>, key: k, value: child });
        stack.push(child);
      }
    }
  }
  return out;
}

/** Sets an own, enumerable key (so "__proto__" is a real key that JSON.stringify writes out). */
function defineKey(obj: Record<string, unknown>, key: string, value: Json): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function nest(depth: number, leaf: Json, asObject: boolean): Json {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = asObject ? { a: v } : [v];
  return v;
}

export const hostileKeys = fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "", " ", "a.b", "[0]", "💥", "\u0000", "ɑ̃", "x".repeat(300));

export const oddValues: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, -0, 1e308, -1e308, 2 ** 53 + 2, "", " ", "\u0000", "********", "null", "true", "0", "1", "-1", "NaN", "Infinity", "2026-02-30T25:61:00Z", "1970-01-01T00:00:00Z", "9999-12-31T23:59:59Z", [], {}, [[]], [{}], { "": "" }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.constant("x".repeat(5000)),
  fc.jsonValue({ maxDepth: 2 }),
);

const MUTATIONS = ["delete", "replace", "addKey", "wrapArray", "deepNest", "duplicate", "stringify", "emptyContainer", "flood"] as const;

/** How far "flood" grows a collection: past every documented cap (a calendar's 1,000 holidays). */
const FLOOD = 2000;
type Mutation = (typeof MUTATIONS)[number];

function apply(value: Json, index: number, kind: Mutation, odd: Json, key: string, depth: number): Json {
  const root = JSON.parse(jsonText(value ?? null) ?? "null") as Json;
  const all = slots(root);
  const slot = all[index % all.length]!;
  const put = (v: Json): Json => {
    if (slot.parent === null) return v;
    if (Array.isArray(slot.parent)) slot.parent[slot.key as number] = v;
    else defineKey(slot.parent, slot.key as string, v);
    return root;
  };
  switch (kind) {
    case "delete":
      if (slot.parent === null) return undefined;
      if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 1);
      else delete slot.parent[slot.key as string];
      return root;
    case "replace":
      return put(odd);
    case "addKey": {
      const target = slot.value !== null && typeof slot.value === "object" && !Array.isArray(slot.value) ? (slot.value as Record<string, unknown>) : null;
      if (target) {
        defineKey(target, key, odd);
        return root;
      }
      const obj: Record<string, unknown> = {};
      defineKey(obj, key, odd);
      return put(obj);
    }
    case "wrapArray":
      return put([slot.value]);
    case "deepNest":
      return put(nest(depth, slot.value, depth % 2 === 0));
    case "duplicate":
      if (Array.isArray(slot.value)) return put([...slot.value, ...slot.value, ...slot.value]);
      return put(Array.from({ length: 3 }, () => slot.value));
    case "stringify":
      return put(jsonText(slot.value ?? null) ?? "null");
    case "emptyContainer":
      return put(Array.isArray(slot.value) ? {} : []);
    case "flood": {
      // A huge collection: the array repeated to FLOOD items, or an object with FLOOD keys.
      // Small items only, so a flood stays around the body caps instead of tens of megabytes.
      const small = (v: Json) => (jsonText(v ?? null) ?? "").length <= 300;
      if (Array.isArray(slot.value)) {
        const items = slot.value.filter(small);
        const pool = items.length > 0 ? items : [small(odd) ? odd : null];
        return put(Array.from({ length: FLOOD }, (_, i) => pool[i % pool.length]));
      }
      const unit = small(slot.value) ? slot.value : null;
      const obj: Record<string, unknown> = {};
      for (let i = 0; i < FLOOD; i++) defineKey(obj, `${key}${i}`, unit);
      return put(obj);
    }
  }
}

const oneMutation = fc.record({
  index: fc.nat(),
  kind: fc.constantFrom(...MUTATIONS),
  odd: oddValues,
  key: fc.oneof(hostileKeys, fc.string({ maxLength: 12 })),
  depth: fc.oneof(fc.integer({ min: 2, max: 40 }), fc.constantFrom(33, 64, 500, 5000)),
});

/** `base` with one to three mutations applied. */
export function mutated(base: fc.Arbitrary<Json>): fc.Arbitrary<Json> {
  return fc.tuple(base, fc.array(oneMutation, { minLength: 1, maxLength: 3 })).map(([v, ms]) => ms.reduce((acc, m) => apply(acc, m.index, m.kind, m.odd, m.key, m.depth), v));
}
