/**
 * The routes to fuzz, read from the app itself (ALL_ROUTES), so a route added later is fuzzed
 * without anyone touching this folder; and, for any request, a verdict on what the Worker must
 * answer: which route it reaches (decided by itty-router itself, the router the app uses), and
 * which of its parts must make it fail (an Authorization that does not open the store, a query
 * or body its schema refuses, a path parameter naming nothing that exists).
 */
import { Router } from "itty-router";
import type { z } from "zod";
import { ALL_ROUTES } from "../../../src/http/app";
import type { RouteSpec } from "../../../src/http/route";
import { BASE, type Wire } from "./send";

export interface FuzzRoute {
  spec: RouteSpec;
  /** `put /v1/stores/:storeId/rules` */
  key: string;
  params: string[];
  /** Not a GET and not declared read-only below: a success here would change state. */
  mutating: boolean;
  /** Says whether a body value is one the route accepts (its zod schema, or the override below). */
  bodyAccepts?: (value: unknown) => boolean;
  /** The router lets any JSON through: the handler validates it, after checks of its own (If-Match). */
  bodyOpaque: boolean;
}

/**
 * POST routes that change nothing by design (their description says so and the state checks
 * prove it), so the fuzz may send them requests that succeed.
 */
export const READ_ONLY_POSTS = new Set(["post /v1/stores/:storeId/rules/dry-run"]);

export const routeKey = (spec: RouteSpec) => `${spec.method} ${spec.path}`;

const PROBES: unknown[] = [12345, "probe", [[]], { "\u0000probe": true }, null];

/** A schema that accepts every probe is opaque: the route validates its body itself, deeper in. */
function isOpaque(schema: z.ZodType): boolean {
  return PROBES.every((p) => schema.safeParse(p).success);
}

/**
 * Enumerates ALL_ROUTES. `bodyOracles` gives, for routes whose declared body schema is opaque
 * (PUT /rules validates in the registry), the schema that decides validity; an opaque body
 * without one is refused, so a new route of that kind gets an oracle before it gets fuzzed.
 */
export function fuzzRoutes(bodyOracles: Record<string, (value: unknown) => boolean>): FuzzRoute[] {
  return ALL_ROUTES.map((spec) => {
    const key = routeKey(spec);
    let bodyAccepts: FuzzRoute["bodyAccepts"];
    const bodyOpaque = spec.body !== undefined && isOpaque(spec.body);
    if (spec.body) {
      const schema = spec.body;
      if (bodyOpaque) {
        bodyAccepts = bodyOracles[key];
        if (!bodyAccepts) throw new Error(`${key} declares an opaque body schema: give the fuzz a body oracle for it (tests/fuzz)`);
      } else bodyAccepts = (v) => schema.safeParse(v).success;
    }
    return {
      spec,
      key,
      params: [...spec.path.matchAll(/:(\w+)/g)].map((m) => m[1]!),
      mutating: spec.method !== "get" && !READ_ONLY_POSTS.has(key),
      bodyOpaque,
      ...(bodyAccepts ? { bodyAccepts } : {}),
    };
  });
}

interface Matched {
  spec: RouteSpec;
  rawParams: Record<string, string>;
}

// The app's own router library, with the app's routes, answering only "which route, which params".
const matcher = Router<{ url: string; method: string; params?: Record<string, string> }>();
for (const spec of ALL_ROUTES) matcher[spec.method](spec.path, (req) => ({ spec, rawParams: { ...(req.params ?? {}) } }) satisfies Matched);

export async function matchRoute(method: string, target: string): Promise<Matched | undefined> {
  return (await matcher.fetch({ url: BASE + target, method })) as Matched | undefined;
}

/** What exists in the stores under test: which credentials open which store, and live ids. */
export interface World {
  /** token → the store it opens */
  tokens: Map<string, string>;
  operatorToken: string;
  /** Path parameter name → values that name something that exists (compared after canonical()). */
  live: Record<string, Set<string>>;
}

/** Numbers in paths are read as numbers ("01" is version 1), everything else as is. */
export function canonical(name: string, value: string): string {
  if ((name === "version" || name === "id") && /^\d+$/.test(value)) return String(Number(value));
  return value;
}

export function bearer(value: string | undefined): string | null {
  if (value === undefined) return null;
  // RFC 6750: case-insensitive scheme, one token (headers arrive trimmed).
  const m = /^Bearer\s+(\S+)\s*$/i.exec(value.trim());
  return m ? m[1]! : "";
}

