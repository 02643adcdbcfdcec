/**
 * Webhook intake: `POST /hooks/:storeId/:provider`.
 *
 * Order matters: cap and read the raw bytes once; find the store's config for this provider;
 * verify the signature on those exact bytes; only then parse and validate; normalize; and hand
 * the events to the case object, which stores and deduplicates them. The 2xx (202, or the
 * adapter's `successStatus`: 17TRACK wants exactly 200) is sent only after that call returns, so
 * a 2xx always means the event is durably stored. Nothing is stored for a request that is rejected.
 */
import { z } from "zod";
import { caseIdOf, caseObjectName, NormalizedEvent, rekeyed } from "../events/model";
import { parseJsonBytes, readBodyBytes } from "../http/body";
import { capEventText } from "../events/caps";
import { ApiError, validationError } from "../http/errors";
import { concatBytes, sha256Hex, utf8 } from "../lib/crypto";
import { STORE_ID_PATTERN } from "../stores/tokens";
import type { StoreRegistry } from "../stores/store-registry";
import type { ProviderAdapter, ProviderConfig } from "./adapter";
import { cachedProviderConfig, rememberProviderConfig } from "./config-cache";
import { adapterFor } from "./registry";
import { checkDestination, destinationPolicy } from "../notify/destinations";

export interface IntakeAnswer {
  caseId?: string;
  eventId?: string;
  duplicate: boolean;
  ignored?: boolean;
  reason?: string;
  events?: { caseId: string; eventId: string; kind: string; duplicate: boolean; stale: boolean }[];
}

/**
 * One answer for every delivery we cannot attribute to a store's secret: a bad or missing
 * signature, an unknown store, an unknown or unconfigured provider. Telling them apart would let
 * anyone list which stores exist and which helpdesks they use (the admin routes answer alike for
 * the same reason). What exactly was wrong goes to the request log, for the operator.
 */
export const WEBHOOK_REFUSED_MESSAGE = "the delivery could not be verified for this store and provider";
const refused = () => new ApiError(401, "bad_signature", WEBHOOK_REFUSED_MESSAGE);

export async function handleWebhook(request: Request, env: Env, storeId: string, provider: string, log: Record<string, unknown>): Promise<Response> {
  const adapter = adapterFor(provider);
  if (!adapter || !STORE_ID_PATTERN.test(storeId)) {
    log.refused = adapter ? "malformed store id" : "unknown provider";
    throw refused();
  }
  const rawBody = await readBodyBytes(request);
  const registry = env.STORES.getByName(storeId);
  // A config read a moment ago is reused (see config-cache.ts); then the rules version a new case
  // is pinned to is asked of the registry by the case itself, only when the case is new.
  const context = await providerContext(registry, storeId, adapter.id);
  const url = new URL(request.url);
  if (!context) {
    log.refused = "no such store, or this provider is not configured for it";
    // A provider's public test ping (Zendesk signs it with a published secret) is answered as it
    // would be for a configured store, or the answer would tell which stores use that provider.
    const ping = await adapter.testPing?.({ rawBody, headers: request.headers, url, config: { secrets: [], toleranceSeconds: 300, options: {} }, now: Date.now(), fetch: () => Promise.reject(new Error("no fetch for a test ping")) });
    if (ping) return ping;
    throw refused();
  }
  const { config, rulesVersion } = context;
  // Lets the route record this delivery on the provider's Connections card (provider-activity.ts).
  log.providerConfigured = true;

  const destinations = destinationPolicy(env.ALLOW_LOOPBACK_DESTINATIONS);
  // The key-set URL was checked when it was configured; checked again here, before any request.
  const guardedFetch = (input: RequestInfo | URL, init?: RequestInit) => {
    const target = input instanceof Request ? input.url : String(input);
    const verdict = checkDestination(target, destinations);
    return verdict.ok ? fetch(input, init) : Promise.reject(new Error(`destination refused: ${verdict.reason}`));
  };
  const verifyInput = { rawBody, headers: request.headers, url, config, now: Date.now(), fetch: guardedFetch };
  const early = await adapter.preVerify?.(verifyInput);
  if (early) return early;
  const verdict = await adapter.verify(verifyInput);
  if (!verdict.ok) {
    const ping = verdict.code === "bad_signature" ? await adapter.testPing?.(verifyInput) : null;
    if (ping) return ping;
    log.refused = verdict.message;
    if (verdict.code === "verification_unavailable") {
      // The caller learns only that keys are missing: the URL and the fetch error are the store's
      // configuration and our network's state, not the sender's business.
      throw new ApiError(503, verdict.code, "signature keys unavailable", undefined, { "retry-after": String(verdict.retryAfterSeconds) });
    }
    // A stale delivery carried a valid signature, so saying so tells its sender nothing new.
    if (verdict.code === "stale") throw new ApiError(401, verdict.code, verdict.message);
    throw refused();
  }

  const parsed = adapter.schema.safeParse(parseJsonBytes(rawBody));
  if (!parsed.success) throw validationError(parsed.error, `${adapter.title} payload`);
  let normalized: Awaited<ReturnType<ProviderAdapter["normalize"]>>;
  try {
    normalized = await adapter.normalize({ storeId, payload: parsed.data, headers: request.headers, rawBody, config, receivedAt: Date.now() });
  } catch (err) {
    // Some schemas depend on a header (Shopify's topic), so an adapter validates part of the body
    // while normalizing: that is still a 400 with field paths, never a 5xx the provider retries.
    if (err instanceof z.ZodError) throw validationError(err, `${adapter.title} payload`);
    throw err;
  }

  if (normalized.type === "ping") return normalized.response;
  const status = adapter.successStatus ?? 202;
  const ignore = async (reason: string, providerEventId?: string) => {
    // Recorded so the delivery log explains the 2xx, and so a retry of the same delivery is a
    // duplicate: by the provider's id, else by a hash of what the provider sent.
    const key = providerEventId ?? (await fallbackEventId(adapter, request.headers, rawBody));
    const { duplicate } = await registry.recordIgnoredDelivery(adapter.id, key, reason);
    log.ignored = reason;
    return Response.json({ duplicate, ignored: true, reason } satisfies IntakeAnswer, { status });
  };
  if (normalized.type === "ignored") return ignore(normalized.reason, normalized.providerEventId);
  if (normalized.events.length === 0) return ignore("the delivery carried no change we track");
  return Response.json(await ingest(env, registry, storeId, adapter, normalized.events, rulesVersion, log), { status });
}

