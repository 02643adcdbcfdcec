/** Provider configuration (admin) and the public webhook endpoint every provider posts to. */
import { z } from "zod";
import { PROVIDERS, ProviderId } from "../events/model";
import { ApiError, validationError } from "../http/errors";
import { defineRoute, json } from "../http/route";
import { DEFAULT_TOLERANCE_SECONDS } from "./common";
import { handleWebhook } from "./intake";
import { adapterFor } from "./registry";

export const ProviderConfigBody = z.object({
  /** One secret, or two during rotation: deliveries signed with either are accepted. */
  /** Required (1–2) for every provider except ShipEngine, which signs with keys Promptly fetches from its JWKS. */
  secrets: z.array(z.string().min(1, "a secret cannot be empty").max(4096)).max(2, "at most two secrets can be live at once").default([]),
  toleranceSeconds: z.number().int().min(30).max(3600).default(DEFAULT_TOLERANCE_SECONDS),
  options: z.record(z.string(), z.unknown()).default({}),
});

const ProviderSummary = z.object({
  provider: ProviderId,
  secretsConfigured: z.number().int(),
  toleranceSeconds: z.number().int(),
  options: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  updatedAt: z.string(),
  hookUrl: z.string(),
});

const IntakeAccepted = z.object({
  caseId: z.string().optional(),
  eventId: z.string().optional(),
  duplicate: z.boolean(),
  ignored: z.boolean().optional(),
  reason: z.string().optional(),
  events: z.array(z.object({ caseId: z.string(), eventId: z.string(), kind: z.string(), duplicate: z.boolean(), stale: z.boolean() })).optional(),
});

function knownProvider(provider: string) {
  const adapter = adapterFor(provider);
  if (!adapter) throw new ApiError(404, "unknown_provider", `unknown provider '${provider}'; one of: ${PROVIDERS.join(", ")}`);
  return adapter;
}

const hookUrl = (origin: string, storeId: string, provider: string) => `${origin}/hooks/${storeId}/${provider}`;

export const webhookRoutes = [
  defineRoute({
    method: "put",
    path: "/v1/stores/:storeId/providers/:provider",
    summary: "Configure a provider",
    description: `Sets the provider's secret(s) (two may be live for rotation), replay tolerance and options. Secrets are write-only. Providers: ${PROVIDERS.join(", ")}.`,
    tags: ["Providers"],
    auth: "store",
    body: ProviderConfigBody,
    responses: { 200: { description: "Configured (no secrets in the answer)", schema: ProviderSummary } },
    handler: async ({ env, params, body, auth, url }) => {
      const adapter = knownProvider(params.provider!);
      if (body.secrets.length === 0 && !adapter.noSharedSecret) {
        throw new ApiError(400, "validation_failed", "request body is not valid: 1 problem(s)", [{ path: "secrets", message: `give at least one secret: ${adapter.title} deliveries are verified with it` }]);
      }
      const options = adapter.optionsSchema.safeParse(body.options);
      if (!options.success) throw validationError(options.error, "options", ["options"]);
      const summary = await env.STORES.getByName(auth!.storeId).putProvider(adapter.id, { secrets: body.secrets, toleranceSeconds: body.toleranceSeconds, options: options.data });
      return json({ ...summary, hookUrl: hookUrl(url.origin, auth!.storeId, adapter.id) });
    },
  }),
  defineRoute({
    method: "get",
    path: "/v1/stores/:storeId/providers",
    summary: "List configured providers",
    tags: ["Providers"],
    auth: "store",
    responses: { 200: { description: "Configured providers (never secrets)", schema: z.object({ providers: z.array(ProviderSummary) }) } },
    handler: async ({ env, auth, url }) => {
      const list = await env.STORES.getByName(auth!.storeId).listProviders();
      return json({ providers: list.map((p) => ({ ...p, hookUrl: hookUrl(url.origin, auth!.storeId, p.provider) })) });
    },
  }),
  defineRoute({
    method: "get",
    path: "/v1/stores/:storeId/providers/:provider/setup",
    summary: "How to connect a provider",
    description: "Where to paste the webhook URL and secret in the provider's admin, which events to subscribe to, and the body template for providers that send what the admin templates (Freshdesk, Gorgias).",
    tags: ["Providers"],
    auth: "store",
    responses: { 200: { description: "Setup steps" } },
    handler: ({ params, auth, url }) => {
      const adapter = knownProvider(params.provider!);
      const hook = hookUrl(url.origin, auth!.storeId, adapter.id);
      return json({ provider: adapter.id, title: adapter.title, hookUrl: hook, ...adapter.setup(hook) });
    },
  }),
  defineRoute({
    method: "delete",
    path: "/v1/stores/:storeId/providers/:provider",
    summary: "Remove a provider",
    description: "Deliveries from this provider are refused (404) from now on.",
    tags: ["Providers"],
    auth: "store",
    responses: { 200: { description: "Removed" }, 404: { description: "Not configured" } },
    handler: async ({ env, params, auth }) => {
      const adapter = knownProvider(params.provider!);
      if (!(await env.STORES.getByName(auth!.storeId).removeProvider(adapter.id))) throw new ApiError(404, "not_found", "provider is not configured");
      return json({ provider: adapter.id, removed: true });
    },
  }),
  defineRoute({
    method: "post",
    path: "/hooks/:storeId/:provider",
    summary: "Receive a provider webhook",
    description:
      "Verified with the provider's own signature scheme on the raw bytes (401 `bad_signature` / `stale`), validated (400 with field paths), normalized and durably stored in the case before the 202. Duplicates answer 202 with `duplicate: true`; well-formed events we do not use answer 202 with `ignored: true`. 17TRACK retries anything but exactly 200, so its deliveries get the same answers with status 200. Provider test pings are answered 200 in the form each provider expects. Never 410.",
    tags: ["Webhooks"],
    auth: "webhook",
    responses: {
      200: { description: "17TRACK: stored, a duplicate or ignored (the same body as 202). Other providers: a test ping answered the way that provider expects, nothing stored" },
      202: { description: "Stored (or a duplicate, or ignored)", schema: IntakeAccepted },
      401: { description: "Bad signature or outside the replay window" },
      404: { description: "Unknown store, or provider not configured for it" },
      413: { description: "Body over 1 MiB" },
    },
    handler: ({ request, env, params, log }) => {
      log.provider = params.provider;
      return handleWebhook(request, env, params.storeId!, params.provider!, log);
    },
  }),
];
