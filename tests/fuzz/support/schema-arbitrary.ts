/**
 * Values shaped like a route's request schema, so fuzzed bodies get past the first type check and
 * reach the deeper validation (cross-references, refinements, the registry). The route's zod
 * schema is turned into JSON Schema (the same document /openapi.json publishes) and walked here;
 * the values are "schema-shaped", not guaranteed valid: whether one is valid is decided by the
 * route's own schema when the request is classified (see ./routes.ts).
 */
import fc from "fast-check";
import { z } from "zod";

export type JsonSchema = { [key: string]: unknown };

export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: "input", target: "draft-2020-12", unrepresentable: "any" }) as JsonSchema;
}

const MAX_DEPTH = 7;
const looseJson = fc.jsonValue({ maxDepth: 2 });

function safeRegex(pattern: string): RegExp | null {
  try {
    return new RegExp(pattern);
  } catch {
    return null;
  }
}

function stringArb(s: JsonSchema): fc.Arbitrary<string> {
  const min = typeof s.minLength === "number" ? s.minLength : 0;
  const max = typeof s.maxLength === "number" ? s.maxLength : min + 24;
  const bounded = fc.string({ minLength: min, maxLength: Math.min(max, min + 24), unit: "grapheme" });
  if (s.format === "date-time") {
    // Around now (callbacks and snoozes must be in the next 90 days), sometimes far off or with an offset.
    const now = Date.now();
    return fc.oneof(
      fc.integer({ min: now - 86_400_000, max: now + 100 * 86_400_000 }).map((t) => new Date(t).toISOString()),
      fc.integer({ min: -8_640_000_000_000, max: 8_640_000_000_000 }).map((t) => new Date(t).toISOString()),
      fc.integer({ min: now, max: now + 30 * 86_400_000 }).map((t) => new Date(t).toISOString().replace("Z", "+03:00")),
    );
  }
  if (s.format === "uri") return fc.oneof(fc.webUrl(), fc.constantFrom("http://127.0.0.1:1/x", "mailto:a@b", "javascript:alert(1)", "https://"));
  if (s.format === "email") return fc.emailAddress();
  if (typeof s.pattern === "string") {
    const re = safeRegex(s.pattern);
    if (re) {
      try {
        return fc.oneof({ weight: 4, arbitrary: fc.stringMatching(re) }, { weight: 1, arbitrary: bounded });
      } catch {
        /* a pattern fast-check cannot generate from: plain strings */
      }
    }
  }
  return bounded;
}

function numberArb(s: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const min = typeof s.minimum === "number" ? s.minimum : typeof s.exclusiveMinimum === "number" ? s.exclusiveMinimum + 1 : undefined;
  const max = typeof s.maximum === "number" ? s.maximum : typeof s.exclusiveMaximum === "number" ? s.exclusiveMaximum - 1 : undefined;
  if (integer) {
    const lo = Math.max(min ?? -1_000_000, Number.MIN_SAFE_INTEGER);
    const hi = Math.min(max ?? 1_000_000, Number.MAX_SAFE_INTEGER);
    return fc.oneof({ weight: 4, arbitrary: fc.integer({ min: lo, max: hi }) }, { weight: 1, arbitrary: fc.constantFrom(lo, hi, lo - 1, hi + 1, 0, -1, 2 ** 53) });
  }
  return fc.double({ noNaN: true, noDefaultInfinity: true, ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) });
}

/** An arbitrary for values shaped like `schema` (resolving `$ref` against `root`). */
export function arbitraryFor(schema: unknown, root: JsonSchema = schema as JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  if (schema === false) return fc.constant(null);
  if (schema === true || schema === undefined || schema === null || typeof schema !== "object") return looseJson;
  const s = schema as JsonSchema;
  if (depth > MAX_DEPTH) return fc.constantFrom(null, 0, "", [], {});
  if (typeof s.$ref === "string") {
    const target = s.$ref.startsWith("#/") ? s.$ref.slice(2).split("/").reduce<unknown>((o, k) => (o as JsonSchema | undefined)?.[k], root) : undefined;
    return arbitraryFor(target, root, depth + 1);
  }
  if ("const" in s) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
  const alternatives = (s.anyOf ?? s.oneOf) as unknown[] | undefined;
  if (Array.isArray(alternatives) && alternatives.length > 0) return fc.oneof(...alternatives.map((a) => arbitraryFor(a, root, depth + 1)));
  if (Array.isArray(s.allOf) && s.allOf.length > 0) return arbitraryFor(s.allOf[0], root, depth + 1);
  const type = s.type;
  if (Array.isArray(type)) return fc.oneof(...type.map((t) => arbitraryFor({ ...s, type: t }, root, depth)));
  switch (type) {
    case "string":
      return stringArb(s);
    case "integer":
      return numberArb(s, true);
    case "number":
      return numberArb(s, false);
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array": {
      const minItems = typeof s.minItems === "number" ? s.minItems : 0;
      const maxItems = Math.min(typeof s.maxItems === "number" ? s.maxItems : minItems + 3, minItems + 3);
      if (Array.isArray(s.prefixItems)) return fc.tuple(...s.prefixItems.map((p) => arbitraryFor(p, root, depth + 1)));
      return fc.array(arbitraryFor(s.items, root, depth + 1), { minLength: minItems, maxLength: maxItems });
    }
    case "object": {
      const properties = (s.properties ?? {}) as Record<string, unknown>;
      const required = Array.isArray(s.required) ? (s.required as string[]) : [];
      const fixed = fc.record(
        Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, arbitraryFor(v, root, depth + 1)])),
        { requiredKeys: required.filter((k) => k in properties) },
      );
      const extra = s.additionalProperties;
      if (extra && typeof extra === "object") {
        const keys = s.propertyNames ? (arbitraryFor(s.propertyNames, root, depth + 1) as fc.Arbitrary<string>) : fc.string({ minLength: 1, maxLength: 12 });
        const dict = fc.dictionary(keys.filter((k) => typeof k === "string"), arbitraryFor(extra, root, depth + 1), { maxKeys: 3, noNullPrototype: true });
        return fc.tuple(fixed, dict).map(([a, b]) => ({ ...b, ...a }));
      }
      return fixed;
    }
    default:
      return looseJson;
  }
}