/**
 * The last-resort dedupe key of provider-webhooks.md §4.3: SHA-256 over the provider, its event
 * header (the body alone does not say which event it is for Help Scout or Shopify) and the exact
 * bytes. A retry sends the same bytes, so it finds the first delivery's row; a different
 * delivery differs in at least one byte.
 */
export async function fallbackEventId(adapter: Pick<ProviderAdapter, "id" | "eventHeader">, headers: Headers, rawBody: Uint8Array): Promise<string> {
  const eventHeader = adapter.eventHeader ? (headers.get(adapter.eventHeader) ?? "") : "";
  return `body:${await sha256Hex(concatBytes(utf8(`${adapter.id}\u001f${eventHeader}\u001f`), rawBody))}`;
}

async function providerContext(registry: DurableObjectStub<StoreRegistry>, storeId: string, provider: string): Promise<{ config: ProviderConfig; rulesVersion?: number } | null> {
  const cached = cachedProviderConfig(storeId, provider, Date.now());
  if (cached) return { config: cached };
  const context = await registry.intakeContext(provider);
  if (!context) return null;
  const { config, rulesVersion } = context;
  rememberProviderConfig(storeId, provider, config, Date.now());
  return { config, rulesVersion };
}

async function ingest(
  env: Env,
  registry: DurableObjectStub<StoreRegistry>,
  storeId: string,
  adapter: ProviderAdapter,
  raw: NormalizedEvent[],
  rulesVersion: number | undefined,
  log: Record<string, unknown>,
): Promise<IntakeAnswer> {
  // The path's store id wins over anything an adapter set: a body can never address another store.
  const events: NormalizedEvent[] = [];
  for (const [i, e] of raw.entries()) {
    const checked = NormalizedEvent.safeParse(capEventText({ ...e, storeId, provider: adapter.id }));
    if (!checked.success) throw validationError(checked.error, `${adapter.title} payload (normalized event ${i})`);
    events.push(checked.data);
  }

  await routeStandIns(env, registry, storeId, events, rulesVersion);

  const byCase = new Map<string, NormalizedEvent[]>();
  for (const e of events) {
    const caseId = caseIdOf(e.caseKey);
    byCase.set(caseId, [...(byCase.get(caseId) ?? []), e]);
  }
  const results: NonNullable<IntakeAnswer["events"]> = [];
  for (const [caseId, caseEvents] of byCase) {
    const stored = await env.CASES.getByName(caseObjectName(storeId, caseId)).ingest(caseEvents, rulesVersion === undefined ? {} : { rulesVersion });
    caseEvents.forEach((e, i) => {
      const r = stored.results[i]!;
      results.push({ caseId, eventId: r.eventId, kind: e.kind, duplicate: r.duplicate, stale: r.stale });
    });
  }
  log.caseId = results[0]!.caseId;
  log.duplicate = results.every((r) => r.duplicate);
  return { caseId: results[0]!.caseId, eventId: results[0]!.eventId, duplicate: results.every((r) => r.duplicate), events: results };
}

/**
 * Stand-in keys (see stores/case-aliases.ts). What a delivery teaches is stored before anything
 * else, so an event keyed by the stand-in that arrives a moment later already finds the case. A
 * stand-in that already has a case of its own (its event came first) hands its events over to the
 * named case and closes, once. Then each stand-in-keyed event goes to the real case if the store
 * knows it; a stand-in nobody has named yet keeps its own case. Only deliveries that use these
 * fields pay the extra calls to the store's registry.
 */
async function routeStandIns(env: Env, registry: DurableObjectStub<StoreRegistry>, storeId: string, events: NormalizedEvent[], rulesVersion: number | undefined): Promise<void> {
  for (const e of events) {
    if (!e.alsoKnownAs?.length) continue;
    const opened = await registry.learnCaseAliases(e.caseKey, e.alsoKnownAs, Date.parse(e.occurredAt));
    for (const standInCaseId of opened) {
      const handed = await env.CASES.getByName(caseObjectName(storeId, standInCaseId)).continueIn(e.caseKey);
      if (handed.length > 0) await env.CASES.getByName(caseObjectName(storeId, caseIdOf(e.caseKey))).ingest(handed, rulesVersion === undefined ? {} : { rulesVersion });
      await registry.standInHandedOver(standInCaseId, caseIdOf(e.caseKey));
    }
  }
  const standIns = events.filter((e) => e.standInKey);
  if (standIns.length === 0) return;
  const real = await registry.resolveCaseAliases(standIns.map((e) => caseIdOf(e.caseKey)));
  for (const [i, e] of events.entries()) {
    const key = e.standInKey ? real[caseIdOf(e.caseKey)] : undefined;
    if (key) events[i] = rekeyed(e, key);
  }
}
