/**
 * Reports over a year of a large store: loads two million SLA cycles into one store's registry
 * (its SQLite: the rows and the daily rollups, through the same code the case pushes use) under
 * `wrangler dev` with state on tmpfs, then times the report routes over HTTP, auth included.
 *
 * Runs on its own (not part of `npm run bench`): `node bench/run-reports.mjs [--cycles N]`.
 * Prints a Markdown section for bench/RESULTS.md.
 */
import { cpus, loadavg, release, totalmem } from "node:os";
import { join } from "node:path";
import { DevServer, ROOT } from "../tests/e2e/support/wrangler";
import { statePlace } from "./storage";
import { call, createStore, percentile } from "./support";

const YEAR_FROM = Date.parse("2025-12-01T00:00:00Z");
const YEAR_TO = Date.parse("2026-12-01T00:00:00Z");
const CASES_PER_CALL = 5_000;
const RUNS = 30;
const P95_TARGET_MS = 300;

interface Timed {
  name: string;
  path: string;
  note: string;
  p50: number;
  p95: number;
  max: number;
  rows: number;
}

export async function main(args: string[]): Promise<void> {
  const cyclesArg = args.indexOf("--cycles");
  const cycles = cyclesArg >= 0 ? Number(args[cyclesArg + 1]) : 2_000_000;
  const cases = Math.ceil(cycles / 4);
  const place = statePlace("memory");
  const server = new DevServer({ config: join(ROOT, "bench/reports/wrangler.toml"), stateRoot: place.root });
  const started = Date.now();
  await server.start();
  try {
    const store = await createStore(server.url, "Reports bench");
    let loadMs = 0;
    let loaded = 0;
    for (let first = 0; first < cases; first += CASES_PER_CALL) {
      const n = Math.min(CASES_PER_CALL, cases - first);
      // wrangler dev restarts the Worker when something it watches changes (a reinstall of the shared
      // node_modules did, mid-run): a batch is an upsert, so sending it again is safe.
      const load = async () => {
        for (let attempt = 1; ; attempt++) {
          try {
            const res = await call(server.url, "POST", "/bench/load", { body: { storeId: store.storeId, first, cases: n, from: YEAR_FROM, to: YEAR_TO, assignees: 40, groups: 6 }, timeoutMs: 180_000 });
            if (res.status !== 503 || attempt >= 4) return res;
          } catch (err) {
            if (attempt >= 4) throw err;
          }
          console.error(`batch at case ${first}: sending again (attempt ${attempt + 1})`);
        }
      };
      const res = await load();
      if (res.status !== 200) throw new Error(`load failed: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
      loadMs += res.body.ms as number;
      loaded += res.body.cycles as number;
      if ((first / CASES_PER_CALL) % 10 === 0) console.error(`loaded ${loaded} cycles (${(loadMs / 1000).toFixed(0)} s in the object)`);
    }
    const base = `/v1/stores/${store.storeId}/reports`;
    const year = `from=${new Date(YEAR_FROM).toISOString()}&to=${new Date(YEAR_TO).toISOString()}`;
    const month = `from=2026-10-14T07:30:00Z&to=2026-11-14T07:30:00Z`;
    const queries = [
      { name: "year, metric × policy × priority", path: `${base}/sla?${year}&groupBy=metric,policy,priority`, note: "policy rollup" },
      { name: "year, metric × policy × priority × channel, CSV", path: `${base}/sla?${year}&groupBy=policy,priority,channel&format=csv`, note: "policy rollup" },
      { name: "year, metric × assignee × group", path: `${base}/sla?${year}&groupBy=assignee,group`, note: "team rollup" },
      { name: "month (not day-aligned), metric × policy × priority", path: `${base}/sla?${month}&groupBy=metric,policy,priority`, note: "rollup + raw edge days" },
      { name: "month, metric × policy × assignee", path: `${base}/sla?${month}&groupBy=policy,assignee`, note: "raw rows (no rollup fits)" },
      { name: "year, metric × policy × assignee", path: `${base}/sla?${year}&groupBy=policy,assignee`, note: "raw rows (no rollup fits)" },
      { name: "drill-down: year, first reply missed, VIP, 100 per page", path: `${base}/sla/cycles?${year}&metric=first_reply&outcome=missed&policy=VIP&limit=100`, note: "rows by ended_at index" },
    ];
    const timed: Timed[] = [];
    for (const q of queries) {
      const times: number[] = [];
      let rows = 0;
      for (let i = 0; i < RUNS + 2; i++) {
        const t = performance.now();
        const res = await call(server.url, "GET", q.path, { token: store.token, timeoutMs: 120_000 });
        const ms = performance.now() - t;
        if (res.status !== 200) throw new Error(`${q.name}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
        rows = typeof res.body === "string" ? res.body.trim().split("\n").length - 1 : (res.body.rows ?? res.body.cycles).length;
        // The first two warm the object (its SQLite pages, the isolate's compiled code).
        if (i >= 2) times.push(ms);
      }
      times.sort((a, b) => a - b);
      timed.push({ ...q, p50: percentile(times, 50), p95: percentile(times, 95), max: times[times.length - 1]!, rows });
      console.error(`${q.name}: p95 ${percentile(times, 95).toFixed(1)} ms`);
    }
    const cpu = cpus()[0]?.model ?? "unknown CPU";
    const out = [
      `## Reports: a year of a large store (${loaded.toLocaleString("en")} SLA cycles)`,
      "",
      `- Machine: ${cpu}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Linux ${release()}, Node ${process.version}`,
      `- Date: ${new Date().toISOString()}`,
      `- Command: \`node bench/run-reports.mjs\` (on its own; not part of \`npm run bench\`)`,
      `- Run time: ${((Date.now() - started) / 60_000).toFixed(1)} min; load average at the end: ${loadavg().map((l) => l.toFixed(1)).join(" / ")}`,
      `- State: ${place.label}; served by \`wrangler dev\` (bench/reports/wrangler.toml: Promptly's Worker and bindings plus a bulk loader)`,
      "",
      `Loaded ${loaded.toLocaleString("en")} cycles (${cases.toLocaleString("en")} cases × 4 metrics, 3 policies, 4 priorities, 3 channels, 40 assignees, 6 groups, ended over 2025-12-01 → 2026-12-01; one case in a thousand keeps its resolution running) through \`applyOutcomePush\`, ${CASES_PER_CALL.toLocaleString("en")} cases per transaction: ${(loadMs / 1000).toFixed(0)} s inside the object, **${((loadMs * 1000) / loaded).toFixed(0)} µs per cycle** written (its row and both rollups).`,
      "",
      `Each query ${RUNS} times over HTTP with the admin token (after 2 warm-up calls), one at a time; target p95 < ${P95_TARGET_MS} ms for a year's report.`,
      "",
      "| query | read from | rows | p50 ms | p95 ms | max ms | p95 < 300 ms |",
      "|---|---|---|---|---|---|---|",
      ...timed.map((t) => `| ${t.name} | ${t.note} | ${t.rows} | ${t.p50.toFixed(1)} | ${t.p95.toFixed(1)} | ${t.max.toFixed(1)} | ${t.p95 < P95_TARGET_MS ? "yes" : "no"} |`),
      "",
    ];
    console.log(out.join("\n"));
  } finally {
    await server.dispose();
  }
}
