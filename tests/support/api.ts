/** Helpers for tests that talk to the Worker through its real fetch handler inside workerd. */
import { exports } from "cloudflare:workers";

export const OPERATOR_TOKEN = "test-operator-token";
const BASE = "http://promptly.test";

export interface CallOptions {
  token?: string | null;
  body?: unknown;
  rawBody?: BodyInit;
  headers?: Record<string, string>;
}

export async function call(method: string, path: string, opts: CallOptions = {}): Promise<{ status: number; body: any; headers: Headers }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: BodyInit | undefined = opts.rawBody;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers["content-type"] ??= "application/json";
  }
  const res = await exports.default.fetch(new Request(BASE + path, { method, headers, body }));
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

export async function createStore(name = "Test store"): Promise<{ storeId: string; adminToken: string; tokenId: string }> {
  const res = await call("POST", "/v1/stores", { token: OPERATOR_TOKEN, body: { name } });
  if (res.status !== 201) throw new Error(`createStore failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}
