/**
 * Sends a request to the Worker inside workerd and keeps the answer as raw text, so the fuzz can
 * check the exact bytes of every error envelope.
 *
 * Two ways in, same Worker:
 * - `viaExports` is `exports.default.fetch`, the entrypoint the rest of the suite uses.
 * - `direct` calls the Worker's own default export (`src/index.ts`) with the test's `env` and a
 *   real ExecutionContext whose waitUntil work is awaited before the answer is returned.
 * The fuzz sends thousands of requests, and under @cloudflare/vitest-pool-workers 0.14 every
 * `exports.default.fetch` call costs more than the one before (measured here: ~25 ms per request
 * for the first hundred, over 1 s per request after 700; a direct call stays at ~1 ms). The
 * harness builds a fresh entrypoint wrapper per request and, as far as its source reads, nests
 * one more Proxy around the wrapper's prototype each time (createProxyPrototypeClass in
 * node_modules/@cloudflare/vitest-pool-workers/dist/worker/lib/cloudflare/test-internal.mjs);
 * upstream: cloudflare/workers-sdk#15446. So the fuzz goes `direct`, and a test checks that both
 * ways give byte-identical answers for a sample of fuzz requests.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import worker from "../../../src/index";

export const BASE = "http://promptly.test";

export interface Wire {
  method: string;
  /** Path plus query string exactly as it goes on the wire (already percent-encoded, or not). */
  target: string;
  headers: [string, string][];
  body?: Uint8Array | string;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

export function toRequest(w: Wire): Request {
  const headers = new Headers();
  for (const [k, v] of w.headers) headers.append(k, v);
  const hasBody = w.body !== undefined && w.method !== "GET" && w.method !== "HEAD";
  return new Request(BASE + w.target, { method: w.method, headers, ...(hasBody ? { body: w.body } : {}) });
}

async function read(res: Response): Promise<Answer> {
  return { status: res.status, headers: res.headers, text: await res.text() };
}

export async function direct(w: Wire): Promise<Answer> {
  const ctx = createExecutionContext();
  // A test-made Request has no `cf` properties; the handler does not read them.
  const res = await worker.fetch(toRequest(w) as Parameters<typeof worker.fetch>[0], env, ctx);
  const answer = await read(res);
  await waitOnExecutionContext(ctx);
  return answer;
}

export async function viaExports(w: Wire): Promise<Answer> {
  return read(await exports.default.fetch(toRequest(w)));
}

/** JSON body of an answer, or undefined when it is not JSON. */
export function jsonOf(a: Answer): unknown {
  try {
    return JSON.parse(a.text);
  } catch {
    return undefined;
  }
}
