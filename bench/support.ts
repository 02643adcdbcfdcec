/**
 * What the Node-side benchmarks do over HTTP, as the README tells a user: create a store, save
 * rules (If-Match from GET's ETag), connect the `custom` provider, post Standard Webhooks signed
 * events, read a case. Plain fetch with a deadline on every call: no test framework in a bench.
 * Also a loopback receiver for reminders and small statistics helpers.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { E2E_OPERATOR_TOKEN } from "../tests/e2e/support/wrangler";

export interface BenchStore {
  url: string;
  storeId: string;
  token: string;
}

export interface Answer {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export async function call(url: string, method: string, path: string, opts: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body = opts.rawBody;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers["content-type"] ??= "application/json";
  }
  const res = await fetch(url + path, { method, headers, body, signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* keep the text */
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

function expectStatus(what: string, res: Answer, status: number): void {
  if (res.status !== status) throw new Error(`${what}: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`);
}

export async function createStore(url: string, name: string): Promise<BenchStore> {
  const res = await call(url, "POST", "/v1/stores", { token: E2E_OPERATOR_TOKEN, body: { name } });
  expectStatus("create store", res, 201);
  return { url, storeId: res.body.storeId, token: res.body.adminToken };
}

export async function saveRules(s: BenchStore, rules: unknown): Promise<number> {
  const current = await call(s.url, "GET", `/v1/stores/${s.storeId}/rules`, { token: s.token });
  expectStatus("read rules", current, 200);
  const res = await call(s.url, "PUT", `/v1/stores/${s.storeId}/rules`, { token: s.token, body: rules, headers: { "if-match": current.headers.get("etag") ?? "" } });
  expectStatus("save rules", res, 200);
  return res.body.version as number;
}

/** A Standard Webhooks secret for the `custom` provider and for signed reminder webhooks. */
export const BENCH_SECRET = `whsec_${Buffer.from("promptly-bench-secret-0123456789abcdef").toString("base64")}`;

export async function connectCustom(s: BenchStore): Promise<void> {
  const res = await call(s.url, "PUT", `/v1/stores/${s.storeId}/providers/custom`, { token: s.token, body: { secrets: [BENCH_SECRET] } });
  expectStatus("configure custom provider", res, 200);
}

let seq = 0;
const signer = new Webhook(BENCH_SECRET);

/** Posts one event to the `custom` provider, signed as any Standard Webhooks library signs. */
export async function postEvent(s: BenchStore, event: Record<string, unknown>, id = `bench_${process.pid}_${++seq}`): Promise<Answer> {
  const body = JSON.stringify(event);
  const now = new Date();
  const signature = signer.sign(id, now, body);
  return call(s.url, "POST", `/hooks/${s.storeId}/custom`, {
    rawBody: body,
    headers: { "content-type": "application/json", "webhook-id": id, "webhook-timestamp": String(Math.floor(now.getTime() / 1000)), "webhook-signature": signature },
  });
}

export async function readCase(s: BenchStore, caseId: string): Promise<Answer> {
  return call(s.url, "GET", `/v1/stores/${s.storeId}/cases/${encodeURIComponent(caseId)}`, { token: s.token });
}

/** Runs `work` over `items` with at most `concurrency` in flight. */
export async function pool<T, R>(items: T[], concurrency: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      for (;;) {
        const i = next++;
        if (i >= items.length) return;
        out[i] = await work(items[i]!, i);
      }
    }),
  );
  return out;
}

/** Nearest-rank percentile of an ascending array (NaN when empty). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export interface Received {
  id: string;
  at: number;
  /** When the case fired the reminder (its `firedAt`). */
  firedAt: number | null;
}

/**
 * A loopback receiver for reminder webhooks: answers 200 at once and remembers each delivery's
 * idempotency key, arrival time and the instant the case fired it.
 */
export class Receiver {
  readonly received: Received[] = [];
  private server: Server | null = null;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const at = Date.now();
        let firedAt: number | null = null;
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { data?: { firedAt?: string } };
          firedAt = body.data?.firedAt ? Date.parse(body.data.firedAt) : null;
        } catch {
          /* not JSON: still counted */
        }
        this.received.push({ id: String(req.headers["webhook-id"] ?? ""), at, firedAt });
        res.writeHead(200, { "content-type": "text/plain" });
        res.end("ok");
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