export type Poison = "bad-escape" | "auth" | "query" | "content-type" | "too-large" | "not-json" | "body-invalid" | `unknown-${string}` | "no-route" | "unsigned";

export interface Verdict {
  route?: FuzzRoute;
  poison: Poison[];
  /** The status the first refusal in the Worker's order of checks must have, when it is fixed. */
  expectedStatus?: number;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

function isJsonType(value: string | undefined): boolean {
  if (!value) return false;
  const media = value.split(";")[0]!.trim().toLowerCase();
  return media === "application/json" || media.endsWith("+json");
}

/** Whether a parsed JSON value has an own "__proto__" key anywhere (within 64 levels). */
function hasProtoKey(value: unknown): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== "object" || v === null || depth > 64) continue;
    if (!Array.isArray(v) && Object.hasOwn(v, "__proto__")) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

/** Reads a request the way a correct Worker must, and says what must make it fail. */
export async function classify(wire: Wire, routes: FuzzRoute[], world: World): Promise<Verdict> {
  const matched = await matchRoute(wire.method, wire.target);
  if (!matched) return { poison: ["no-route"] };
  const route = routes.find((r) => r.spec === matched.spec)!;
  // Read through Headers, as the Worker does: duplicates join with ", ", values arrive trimmed.
  const headers = new Headers();
  for (const [k, v] of wire.headers) headers.append(k, v);
  const header = (name: string) => headers.get(name) ?? undefined;
  const poison: Poison[] = [];
  let expectedStatus: number | undefined;
  const refuse = (p: Poison, status?: number) => {
    if (poison.length === 0) expectedStatus = status;
    poison.push(p);
  };

  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(matched.rawParams)) {
    try {
      params[k] = decodeURIComponent(v);
    } catch {
      refuse("bad-escape", 400);
    }
  }
  const token = bearer(header("authorization"));
  if (route.spec.auth === "store" && (token === null || world.tokens.get(token) !== params.storeId)) refuse("auth", 401);
  if (route.spec.auth === "operator" && token !== world.operatorToken) refuse("auth", 401);
  if (route.spec.auth === "webhook") refuse("unsigned");

  const url = new URL(BASE + wire.target);
  if (route.spec.query && !route.spec.query.safeParse(Object.fromEntries(url.searchParams)).success) refuse("query", 400);

  if (route.spec.body && route.bodyAccepts) {
    const bytes = wire.body === undefined ? new Uint8Array() : typeof wire.body === "string" ? encoder.encode(wire.body) : wire.body;
    // An optional body is read before its type is checked: no bytes means `{}`, and size comes first.
    if (route.spec.bodyOptional && bytes.byteLength === 0) {
      if (!route.bodyAccepts({})) refuse("body-invalid", route.bodyOpaque ? undefined : 400);
    } else if (route.spec.bodyOptional && bytes.byteLength > (route.spec.maxBodyBytes ?? 1024 * 1024)) refuse("too-large", route.spec.maxBodyBytes ? 400 : 413);
    else if (!isJsonType(header("content-type"))) refuse("content-type", 415);
    // A route's own cap (a rules document's 256 KB) is a limit of the document: 400, not 413.
    else if (route.spec.maxBodyBytes !== undefined && bytes.byteLength > route.spec.maxBodyBytes) refuse("too-large", 400);
    else if (bytes.byteLength > 1024 * 1024) refuse("too-large", 413);
    else {
      let value: unknown;
      let parsed = true;
      try {
        value = JSON.parse(decoder.decode(bytes));
      } catch {
        parsed = false;
      }
      if (!parsed) refuse("not-json", 400);
      // zod skips an own "__proto__" key without a word; every admin body refuses it (src/http/body.ts).
      else if (hasProtoKey(value)) refuse("body-invalid", 400);
      else if (!route.bodyAccepts(value)) refuse("body-invalid", route.bodyOpaque ? undefined : 400);
    }
  }

  // The console's session routes take a session cookie (or, to sign in, a store id and admin
  // token in the body), which the fuzz never holds: each can only refuse.
  if (route.spec.path === "/v1/session") refuse("auth", route.spec.method === "delete" ? undefined : 401);

  for (const name of route.params) {
    const live = world.live[name];
    if (name === "storeId" || !live || params[name] === undefined) continue;
    if (!live.has(canonical(name, params[name]!))) refuse(`unknown-${name}`);
  }
  return { route, poison, ...(expectedStatus !== undefined ? { expectedStatus } : {}) };
}
