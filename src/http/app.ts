/**
 * The Worker's HTTP surface: mounts every concern's routes on one itty-router, and wraps each
 * with what all routes share: authentication, body and query validation, the JSON error
 * envelope, 404/405 answers, and one structured log line per request.
 */
import { Router, type IRequest } from "itty-router";
import { z } from "zod";
import { backtestRoutes } from "../backtest/routes";
import { acknowledgeRoutes } from "../cases/acknowledge-route";
import { caseRoutes } from "../cases/routes";
import { channelTestRoutes } from "../notify/channel-test-route";
import { deliveryRoutes } from "../notify/routes";
import { reportRoutes } from "../reports/routes";
import { rulesRoutes } from "../rules-store/routes";
import { slackRoutes } from "../slack/routes";
import { storeRoutes } from "../stores/routes";
import { webhookRoutes } from "../webhooks/routes";
import { requireOperator, requireStoreAdmin } from "./auth";
import { readJson } from "./body";
import { attemptKey, checkedDuringLockout, countFailure, isCountedFailure, lockoutOf, type AttemptKey } from "./rate-limit";
import { DOCS_HTML } from "./docs-page";
import { ApiError, errorResponse, validationError } from "./errors";
import { buildOpenApi } from "./openapi";
import { sessionRoutes } from "./session";
import { defineRoute, json, type RouteSpec, type StoreAuth } from "./route";

const systemRoutes: RouteSpec[] = [
  defineRoute({
    method: "get",
    path: "/healthz",
    summary: "Liveness",
    tags: ["System"],
    auth: "none",
    responses: { 200: { description: "The Worker is up", schema: z.object({ ok: z.literal(true) }) } },
    handler: () => json({ ok: true }),
  }),
  defineRoute({
    method: "get",
    path: "/openapi.json",
    summary: "OpenAPI document",
    tags: ["System"],
    auth: "none",
    responses: { 200: { description: "OpenAPI 3.1, generated from the zod schemas" } },
    handler: ({ url }) => json(openApiFor(url.origin)),
  }),
  defineRoute({
    method: "get",
    path: "/docs",
    summary: "Readable API docs",
    tags: ["System"],
    auth: "none",
    responses: { 200: { description: "HTML page over /openapi.json", contentType: "text/html" } },
    handler: () => new Response(DOCS_HTML, { headers: { "content-type": "text/html; charset=utf-8" } }),
  }),
];

/** The document only changes with a deploy: built once per origin, not on every request. */
const openApiByOrigin = new Map<string, unknown>();
function openApiFor(origin: string): unknown {
  let doc = openApiByOrigin.get(origin);
  if (doc === undefined) {
    doc = buildOpenApi(ALL_ROUTES, origin);
    if (openApiByOrigin.size < 16) openApiByOrigin.set(origin, doc);
  }
  return doc;
}

export const ALL_ROUTES: RouteSpec[] = [...systemRoutes, ...storeRoutes, ...webhookRoutes, ...rulesRoutes, ...backtestRoutes, ...caseRoutes, ...acknowledgeRoutes, ...deliveryRoutes, ...channelTestRoutes, ...sessionRoutes, ...reportRoutes, ...slackRoutes];

interface RequestState {
  requestId: string;
  route?: string;
  storeId?: string;
  log: Record<string, unknown>;
}

type Args = [Env, ExecutionContext, RequestState];
const router = Router<IRequest, Args>();
for (const spec of ALL_ROUTES) {
  router[spec.method](spec.path, (request: IRequest, env: Env, ctx: ExecutionContext, state: RequestState) => runRoute(spec, request, env, ctx, state));
}

/** Patterns used to tell 405 (path exists, other method) from 404. */
const PATTERNS = ALL_ROUTES.map((r) => ({ method: r.method.toUpperCase(), re: new RegExp(`^${r.path.replace(/:(\w+)/g, "[^/]+")}/?$`) }));

