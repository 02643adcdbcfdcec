/**
 * What a user does over HTTP, as the README tells them: create a store, save rules, connect a
 * provider, post signed webhooks, read cases and deliveries. Shared by the end-to-end stories.
 */
import { Webhook } from "standardwebhooks";
import { expect } from "vitest";
import { request, waitFor } from "./http";
import { E2E_OPERATOR_TOKEN } from "./wrangler";

export interface E2EStore {
  url: string;
  storeId: string;
  token: string;
}

export async function createStore(url: string, name = "E2E shop"): Promise<E2EStore> {
  const res = await request(url, "POST", "/v1/stores", { token: E2E_OPERATOR_TOKEN, body: { name } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { url, storeId: res.body.storeId, token: res.body.adminToken };
}

export async function saveRules(s: E2EStore, rules: unknown, opts: { applyToOpenCases?: boolean } = {}): Promise<number> {
  const current = await request(s.url, "GET", `/v1/stores/${s.storeId}/rules`, { token: s.token });
  expect(current.status).toBe(200);
  const res = await request(s.url, "PUT", `/v1/stores/${s.storeId}/rules${opts.applyToOpenCases ? "?applyToOpenCases=true" : ""}`, {
    token: s.token,
    body: rules,
    headers: { "if-match": current.headers.get("etag") ?? "" },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.version;
}

export async function configureProvider(s: E2EStore, provider: string, body: Record<string, unknown>): Promise<void> {
  const res = await request(s.url, "PUT", `/v1/stores/${s.storeId}/providers/${provider}`, { token: s.token, body });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

/** A Standard Webhooks secret for the `custom` provider (and signed reminder webhooks). */
export const CUSTOM_SECRET = `whsec_${Buffer.from("e2e-custom-provider-secret-0123456789").toString("base64")}`;

let seq = 0;

/** Posts one event to the `custom` provider, signed the way any Standard Webhooks library signs. */
export async function postCustom(s: E2EStore, event: Record<string, unknown>, id = `msg_${Date.now()}_${++seq}`) {
  const body = JSON.stringify(event);
  const now = new Date();
  const signature = new Webhook(CUSTOM_SECRET).sign(id, now, body);
  const timestamp = String(Math.floor(now.getTime() / 1000));
  return request(s.url, "POST", `/hooks/${s.storeId}/custom`, { rawBody: body, headers: { "content-type": "application/json", "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": signature } });
}

export async function readCase(s: E2EStore, caseId: string) {
  const res = await request(s.url, "GET", `/v1/stores/${s.storeId}/cases/${encodeURIComponent(caseId)}`, { token: s.token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/** Polls the case view until `pick` returns something. */
export async function waitForCase<T>(s: E2EStore, caseId: string, pick: (view: any) => T | undefined, timeoutMs = 30_000): Promise<T> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return waitFor(async () => {
    const res = await request(s.url, "GET", `/v1/stores/${s.storeId}/cases/${encodeURIComponent(caseId)}`, { token: s.token });
    return res.status === 200 ? pick(res.body) : undefined;
  }, timeoutMs);
}
