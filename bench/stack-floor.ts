/**
 * The control for the ingest latency figures: a Worker that only answers and logs one request
 * line (bench/floor/worker.ts) under the same `wrangler dev`, offered the judged rate on a fresh
 * server, then as many requests as the ingest run's well-used server had served, then the judged
 * rate again. Its p99 is the floor the local stack sets for such a Worker at that point; what
 * Promptly's figures add to it is Promptly's (its code is not in that process at all).
 */
import autocannon from "autocannon";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DevServer, ROOT } from "../tests/e2e/support/wrangler";
import { fixedRate, NOOP_WARM_UP, type LoadFigures, type Outbound } from "./ingest";
import type { StatePlace } from "./storage";

export interface StackFloor {
  rate: number;
  /** The judged rate on the freshly started control. */
  fresh: LoadFigures;
  /** Requests it had served before `afterLoad` (warm-up and the fresh rounds included). */
  served: number;
  /** The judged rate again after that load. */
  afterLoad: LoadFigures;
}

const CONFIG = join(ROOT, "bench/floor/wrangler.toml");

/** The control must run on the runtime Promptly runs on, so the two compatibility dates must agree. */
function sameCompatibilityDate(): void {
  const date = (path: string) => /^compatibility_date\s*=\s*"([^"]+)"/m.exec(readFileSync(path, "utf8"))?.[1];
  const ours = date(join(ROOT, "wrangler.toml"));
  const control = date(CONFIG);
  if (ours !== control) throw new Error(`bench/floor/wrangler.toml has compatibility_date ${control}, wrangler.toml has ${ours}: make them equal`);
}

export async function benchStackFloor(state: StatePlace, opts: { rate: number; served: number; rounds: number; roundSeconds: number; connections: number }): Promise<StackFloor> {
  sameCompatibilityDate();
  const server = new DevServer({ stateRoot: state.root, config: CONFIG });
  await server.start();
  try {
    const noop = (): Outbound => ({ url: `${server.url}/healthz`, method: "GET", headers: {}, body: undefined });
    await autocannon({ url: noop().url, connections: 4, amount: NOOP_WARM_UP });
    const fresh = (await fixedRate({ noop }, opts.rate, opts.rounds, opts.roundSeconds, opts.connections)).noop;
    const load = opts.served - NOOP_WARM_UP - fresh.total;
    // autocannon refuses an amount below 1 or below its connection count.
    const loaded = load > 0 ? (await autocannon({ url: noop().url, connections: Math.min(opts.connections, load), amount: load })).requests.total : 0;
    const afterLoad = (await fixedRate({ noop }, opts.rate, opts.rounds, opts.roundSeconds, opts.connections)).noop;
    return { rate: opts.rate, fresh, served: NOOP_WARM_UP + fresh.total + loaded, afterLoad };
  } finally {
    await server.dispose();
  }
}
