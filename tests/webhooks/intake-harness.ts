/// <reference types="vite/client" />
/**
 * Drives webhook intake through the Worker's real fetch handler: a store created over the admin
 * API, a provider configured over HTTP, signed deliveries posted to /hooks, and a look at what
 * was stored (case objects created, ignored deliveries recorded) to prove rejections store nothing.
 */
import { env, listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { vi } from "vitest";
import type { ProviderId } from "../../src/events/model";
import { call, createStore } from "../support/api";
import { shipEngineKey, signDelivery, type SignOptions } from "./signers";

const FIXTURES = import.meta.glob("../fixtures/**/*.json", { query: "?raw", import: "default", eager: true }) as Record<string, string>;

/** Every vendored fixture, by path under tests/fixtures, exactly as stored. */
export const ALL_FIXTURES: Record<string, string> = Object.fromEntries(Object.entries(FIXTURES).map(([k, v]) => [k.slice("../fixtures/".length), v]));

export function fixtureText(path: string): string {
  const text = ALL_FIXTURES[path];
  if (text === undefined) throw new Error(`no fixture ${path}`);
  return text;
}

/** Secrets per provider: Standard Webhooks wants whsec_<base64>, EasyPost gets a non-ASCII one (NFKD matters). */
export function secretFor(provider: ProviderId): string {
  if (provider === "custom") return "whsec_" + btoa("promptly-custom-signing-secret-32b");
  if (provider === "easypost") return "sécret-easypost";
  return `${provider}-test-secret`;
}

let shipEngine: Awaited<ReturnType<typeof shipEngineKey>> | undefined;

/**
 * ShipEngine's public keys come from its JWKS URL. A workerd test cannot start an HTTP server
 * for the Worker to reach, so the one outbound call intake makes (the JWKS fetch) is answered by
 * a spy on fetch; nothing else may leave the test.
 */
export async function serveShipEngineJwks(): Promise<Awaited<ReturnType<typeof shipEngineKey>>> {
  shipEngine ??= await shipEngineKey();
  const key = shipEngine;
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (url.endsWith("/jwks")) return Response.json(key.jwks);
    throw new Error(`unexpected outbound fetch to ${url}`);
  });
  return key;
}

export interface Connected {
  storeId: string;
  adminToken: string;
  provider: ProviderId;
  secret: string;
  /** Posts raw bytes with the given headers. */
  post(body: string | Uint8Array, headers: Record<string, string>, query?: string): Promise<{ status: number; body: any; headers: Headers }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Signs `body` the provider's way and posts it. */
  send(body: string, opts?: SignOptions & { headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** GET /v1/stores/:storeId/cases/:caseId. */
  readCase(caseId: string): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** A fresh store with `provider` configured over the admin API. */
export async function connect(provider: ProviderId, opts: { options?: Record<string, unknown>; toleranceSeconds?: number } = {}): Promise<Connected> {
  const store = await createStore(`${provider} intake test`);
  const secret = secretFor(provider);
  const body: Record<string, unknown> = { secrets: provider === "shipengine" ? [] : [secret], options: opts.options ?? {} };
  if (opts.toleranceSeconds !== undefined) body.toleranceSeconds = opts.toleranceSeconds;
  const put = await call("PUT", `/v1/stores/${store.storeId}/providers/${provider}`, { token: store.adminToken, body });
  if (put.status !== 200) throw new Error(`configuring ${provider} failed: ${put.status} ${JSON.stringify(put.body)}`);
  const post: Connected["post"] = (raw, headers, query = "") => call("POST", `/hooks/${store.storeId}/${provider}${query}`, { rawBody: raw, headers });
  return {
    storeId: store.storeId,
    adminToken: store.adminToken,
    provider,
    secret,
    post,
    async send(raw, o = {}) {
      const rsa = provider === "shipengine" ? (o.rsa ?? (await serveShipEngineJwks())) : undefined;
      const headers = { ...(await signDelivery(provider, raw, secret, { ...o, ...(rsa ? { rsa } : {}) })), ...(o.headers ?? {}) };
      return post(raw, headers);
    },
    readCase: (caseId) => call("GET", `/v1/stores/${store.storeId}/cases/${encodeURIComponent(caseId)}`, { token: store.adminToken }),
  };
}

/** How many case objects exist, and how many ignored deliveries a store has recorded. */
export async function storedFootprint(storeId: string): Promise<{ cases: number; ignored: number }> {
  const cases = (await listDurableObjectIds(env.CASES)).length;
  const ignored = await runInDurableObject(env.STORES.getByName(storeId), (_instance, state) => {
    return state.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ignored_deliveries`).one().n;
  });
  return { cases, ignored };
}
