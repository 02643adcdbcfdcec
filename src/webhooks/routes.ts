/** Provider configuration (admin) and the public webhook endpoint every provider posts to. */
import { z } from "zod";
import { PROVIDERS, ProviderId } from "../events/model";
import { ApiError, formatPath, type ErrorIssue } from "../http/errors";
import { defineRoute, json } from "../http/route";
import type { ProviderAdapter } from "./adapter";
import { DEFAULT_TOLERANCE_SECONDS } from "./common";
import { forgetProviderConfig } from "./config-cache";
import { handleWebhook } from "./intake";
import { forgetProviderActivity, isolateProviderActivity, mergeActivity, noteProviderActivity, type ProviderActivity } from "./provider-activity";
import { adapterFor } from "./registry";
import { checkDestination, destinationPolicy, type DestinationPolicy } from "../notify/destinations";

/**
 * `{ "secrets": ["…"], "toleranceSeconds": 300, …options }`: provider options sit at the top
 * level, next to the fields every provider has. The earlier nested form `{"options": {…}}` still
 * works. Loose on purpose: what is not a shared field is checked against the provider's own
 * strict options schema in the handler, so an unknown key is a 400 naming it, never dropped.
 */
export const ProviderConfigBody = z
  .looseObject({
    /** One secret, or two during rotation: deliveries signed with either are accepted. */
    /** Required (1–2) for every provider except ShipEngine, which signs with keys Promptly fetches from its JWKS. */
    secrets: z.array(z.string().min(1, "a secret cannot be empty").max(4096)).max(2, "at most two secrets can be live at once").default([]),
    toleranceSeconds: z.number().int().min(30).max(3600).default(DEFAULT_TOLERANCE_SECONDS),
    /** The nested form of the provider's options, kept for compatibility. */
    options: z.record(z.string(), z.unknown()).optional(),
  })
  .describe(
    "The provider's secret(s), replay tolerance, and its options (docs/providers.md lists them per provider) as further top-level fields, or nested under `options`; an option given both ways, or one the provider does not have, is a 400 naming it.",
  );

/**
 * Validates the provider's options from both places they may be given. Issue paths name the
 * field as the request spelled it (`jwksUrl`, or `options.jwksUrl` in the nested form), one issue
 * per unknown key, each listing the options this provider does have.
 */
function providerOptions(adapter: ProviderAdapter, body: z.infer<typeof ProviderConfigBody>): Record<string, unknown> {
  const { secrets: _secrets, toleranceSeconds: _tolerance, options: nested = {}, ...topLevel } = body;
  const pathOf = (key: PropertyKey) => (typeof key === "string" && Object.hasOwn(nested, key) ? `options.${key}` : String(key));
  const issues: ErrorIssue[] = Object.keys(topLevel)
    .filter((key) => Object.hasOwn(nested, key))
    .map((key) => ({ path: key, message: `"${key}" is given both at the top level and in "options": give it once` }));
  if (issues.length === 0) {
    const parsed = adapter.optionsSchema.safeParse({ ...nested, ...topLevel });
    if (parsed.success) return parsed.data;
    const known = Object.keys(adapter.optionsSchema.shape);
    const offer = known.length === 0 ? `${adapter.title} takes no options` : `${adapter.title} options are ${known.join(", ")}`;
    for (const issue of parsed.error.issues) {
      if (issue.code === "unrecognized_keys") {
        for (const key of issue.keys) issues.push({ path: pathOf(key), message: `unknown field "${key}": ${offer}` });
      } else {
        const [first, ...rest] = issue.path;
        issues.push({ path: first === undefined ? "(root)" : formatPath([pathOf(first), ...rest]), message: issue.message });
      }
    }
  }
  throw new ApiError(400, "validation_failed", `request body is not valid: ${issues.length} problem(s)`, issues);
}

/**
 * ShipEngine's key set is fetched by Promptly, so its URL is a destination like a channel's: a
 * public https host, or loopback where the deployment allows it (src/notify/destinations.ts).
 */
function refuseKeySetDestination(options: Record<string, unknown>, body: z.infer<typeof ProviderConfigBody>, policy: DestinationPolicy): void {
  if (typeof options.jwksUrl !== "string") return;
  const verdict = checkDestination(options.jwksUrl, policy);
  if (verdict.ok) return;
  const path = body.options !== undefined && Object.hasOwn(body.options, "jwksUrl") ? "options.jwksUrl" : "jwksUrl";
  throw new ApiError(400, "validation_failed", "request body is not valid: 1 problem(s)", [{ path, message: `destination refused: ${verdict.reason}` }]);
}