async function runRoute(spec: RouteSpec, request: IRequest, env: Env, ctx: ExecutionContext, state: RequestState): Promise<Response> {
  state.route = spec.path;
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries((request.params ?? {}) as Record<string, string>)) {
    try {
      params[k] = decodeURIComponent(v);
    } catch {
      throw new ApiError(400, "bad_path", `path parameter ${k} is not valid percent-encoding`);
    }
  }
  if (params.storeId) state.storeId = params.storeId;
  const url = new URL(request.url);

  // Failed authentication is rate limited per client. Over the limit, a failure is answered 429;
  // a request that proves itself still goes through, except on the operator route (rate-limit.ts).
  const attempt = attemptKey(spec.auth, request, params.storeId);
  const lockout = attempt ? lockoutOf(attempt) : null;
  if (lockout && !checkedDuringLockout(attempt!.auth)) throw lockout;
  let auth: StoreAuth | undefined;
  if (spec.auth === "operator") await counted(env, attempt, lockout, () => requireOperator(request, env));
  if (spec.auth === "store") auth = await counted(env, attempt, lockout, () => requireStoreAdmin(request, env, params.storeId ?? ""));

  let query: unknown = Object.fromEntries(url.searchParams);
  if (spec.query) {
    const parsed = spec.query.safeParse(query);
    if (!parsed.success) throw validationError(parsed.error, "query string", ["query"]);
    query = parsed.data;
  }
  const body = spec.body ? await readJson(request, spec.body, { optional: spec.bodyOptional, maxBytes: spec.maxBodyBytes }) : undefined;
  const handle = () => spec.handler({ request, env, ctx, url, params, query: query as Record<string, string>, body: body as undefined, auth, requestId: state.requestId, log: state.log });
  // A webhook authenticates inside its handler (the signature is checked on the raw body).
  return spec.auth === "webhook" ? counted(env, attempt, lockout, handle) : handle();
}

/**
 * Runs an authentication step; a failure it throws is counted, and the one over the limit becomes
 * 429. During a lockout a failure is answered with the lockout's 429, uncounted, so the lockout
 * ends when its window does.
 */
async function counted<T>(env: Env, attempt: AttemptKey | null, lockout: ApiError | null, step: () => Promise<T> | T): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (attempt && isCountedFailure(attempt.auth, err)) {
      if (lockout) throw lockout;
      const over = await countFailure(env, attempt);
      if (over) throw over;
    }
    throw err;
  }
}

function unmatched(request: Request): ApiError {
  const path = new URL(request.url).pathname;
  const allowed = [...new Set(PATTERNS.filter((p) => p.re.test(path)).map((p) => p.method))];
  if (allowed.length > 0) {
    return new ApiError(405, "method_not_allowed", `${request.method} is not allowed here; use ${allowed.join(", ")}`, undefined, { allow: allowed.join(", ") });
  }
  return new ApiError(404, "not_found", `no route for ${request.method} ${path}`);
}

/** Cloudflare's ray id, `<16 hex>-<colo>`: what the edge sets, and nothing a client could dress up. */
const CF_RAY = /^[0-9a-f]{16}-[A-Z]{3}$/;

/**
 * The request id in logs and the x-request-id answer: the ray id, so a log line can be matched
 * with Cloudflare's own, when the header has its shape. Only the edge sets it in production, but
 * locally a client can send anything, so any other value gets a fresh id instead.
 */
function requestIdOf(request: Request): string {
  const ray = request.headers.get("cf-ray");
  return ray !== null && CF_RAY.test(ray) ? ray : crypto.randomUUID();
}

export async function handleFetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  const started = Date.now();
  const state: RequestState = { requestId: requestIdOf(request), log: {} };
  let response: Response;
  try {
    response = ((await router.fetch(request, env, ctx, state)) as Response | undefined) ?? errorResponse(unmatched(request), state.requestId);
  } catch (err) {
    if (err instanceof ApiError) response = errorResponse(err, state.requestId);
    else {
      state.log.error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      response = errorResponse(new ApiError(500, "internal", "internal error; the request id identifies it in the logs"), state.requestId);
    }
  }
  if (!response.headers.has("x-request-id")) {
    // Responses built here have mutable headers; copying each one (a Response, its headers and a
    // body stream more per request) showed up as garbage-collection work under load. Only a
    // response passed through from a fetch has immutable headers and needs the copy.
    try {
      response.headers.set("x-request-id", state.requestId);
    } catch {
      response = new Response(response.body, response);
      response.headers.set("x-request-id", state.requestId);
    }
  }
  console.log(
    JSON.stringify({
      msg: "request",
      requestId: state.requestId,
      method: request.method,
      route: state.route ?? null,
      status: response.status,
      storeId: state.storeId ?? null,
      durationMs: Date.now() - started,
      ...state.log,
    }),
  );
  return response;
}
