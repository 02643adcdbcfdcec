/**
 * The OpenAPI 3.1 document, generated from the same route declarations and zod schemas that
 * validate requests, so the docs cannot drift from what the API accepts.
 */
import { z } from "zod";
import { ErrorEnvelope } from "./errors";
import type { RouteSpec } from "./route";

type JsonObject = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: "input" | "output"): JsonObject {
  const out = z.toJSONSchema(schema, { io, target: "draft-2020-12", unrepresentable: "any" }) as JsonObject;
  delete out.$schema;
  return out;
}

const SECURITY: Record<string, JsonObject[] | undefined> = {
  none: undefined,
  webhook: [],
  operator: [{ operatorToken: [] }],
  store: [{ adminToken: [] }],
};

export function buildOpenApi(routes: RouteSpec[], serverUrl: string): JsonObject {
  const paths: Record<string, Record<string, JsonObject>> = {};
  const errorSchema = schemaOf(ErrorEnvelope, "output");
  for (const r of routes) {
    const openPath = r.path.replace(/:(\w+)/g, "{$1}");
    const parameters: JsonObject[] = [...r.path.matchAll(/:(\w+)/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: { type: "string" },
      ...(r.headers?.[m[1]!] ? { description: r.headers[m[1]!] } : {}),
    }));
    if (r.query) {
      const q = schemaOf(r.query, "input") as { properties?: Record<string, JsonObject>; required?: string[] };
      for (const [name, s] of Object.entries(q.properties ?? {})) {
        parameters.push({ name, in: "query", required: q.required?.includes(name) ?? false, schema: s });
      }
    }
    for (const [name, description] of Object.entries(r.headers ?? {})) {
      if (r.path.includes(`:${name}`)) continue;
      parameters.push({ name, in: "header", required: false, description, schema: { type: "string" } });
    }
    const responses: Record<string, JsonObject> = {};
    for (const [status, spec] of Object.entries(r.responses)) {
      responses[status] = {
        description: spec.description,
        ...(spec.schema
          ? { content: { [spec.contentType ?? "application/json"]: { schema: schemaOf(spec.schema, "output") } } }
          : Number(status) >= 400
            ? { content: { "application/json": { schema: errorSchema } } }
            : {}),
      };
    }
    if (r.auth !== "none") {
      responses["429"] ??= { description: "Too many failed authentication attempts from this client (see Retry-After)", content: { "application/json": { schema: errorSchema } } };
    }
    responses["4XX"] ??= { description: "Error (JSON envelope with field paths)", content: { "application/json": { schema: errorSchema } } };
    const op: JsonObject = {
      summary: r.summary,
      ...(r.description ? { description: r.description } : {}),
      tags: r.tags,
      operationId: `${r.method}${openPath.replace(/[{}]/g, "").replace(/[^a-zA-Z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ""))}`,
      parameters,
      responses,
    };
    const security = SECURITY[r.auth];
    if (security) op.security = security;
    if (r.body) op.requestBody = { required: !r.bodyOptional, content: { "application/json": { schema: schemaOf(r.body, "input") } } };
    (paths[openPath] ??= {})[r.method] = op;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Promptly API",
      version: "1",
      description:
        "Support automation for online stores: provider webhooks in, SLA and escalation rules per store, one timer-driven object per case, reminders out. Every error is `{ error: { code, message, issues?: [{ path, message }] } }`.",
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: {
        operatorToken: { type: "http", scheme: "bearer", description: "The deployment's OPERATOR_TOKEN (creates stores)." },
        adminToken: { type: "http", scheme: "bearer", description: "A store admin token (`prm.…`), valid only for its own store." },
      },
    },
    paths,
  };
}