const ProviderSummary = z.object({
  provider: ProviderId,
  secretsConfigured: z.number().int(),
  toleranceSeconds: z.number().int(),
  options: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  updatedAt: z.string(),
  hookUrl: z.string(),
  lastReceivedAt: z.string().nullable().meta({ description: "The last delivery that passed the signature check (null: none yet). Up to about a minute behind under a steady stream." }),
  lastRefused: z
    .object({ at: z.string(), reason: z.string() })
    .nullable()
    .meta({ description: "The last delivery refused at the signature check (a wrong secret, a stale timestamp, keys unavailable), and why. Null: none." }),
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
    description: `Sets the provider's secret(s) (two may be live for rotation), replay tolerance and options, as \`{"secrets": ["…"], …options}\` (the nested \`{"options": {…}}\` form also works). An unknown option is a 400 naming it. Secrets are write-only. Providers: ${PROVIDERS.join(", ")}.`,
    tags: ["Providers"],
    auth: "store",
    body: ProviderConfigBody,
    responses: { 200: { description: "Configured (no secrets in the answer)", schema: ProviderSummary } },
    handler: async ({ env, params, body, auth, url }) => {
      const adapter = knownProvider(params.provider!);
      if (body.secrets.length === 0 && !adapter.noSharedSecret) {
        throw new ApiError(400, "validation_failed", "request body is not valid: 1 problem(s)", [{ path: "secrets", message: `give at least one secret: ${adapter.title} deliveries are verified with it` }]);
      }
      const options = providerOptions(adapter, body);
      refuseKeySetDestination(options, body, destinationPolicy(env.ALLOW_LOOPBACK_DESTINATIONS));
      const summary = await env.STORES.getByName(auth!.storeId).putProvider(adapter.id, { secrets: body.secrets, toleranceSeconds: body.toleranceSeconds, options });
      forgetProviderConfig(auth!.storeId, adapter.id);
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
      return json({ providers: list.map((p) => ({ ...mergeActivity(p, isolateProviderActivity(auth!.storeId, p.provider)), hookUrl: hookUrl(url.origin, auth!.storeId, p.provider) })) });
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
    description: "Deliveries from this provider are refused (401, the same answer as an unsigned delivery) from now on (Worker isolates other than the one that served this call keep a copy of the config for up to 5 s).",
    tags: ["Providers"],
    auth: "store",
    responses: { 200: { description: "Removed" }, 404: { description: "Not configured" } },
    handler: async ({ env, params, auth }) => {
      const adapter = knownProvider(params.provider!);
      const removed = await env.STORES.getByName(auth!.storeId).removeProvider(adapter.id);
      forgetProviderConfig(auth!.storeId, adapter.id);
      forgetProviderActivity(auth!.storeId, adapter.id);
      if (!removed) throw new ApiError(404, "not_found", "provider is not configured");
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
      401: {
        description:
          "`bad_signature`: not verified for this store and provider. A bad or missing signature, an unknown store and an unknown or unconfigured provider get this same answer, so nobody can probe which stores exist. `stale`: validly signed but outside the replay window",
      },
      413: { description: "Body over 1 MiB" },
      503: { description: "`signature keys unavailable`: the signature cannot be checked right now (ShipEngine's key endpoint is unreachable); retry after `Retry-After` seconds. Counted against the caller like a refused delivery" },
    },
    handler: async ({ request, env, ctx, params, log }) => {
      log.provider = params.provider;
      const storeId = params.storeId!;
      const provider = params.provider!;
      // Recorded after the answer is decided, written in the background: see provider-activity.ts.
      const note = (seen: ProviderActivity) => {
        if (log.providerConfigured !== true) return;
        const write = noteProviderActivity(storeId, provider, seen, Date.now());
        if (write) ctx.waitUntil(env.STORES.getByName(storeId).providerActivity(provider, write).catch(() => undefined));
      };
      try {
        const answer = await handleWebhook(request, env, storeId, provider, log);
        if (log.refused === undefined) note({ receivedAt: Date.now() });
        return answer;
      } catch (err) {
        if (typeof log.refused === "string") note({ refused: { at: Date.now(), reason: log.refused } });
        else note({ receivedAt: Date.now() });
        throw err;
      }
    },
  }),
];
