/**
 * Ingest benchmark: signed Zendesk webhooks through the full path (body cap, provider config,
 * signature, schema, normalize, case object store + dedupe) against the no-op /healthz route of
 * the same Worker, same client, same connection count, measured side by side in one run.
 * Traffic goes only to 127.0.0.1 and is bounded in time.
 */
import autocannon from "autocannon";
import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DevServer, E2E_OPERATOR_TOKEN, ROOT } from "../tests/e2e/support/wrangler";

export interface LoadFigures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  total: number;
}

export interface IngestFigures {
  noop: LoadFigures;
  ingest: LoadFigures;
  ratio: number;
  connections: number;
  durationSeconds: number;
  cases: number;
}

function figures(r: autocannon.Result): LoadFigures {
  return {
    requestsPerSecond: r.requests.average,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    total: r.requests.total,
  };
}

export async function benchIngest(opts: { connections?: number; durationSeconds?: number; cases?: number } = {}): Promise<IngestFigures> {
  const connections = opts.connections ?? 16;
  const duration = opts.durationSeconds ?? 10;
  const cases = opts.cases ?? 200;
  const server = new DevServer();
  await server.start();
  try {
    const store = await (
      await fetch(`${server.url}/v1/stores`, { method: "POST", headers: { authorization: `Bearer ${E2E_OPERATOR_TOKEN}`, "content-type": "application/json" }, body: JSON.stringify({ name: "bench" }) })
    ).json() as { storeId: string; adminToken: string };
    const secret = "bench-secret";
    await fetch(`${server.url}/v1/stores/${store.storeId}/providers/zendesk`, {
      method: "PUT",
      headers: { authorization: `Bearer ${store.adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ secrets: [secret] }),
    });
    const template = JSON.parse(readFileSync(join(ROOT, "tests/fixtures/zendesk/ticket-created.json"), "utf8")) as { id: string; time: string; subject: string; detail: { id: string } };
    let n = 0;
    const signed = () => {
      const doc = structuredClone(template);
      doc.id = randomUUID();
      doc.detail.id = String(100000 + (n++ % cases));
      doc.subject = `zen:ticket:${doc.detail.id}`;
      doc.time = new Date().toISOString();
      const body = JSON.stringify(doc);
      const ts = new Date().toISOString();
      const sig = createHmac("sha256", secret).update(ts + body).digest("base64");
      return { body, headers: { "content-type": "application/json", "x-zendesk-webhook-signature": sig, "x-zendesk-webhook-signature-timestamp": ts } };
    };
    // Warm both paths (isolate, objects) so neither measurement pays the cold start.
    await autocannon({ url: `${server.url}/healthz`, connections: 4, amount: 200 });
    await autocannon({ url: `${server.url}/hooks/${store.storeId}/zendesk`, method: "POST", connections: 4, amount: 200, requests: [{ setupRequest: (req) => ({ ...req, ...signed() }) }] });

    const noop = await autocannon({ url: `${server.url}/healthz`, connections, duration });
    const ingest = await autocannon({
      url: `${server.url}/hooks/${store.storeId}/zendesk`,
      method: "POST",
      connections,
      duration,
      requests: [{ setupRequest: (req) => ({ ...req, ...signed() }) }],
    });
    const a = figures(noop);
    const b = figures(ingest);
    return { noop: a, ingest: b, ratio: b.requestsPerSecond / a.requestsPerSecond, connections, durationSeconds: duration, cases };
  } finally {
    await server.dispose();
  }
}
