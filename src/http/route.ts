/**
 * A route is declared once, with its zod schemas, and that one declaration drives three things:
 * request validation, the handler's types, and the OpenAPI document at /openapi.json.
 * Each concern exports its routes from its own folder (`src/stores/routes.ts`,
 * `src/webhooks/routes.ts`, …); `src/http/app.ts` mounts them all.
 */
import type { z } from "zod";

export type HttpMethod = "get" | "post" | "put" | "patch" | "delete";

/**
 * - `none`: public (health, docs).
 * - `operator`: the deployment's OPERATOR_TOKEN (creating stores).
 * - `store`: a live admin token of the store named by the `:storeId` path parameter.
 * - `webhook`: public, but the handler verifies the provider's signature on the raw body itself.
 */
export type RouteAuth = "none" | "operator" | "store" | "webhook";

export interface StoreAuth {
  storeId: string;
  tokenId: string;
}

export interface RouteContext<B, Q> {
  request: Request;
  env: Env;
  ctx: ExecutionContext;
  url: URL;
  params: Record<string, string>;
  query: Q;
  body: B;
  /** Present on `store` routes: who is acting, for audit trails. */
  auth: StoreAuth | undefined;
  requestId: string;
  /** Lets a handler add fields (such as a store id on webhooks) to the request's log line. */
  log: Record<string, unknown>;
}

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  contentType?: string;
}

export interface RouteSpec<B extends z.ZodType | undefined = z.ZodType | undefined, Q extends z.ZodType | undefined = z.ZodType | undefined> {
  method: HttpMethod;
  /** itty-router pattern, e.g. `/v1/stores/:storeId/tokens/:tokenId`. */
  path: string;
  summary: string;
  description?: string;
  tags: string[];
  auth: RouteAuth;
  body?: B;
  /**
   * The body may be left out: a request without body bytes is validated as `{}`, whatever its
   * Content-Type. A request with a body must still send JSON.
   */
  bodyOptional?: boolean;
  /** A cap below the general 1 MiB body cap; over it → 400 at the root (see readJson). */
  maxBodyBytes?: number;
  query?: Q;
  /** Extra request headers worth documenting (If-Match, provider signature headers, …). */
  headers?: Record<string, string>;
  responses: Record<number, ResponseSpec>;
  handler: (
    ctx: RouteContext<B extends z.ZodType ? z.infer<B> : undefined, Q extends z.ZodType ? z.infer<Q> : Record<string, string>>,
  ) => Promise<Response> | Response;
}

/** Identity function that keeps the schema-derived handler types. */
export function defineRoute<B extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined>(
  spec: RouteSpec<B, Q>,
): RouteSpec {
  return spec as unknown as RouteSpec;
}

export function json(data: unknown, status = 200, headers?: Record<string, string>): Response {
  return Response.json(data, { status, headers });
}
