/**
 * Stores with something in them, set up over the public API exactly as an admin would: admin
 * tokens (one revoked), providers with secrets, a saved rules version with write-only channel
 * secrets, a case opened by a signed webhook, and a callback promised on it. A fuzz or sweep
 * that changes any of it shows in the snapshots.
 */
import { PROVIDERS, type ProviderId } from "../../../src/events/model";
import { OPERATOR_TOKEN } from "../../support/api";
import { secretFor } from "../../webhooks/intake-harness";
import { signDelivery } from "../../webhooks/signers";
import { direct, type Answer } from "./send";
import type { World } from "./routes";

export interface Api {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  answer: Answer;
}

export async function api(method: string, target: string, opts: { token?: string; body?: unknown; headers?: Record<string, string>; raw?: string } = {}): Promise<Api> {
  const headers: [string, string][] = Object.entries(opts.headers ?? {});
  if (opts.token) headers.push(["authorization", `Bearer ${opts.token}`]);
  let body: string | undefined = opts.raw;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers.push(["content-type", "application/json"]);
  }
  const answer = await direct({ method, target, headers, ...(body !== undefined ? { body } : {}) });
  let parsed: unknown = answer.text;
  try {
    parsed = JSON.parse(answer.text);
  } catch {
    /* keep the text */
  }
  return { status: answer.status, body: parsed, answer };
}

function ok(res: Api, what: string, status = 200): Api {
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${res.answer.text.slice(0, 500)}`);
  return res;
}

export const SLACK_URL = "https://hooks.slack.com/services/T000/B000/fuzz-secret-slack-token";
export const ZENDESK_API_TOKEN = "zd-api-token-fuzz-write-only";

/** A realistic document with two secret-bearing channels; every target is hours of business time, so nothing fires during a test. */
export function storeRules(): Record<string, unknown> {
  return {
    description: "Fuzz store: office 9-18 weekdays",
    calendars: {
      Office: { timeZone: "Europe/Istanbul", week: { mon: [["09:00", "18:00"]], tue: [["09:00", "18:00"]], wed: [["09:00", "18:00"]], thu: [["09:00", "18:00"]], fri: [["09:00", "18:00"]] } },
    },
    channels: {
      team: { type: "slack", webhookUrl: SLACK_URL },
      zendesk: { type: "zendesk_note", baseUrl: "https://shop.zendesk.com", email: "bot@shop.example", apiToken: ZENDESK_API_TOKEN },
    },
    policies: [
      {
        name: "Urgent chat",
        when: { channels: ["chat"], priorities: ["urgent"] },
        targets: { firstReply: { calendar: "Office", byPriority: { urgent: "4h" }, warnings: ["1h"] } },
        notify: ["team"],
        escalations: [{ level: 1, after: "2h", channels: ["zendesk"], message: "Shift lead: take it now" }],
      },
      { name: "Everything", targets: { firstReply: { calendar: "Office", byPriority: { normal: "8h", high: "6h" }, warnings: ["1h"] } }, notify: ["team"] },
    ],
    quietHours: { calendar: "Office" },
  };
}

export interface TestStore {
  storeId: string;
  token: string;
  tokenId: string;
  /** A token of this store that was issued and then revoked. */
  revoked: string;
  revokedTokenId: string;
  caseIds: string[];
  callbackIds: string[];
  configured: ProviderId[];
}

export async function createStore(name: string): Promise<{ storeId: string; adminToken: string; tokenId: string }> {
  return ok(await api("POST", "/v1/stores", { token: OPERATOR_TOKEN, body: { name } }), "create store", 201).body;
}

/** The webhook body a store's own tooling would post for a new ticket. */
export function customTicket(ticketId: string, at = new Date()): string {
  return JSON.stringify({ occurredAt: at.toISOString(), caseKey: { type: "ticket", ticketId }, kind: "case.opened", status: "open", priority: "normal", channel: "email", subject: `Order question ${ticketId}`, customer: { email: "ayse@example.com" }, orderId: "1042" });
}

export interface StoreOptions {
  /** Adds rules, a case and a callback. */
  full: boolean;
  /** The ticket the case is opened for. */
  ticketId?: string;
  /** Provider secrets (default: the intake tests' secretFor); give each store its own to test isolation. */
  secret?: (provider: ProviderId) => string;
}

/** A store with content: see the file comment. */
export async function populatedStore(name: string, opts: StoreOptions): Promise<TestStore> {
  const { full, ticketId = "F-1", secret = secretFor } = opts;
  const created = await createStore(name);
  const token = created.adminToken;
  const base = `/v1/stores/${created.storeId}`;
  const extra = ok(await api("POST", `${base}/tokens`, { token, body: { label: "rotated away" } }), "issue token", 201).body;
  ok(await api("DELETE", `${base}/tokens/${extra.tokenId}`, { token }), "revoke token");
  const configured: ProviderId[] = full ? ["zendesk", "custom", "freshdesk"] : ["zendesk"];
  for (const provider of configured) {
    ok(await api("PUT", `${base}/providers/${provider}`, { token, body: { secrets: [secret(provider)] } }), `configure ${provider}`);
  }
  const caseIds: string[] = [];
  const callbackIds: string[] = [];
  if (full) {
    const current = ok(await api("GET", `${base}/rules`, { token }), "read rules");
    ok(await api("PUT", `${base}/rules`, { token, body: storeRules(), headers: { "if-match": current.answer.headers.get("etag")! } }), "save rules");
    const raw = customTicket(ticketId);
    const headers = await signDelivery("custom", raw, secret("custom"));
    const hook = ok(await api("POST", `/hooks/${created.storeId}/custom`, { raw, headers }), "webhook", 202);
    caseIds.push(hook.body.caseId as string);
    const at = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const cb = ok(await api("POST", `${base}/cases/${encodeURIComponent(hook.body.caseId as string)}/callbacks`, { token, body: { at, owner: "Deniz" } }), "promise callback", 201);
    callbackIds.push(cb.body.callbackId as string);
  }
  return { storeId: created.storeId, token, tokenId: created.tokenId, revoked: extra.adminToken, revokedTokenId: extra.tokenId, caseIds, callbackIds, configured };
}

/** Store ids that match the id pattern and belong to no store (a few fixed ones: see the report on empty registries). */
export const NO_SUCH_STORES = ["st_0000000000000000", "st_ffffffffffffffff", "st_0123456789abcdef"];

export function worldOf(stores: TestStore[], currentVersions: number[]): World {
  const tokens = new Map<string, string>();
  for (const s of stores) tokens.set(s.token, s.storeId);
  const versions = new Set<string>();
  for (const v of currentVersions) for (let i = 0; i <= v; i++) versions.add(String(i));
  return {
    tokens,
    operatorToken: OPERATOR_TOKEN,
    live: {
      caseId: new Set(stores.flatMap((s) => s.caseIds)),
      callbackId: new Set(stores.flatMap((s) => s.callbackIds)),
      provider: new Set(PROVIDERS),
      tokenId: new Set(stores.flatMap((s) => [s.tokenId, s.revokedTokenId])),
      version: versions,
      // No store has a delivery yet: every delivery id names nothing.
      id: new Set(),
    },
  };
}
