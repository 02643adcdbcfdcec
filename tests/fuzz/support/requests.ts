/**
 * Fuzzed requests for one route of ALL_ROUTES: its path with random or live parameters, a query
 * string, an Authorization, a content type, a body (schema-shaped and mutated, random JSON, not
 * JSON at all, or over the cap) and extra headers; sometimes another method on the same path.
 */
import fc from "fast-check";
import { arbitraryFor, jsonSchemaOf, type JsonSchema } from "./schema-arbitrary";
import { authorization, body as bodyArb, contentType, extraHeaders, hugeBody, junkSegment, queryString, type Principals, type WireBody } from "./inputs";
import { mutated } from "./mutate";
import type { FuzzRoute, World } from "./routes";
import type { Wire } from "./send";

export interface Context {
  world: World;
  principals: Principals;
  /** The store most requests aim at, another store, and ids that name no store. */
  storeIds: { main: string; other: string; none: string[] };
  /** Valid bodies to mutate, per route key (documents, events), besides the schema's own shape. */
  seeds: Record<string, unknown[]>;
  /** Extra body shapes per route key, where the declared schema says little (dry-run events are `unknown`). */
  shapes?: Record<string, fc.Arbitrary<unknown>>;
}

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "PROPFIND"];

function paramArb(name: string, ctx: Context): fc.Arbitrary<string> {
  if (name === "storeId") {
    return fc.oneof(
      { weight: 14, arbitrary: fc.constant(ctx.storeIds.main) },
      { weight: 1, arbitrary: fc.constant(ctx.storeIds.other) },
      { weight: 1, arbitrary: fc.constantFrom(...ctx.storeIds.none) },
      { weight: 2, arbitrary: junkSegment },
    );
  }
  const live = [...(ctx.world.live[name] ?? [])];
  if (live.length === 0) return junkSegment;
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...live).map(encodeURIComponent) },
    { weight: 1, arbitrary: fc.constantFrom(...live) },
    { weight: 3, arbitrary: junkSegment },
  );
}

function queryArb(route: FuzzRoute): fc.Arbitrary<string> {
  const schema = route.spec.query ? (jsonSchemaOf(route.spec.query) as { properties?: Record<string, JsonSchema> }) : {};
  const props = schema.properties ?? {};
  return queryString(Object.keys(props), (k) => arbitraryFor(props[k]).map((v) => (typeof v === "string" ? v : JSON.stringify(v) ?? "")));
}

function shapedBody(route: FuzzRoute, ctx: Context): fc.Arbitrary<unknown> {
  const fromSchema = route.spec.body ? arbitraryFor(jsonSchemaOf(route.spec.body)) : fc.jsonValue({ maxDepth: 2 });
  const seeds = ctx.seeds[route.key] ?? [];
  const seeded = seeds.length > 0 ? [{ weight: 2, arbitrary: fc.constantFrom(...seeds) }, { weight: 6, arbitrary: mutated(fc.constantFrom(...seeds)) }] : [];
  const extra = ctx.shapes?.[route.key];
  const shaped = extra ? [{ weight: 6, arbitrary: extra }, { weight: 2, arbitrary: mutated(extra) }] : [];
  return fc.oneof({ weight: 2, arbitrary: fromSchema }, { weight: 4, arbitrary: mutated(fromSchema) }, ...seeded, ...shaped);
}

export interface Generated {
  wire: Wire;
  authKind: string;
}

/**
 * Two kinds of tries, mixed: broad ones (any credential, method, content type) probe the outer
 * checks; focused ones carry the right credential for the store under test, the route's own
 * method and a JSON content type, so their bodies, queries and ids reach the handler.
 */
export function requestArb(route: FuzzRoute, ctx: Context): fc.Arbitrary<Generated> {
  const bodies: fc.Arbitrary<WireBody> = route.spec.body
    ? fc.oneof({ weight: 40, arbitrary: bodyArb(shapedBody(route, ctx)) }, { weight: 1, arbitrary: hugeBody })
    : fc.oneof({ weight: 3, arbitrary: fc.constant<WireBody>({ bytes: undefined }) }, { weight: 1, arbitrary: bodyArb(fc.jsonValue({ maxDepth: 2 })) });
  const method = route.spec.method.toUpperCase();
  // On operator routes the operator token is the right one, and a store token is the wrong kind.
  const principals = route.spec.auth === "operator" ? { ...ctx.principals, right: ctx.principals.operator, operator: ctx.principals.right } : ctx.principals;
  const broad = fc.record({
    method: fc.oneof({ weight: 12, arbitrary: fc.constant(method) }, { weight: 1, arbitrary: fc.constantFrom(...METHODS) }),
    params: fc.tuple(...route.params.map((p) => paramArb(p, ctx))),
    query: queryArb(route),
    auth: authorization(principals),
    type: route.spec.body ? contentType : fc.oneof(fc.constant(null), contentType),
    body: bodies,
    extra: extraHeaders,
  });
  const focused = fc.record({
    method: fc.constant(method),
    params: fc.tuple(...route.params.map((p) => (p === "storeId" ? fc.constant(ctx.storeIds.main) : paramArb(p, ctx)))),
    query: queryArb(route),
    auth: fc.constant({ kind: "right" as const, value: `Bearer ${principals.right}` }),
    type: fc.constant<string | null>("application/json"),
    body: bodies,
    extra: extraHeaders,
  });
  return fc.oneof({ weight: 3, arbitrary: broad }, { weight: 2, arbitrary: focused }).map(({ method, params, query, auth, type, body, extra }) => {
    let i = 0;
    const path = route.spec.path.replace(/:(\w+)/g, () => params[i++]!);
    const headers: [string, string][] = [...extra];
    if (auth.value !== null) headers.push(["authorization", auth.value]);
    if (type !== null) headers.push(["content-type", type]);
    const sendsBody = body.bytes !== undefined && method !== "GET" && method !== "HEAD";
    return { wire: { method, target: path + query, headers, ...(sendsBody ? { body: body.bytes } : {}) }, authKind: auth.kind };
  });
}

/** The same request with another Authorization. */
export function withAuthorization(wire: Wire, value: string): Wire {
  return { ...wire, headers: [...wire.headers.filter(([k]) => k.toLowerCase() !== "authorization"), ["authorization", value]] };
}

/** A readable one-line description of a request for failure messages. */
export function describeWire(w: Wire): string {
  const body = w.body === undefined ? "" : typeof w.body === "string" ? ` body=${JSON.stringify(w.body.slice(0, 400))}${w.body.length > 400 ? `…(${w.body.length} chars)` : ""}` : ` body=<${w.body.byteLength} bytes>`;
  const target = w.target.length > 300 ? `${w.target.slice(0, 300)}…(${w.target.length} chars)` : w.target;
  const headers = w.headers.map(([k, v]) => `${k}: ${v.length > 120 ? `${v.slice(0, 120)}…` : v}`).join(" | ");
  return `${w.method} ${target} [${headers}]${body}`;
}
