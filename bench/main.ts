/**
 * Runs every benchmark and writes bench/RESULTS.md with the machine, the date, the command and
 * every figure. Targets are stated next to each figure; they are checked here, never in tests.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem, type as osType, release } from "node:os";
import { join } from "node:path";
import { benchIngest, benchThroughputRatio, HOST_LABEL, P99_TARGET_MS, type IngestFigures } from "./ingest";
import { consoleSizeSection } from "./console-size";
import { benchStackFloor, type StackFloor } from "./stack-floor";
import { diskFsyncMs, statePlace } from "./storage";
import { ROOT } from "../tests/e2e/support/wrangler";

type Section = { title: string; lines: string[] };

/**
 * Sections of the existing RESULTS.md that this run did not produce (matched by their number),
 * each marked with the run it came from, so running one benchmark never erases another's figures.
 */
function carriedOver(path: string, fresh: Section[]): Section[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return [];
  }
  const num = (title: string) => /^(\d+)\./.exec(title)?.[1] ?? title;
  const have = new Set(fresh.map((s) => num(s.title)));
  const run = [/^- Date: (.*)$/m.exec(text)?.[1], /^- Command: (.*)$/m.exec(text)?.[1]].filter(Boolean).join(", ");
  return text
    .split(/^## /m)
    .slice(1)
    .map((chunk) => {
      const [title = "", ...rest] = chunk.split("\n");
      while (rest[0] === "") rest.shift();
      while (rest[rest.length - 1] === "") rest.pop();
      return { title, lines: rest[0]?.startsWith("_Carried over") ? rest : [`_Carried over from an earlier run (${run})._`, "", ...rest] };
    })
    .filter((s) => !have.has(num(s.title)));
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");

const slowCell = (r: IngestFigures["atRate"]["noop"]) => (r.slow ? `${r.slow.overTarget} in ${plural(r.slow.bursts, "burst")} (worst ${r.slow.worstMs} ms)` : "n/a");

const loadRow = (route: string, r: IngestFigures["atRate"]["noop"]) => `| ${route} | ${fmt(r.requestsPerSecond)} | ${r.p50Ms} | ${r.p99Ms} | ${slowCell(r)} | ${r.non2xx} | ${r.errors} | ${r.total} |`;

const thousands = (n: number) => n.toLocaleString("en-US");

/**
 * Met when ingest keeps half the no-op throughput at saturation and its p99 is under 50 ms at half
 * its saturation throughput, offered right after the saturation rounds: the target as it was first
 * set (issue 28 asks that it be judged so in every run). The other fixed-rate views (half the
 * one-connection rate on a fresh server, and after all the rounds) are shown beside it, not judged.
 */
function ingestMet(f: IngestFigures): boolean {
  const r = f.asFirstSet.ingest;
  return f.ratio >= 0.5 && r.p99Ms < P99_TARGET_MS && r.non2xx === 0 && r.errors === 0;
}

/** What the webhook route's p99 adds to the no-op route's at the same rate on the same server. */
const excess = (r: IngestFigures["afterLoad"]) => {
  const d = r.ingest.p99Ms - r.noop.p99Ms;
  return `${d >= 0 ? "+" : "−"}${Math.abs(d)} ms`;
};

const runName = (r: IngestFigures) => `${r.host === "direct" ? "Direct" : "wrangler dev"}, state on ${r.state.kind === "memory" ? "tmpfs" : "disk"}`;

type DirectRatio = Awaited<ReturnType<typeof benchThroughputRatio>>;

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;

function ingestSection(runs: IngestFigures[], fsync: { p50: number; p99: number }, floor: StackFloor | null, direct: DirectRatio | null): Section {
  const [main, ...others] = runs;
  const f = main!;
  const verdict = (r: IngestFigures) =>
    `ratio ingest/no-op throughput **${fmt(r.ratio, 2)}** (median of ${plural(r.rounds.length, "round")}; target ≥ 0.5), ingest p99 at half its saturation throughput (${r.asFirstSet.rate} req/s, right after the saturation rounds, as the target was first set) **${r.asFirstSet.ingest.p99Ms} ms** (target < ${P99_TARGET_MS} ms; the no-op route ${r.asFirstSet.noop.p99Ms} ms): ${ingestMet(r) ? "met" : "**not met**"}. Other views, not judged: at ${r.atRate.rate} req/s (half the one-connection rate) on a freshly started server ingest p99 ${r.atRate.ingest.p99Ms} ms (no-op ${r.atRate.noop.p99Ms} ms); the same rate after ${thousands(r.servedBeforeAfterLoad)} requests ${r.afterLoad.ingest.p99Ms} ms (no-op ${r.afterLoad.noop.p99Ms} ms, webhook excess ${excess(r.afterLoad)}${r === f && floor ? `; the control Worker: ${floor.fresh.p99Ms} ms fresh, ${floor.afterLoad.p99Ms} ms after as many requests` : ""})`;
  const turns = (rounds: IngestFigures["rounds"]) => [
    "| round | no-op req/s | no-op p50 / p99 ms | ingest req/s | ingest p50 / p99 ms | ratio | non-2xx | errors |",
    "|---|---|---|---|---|---|---|---|",
    ...rounds.map((x, i) => `| ${i + 1} | ${fmt(x.noop.requestsPerSecond)} | ${x.noop.p50Ms} / ${x.noop.p99Ms} | ${fmt(x.ingest.requestsPerSecond)} | ${x.ingest.p50Ms} / ${x.ingest.p99Ms} | ${fmt(x.ratio, 2)} | ${x.noop.non2xx + x.ingest.non2xx} | ${x.noop.errors + x.ingest.errors} |`),
  ];
  const table = (r: IngestFigures) => [
    `### ${runName(r)}`,
    "",
    `Served by ${HOST_LABEL[r.host]}; state on ${r.state.label}.`,
    "",
    `Saturation, ${r.connections} connections, round by round (each route ${r.roundSeconds} s, taking turns):`,
    "",
    ...turns(r.rounds),
    "",
    `One connection, one request at a time:`,
    "",
    ...turns(r.oneByOne),
    "",
    `Fixed rates, each offered to both routes (latencies pooled over the rounds, the two routes taking turns, each first in alternate rounds): ${r.asFirstSet.rate} req/s (half the ingest route's saturation throughput) right after the saturation rounds, where the target is judged as first set; ${r.atRate.rate} req/s (half its one-connection rate) on a freshly started server${r.atHalfSaturation ? `, and ${r.atHalfSaturation.rate} req/s on that fresh server` : ""}; then ${r.atRate.rate} req/s again on the first server after all its rounds (${thousands(r.servedBeforeAfterLoad)} requests by then)${r === f && floor ? ", and the control Worker under the same `wrangler dev` at the same points" : ""}:`,
    "",
    `| server | route | offered req/s | req/s | p50 ms | p99 ms | over ${P99_TARGET_MS} ms | non-2xx | errors | requests |`,
    "|---|---|---|---|---|---|---|---|---|---|",
    loadRow(`after saturation (judged) | GET /healthz (no-op) | ${r.asFirstSet.rate}`, r.asFirstSet.noop),
    loadRow(`after saturation (judged) | POST /hooks/:store/zendesk | ${r.asFirstSet.rate}`, r.asFirstSet.ingest),
    loadRow(`fresh | GET /healthz (no-op) | ${r.atRate.rate}`, r.atRate.noop),
    loadRow(`fresh | POST /hooks/:store/zendesk | ${r.atRate.rate}`, r.atRate.ingest),
    ...(r.atHalfSaturation
      ? [loadRow(`fresh | GET /healthz (no-op) | ${r.atHalfSaturation.rate}`, r.atHalfSaturation.noop), loadRow(`fresh | POST /hooks/:store/zendesk | ${r.atHalfSaturation.rate}`, r.atHalfSaturation.ingest)]
      : []),
    loadRow(`after load | GET /healthz (no-op) | ${r.afterLoad.rate}`, r.afterLoad.noop),
    loadRow(`after load | POST /hooks/:store/zendesk | ${r.afterLoad.rate}`, r.afterLoad.ingest),
    ...(r === f && floor
      ? [loadRow(`fresh | control Worker (answer + log line) | ${floor.rate}`, floor.fresh), loadRow(`after ${thousands(floor.served)} requests | control Worker (answer + log line) | ${floor.rate}`, floor.afterLoad)]
      : []),
    "",
    `${runName(r)}: ${verdict(r)}.`,
  ];
  return {
    title: "1. Ingest: signed webhooks vs a no-op route",
    lines: [
      `Zendesk \`ticket.created\` deliveries, each with a fresh event id, HMAC-SHA256 signed, over ${f.cases} tickets (all opened in a warm-up; each measured request goes to a ticket picked at random, so it adds an event to an existing case, and the playbook's nudges fire as tickets cross their thresholds); full path (body cap, provider config, signature, zod, normalize, case object store + dedupe, re-plan, case index, the request log line). Same client and connections for both routes, against one running Worker; the two routes take turns in ${f.roundSeconds}-second rounds, so a slow spell of this shared machine hits both.`,
      "",
      `- **Saturation** (autocannon, ${f.connections} connections, as fast as they go) gives the throughput ratio. Latency there is only queueing (${f.connections} requests in flight ÷ throughput).`,
      `- **One connection**, one request at a time, gives what the server sustains when requests do not overlap. Locally a single thread runs the Worker and every Durable Object; ${f.connections} requests in flight share its event-loop turns and storage commits, which spaced-out requests cannot (served directly, a webhook took about 2 ms of runtime CPU at 200 spaced requests a second and about 1 ms at saturation, read from /proc), so half the saturation throughput keeps that thread busier than the name suggests.`,
      `- **Fixed rates**: an open-loop client spaces requests evenly and counts latency from each request's scheduled instant (the latency a provider sees). The p99 target is judged as it was first set: at half the ingest route's saturation throughput, offered right after the saturation rounds on the same server. Half its one-connection rate, on a freshly started server and again after all the rounds, is shown beside it (later runs judged those; they are other views, not the target). The no-op route gets the same rate: it shares the Worker's process and thread with every case object, so its p99 is the local stack's tail plus what those objects cost the thread. The "over ${P99_TARGET_MS} ms" column counts the requests over the target and the bursts they came in (slow requests scheduled within 100 ms of each other): a few bursts holding many requests are stalls of the one thread that runs the Worker and every object, which delay everything queued behind them, not requests that are each slow. Profiled served directly (perf on workerd, 310 webhooks/s after 10 s of saturation), the one stall over 100 ms in 15 s was the runtime's garbage collector: about 150 ms of marking and compacting the heap and then destroying the request objects it found dead, which the client saw as 25 requests delayed by 80–150 ms. (That profile predates the case objects dropping their events from memory, which cut the live heap for 200 cases of ~800 events from about 60 MB to 12 MB.)`,
      `- **Fresh and after load** (views beside the target): half the one-connection rate is offered on a freshly started server (a new store, the same number of tickets opened the same way), and again to both routes on the server that has just served every round ("after load"). Under \`wrangler dev\` the tail of every route grows with the requests a process has served, whatever the Worker, and after this many requests the no-op route (none of the webhook path) has itself been over ${P99_TARGET_MS} ms in most runs. What is Promptly's there is the gap between the two routes, given as the webhook route's excess; a growing gap would be Promptly degrading with load (its case objects share the one thread locally).${floor ? ` A control Worker (bench/floor/worker.ts: answers and writes one request log line shaped like Promptly's; no bindings, none of Promptly's code) gets the same rate under the same \`wrangler dev\`, fresh and after as many requests: its p99 is the floor the local stack sets for any Worker at that point.` : " With `--full`, a control Worker that has none of Promptly's code (bench/floor/worker.ts: answers and logs one line) gets the same rate fresh and after as many requests, showing that floor without Promptly's objects on the thread."}`,
      "",
      `Where the target is judged: \`wrangler dev\` with state on tmpfs, as \`npm start\` runs the Worker (dev proxy and log pipeline included). Local workerd commits each Durable Object's SQLite file with a synchronous fsync on the thread that runs every object; this machine's disk took ${fsync.p50.toFixed(1)} ms per fsync during this run (p50, p99 ${fsync.p99.toFixed(1)} ms; 5 ms has been seen on busy days), and production Durable Objects share neither a thread nor a local disk, hence tmpfs; ${others.length ? "the run on disk shows what the disk costs here" : "`npm run bench -- --full` adds the same run on disk"}.`,
      "",
      `${others.length ? "Also shown" : "With `--full`, also shown"}, not judged: the bundle \`wrangler deploy\` uploads, served by workerd through Miniflare with every binding of wrangler.toml and nothing else in the request path. Under \`wrangler dev\` each request also crosses wrangler's dev proxy (a second workerd process) and each log line goes through wrangler's Node process; on these 2 cores those took about as much CPU as the Worker. Without them the no-op route is several times faster while a webhook still pays for its Durable Object call and SQLite write, so the throughput ratio there is far below 0.5 (${direct ? `**${fmt(direct.ratio, 2)}** in this run, median of ${plural(direct.rounds.length, "round")}: the target of 0.5 is not met there` : "its table below gives the number"}): the ratio under \`wrangler dev\` leans on the dev tooling's fixed cost per request, which production does not have either.`,
      ...(direct
        ? [
            "",
            `Throughput ratio on the deploy bundle served directly (default run; saturation, ${direct.connections} connections, routes taking turns):`,
            "",
            "| round | no-op req/s | ingest req/s | ratio |",
            "|---|---|---|---|",
            ...direct.rounds.map((x, i) => `| ${i + 1} | ${fmt(x.noop.requestsPerSecond)} | ${fmt(x.ingest.requestsPerSecond)} | ${fmt(x.ratio, 2)} |`),
          ]
        : []),
      "",
      ...table(f),
      ...others.flatMap((r) => ["", ...table(r)]),
      "",
      "Side by side (ratio at saturation; p99 webhook vs no-op):",
      "",
      ...runs.map((r) => `- ${runName(r)}: ratio ${fmt(r.ratio, 2)}; p99 ${r.asFirstSet.ingest.p99Ms} ms vs ${r.asFirstSet.noop.p99Ms} ms at ${r.asFirstSet.rate} req/s after saturation (judged); ${r.atRate.ingest.p99Ms} ms vs ${r.atRate.noop.p99Ms} ms at ${r.atRate.rate} req/s on a fresh server, ${r.afterLoad.ingest.p99Ms} ms vs ${r.afterLoad.noop.p99Ms} ms after load.`),
      ...(direct ? [`- Deploy bundle served directly: ratio ${fmt(direct.ratio, 2)} (target ≥ 0.5 not met there).`] : []),
      ...(floor ? [`- Control Worker (answer + log line) under \`wrangler dev\`, state on tmpfs: p99 ${floor.fresh.p99Ms} ms fresh, ${floor.afterLoad.p99Ms} ms after ${thousands(floor.served)} requests, at ${floor.rate} req/s.`] : []),
      "",
      `Target (${runName(f)}): ${verdict(f)}.`,
    ],
  };
}

export async function main(args: string[]): Promise<void> {
  const only = new Set(args.filter((a) => !a.startsWith("-")));
  const want = (name: string) => only.size === 0 || only.has(name);
  // The default run measures what the issue judges, in a few minutes; --full adds the runs that
  // explain it (state on disk, the Worker without the dev tooling, the control Worker, half the
  // saturation rate), about five minutes more.
  const full = args.includes("--full");
  const sections: Section[] = [];
  const started = new Date();

  const optional = await import("./optional");
  if (want("business-time")) sections.push(await optional.businessTimeSection());
  if (want("replan")) sections.push(await optional.replanSection());
  if (want("ingest")) {
    console.log("bench: ingest …");
    const fsync = diskFsyncMs();
    const judged = await benchIngest("wrangler-dev", statePlace("memory"), { halfSaturation: full });
    const floor = full
      ? await benchStackFloor(judged.state, { rate: judged.atRate.rate, served: judged.servedBeforeAfterLoad, rounds: judged.rounds.length, roundSeconds: judged.roundSeconds, connections: judged.connections })
      : null;
    const runs = [judged];
    let direct: DirectRatio | null = null;
    if (full) {
      if (judged.state.kind === "memory") runs.push(await benchIngest("wrangler-dev", statePlace("disk"), { rounds: 1, halfSaturation: true }));
      runs.push(await benchIngest("direct", statePlace("memory"), { rounds: 1, halfSaturation: true }));
    } else {
      // The ratio's harder view, where the no-op route does not pay the dev proxy: a number in every run.
      direct = await benchThroughputRatio("direct", statePlace("memory"));
    }
    sections.push(ingestSection(runs, fsync, floor, direct));
  }
  for (const extra of await optional.extraSections(want, full)) sections.push(extra);
  // A 10,000-case backtest takes a few minutes of posting first: with --full, or by name.
  if (full || only.has("backtest")) sections.push(await optional.backtestSection());
  if (want("console")) sections.push(consoleSizeSection());
  // A partial run (`npm run bench -- business-time`) keeps the other sections' figures.
  if (only.size > 0) sections.push(...carriedOver(join(ROOT, "bench/RESULTS.md"), sections));

  // Figures in the issue's order (1. ingest, 2. lateness, 3. business time, 4. cost; then 5. re-plan), whatever order they ran in.
  const order = (t: string) => Number(/^(\d+)\./.exec(t)?.[1] ?? 99);
  sections.sort((a, b) => order(a.title) - order(b.title));
  const verdicts = sections.map((s) => `- ${s.title.split(":")[0]}: ${s.lines.filter((l) => /target/i.test(l)).pop()?.replace(/^Target[^:]*:\s*/i, "") ?? "see below"}`);
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  const md = [
    "# Benchmark results",
    "",
    `- Machine: ${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${osType()} ${release()}, Node ${process.version}`,
    `- Date: ${started.toISOString()}`,
    `- Command: \`npm run bench${args.length ? " -- " + args.join(" ") : ""}\``,
    `- Run time: ${((Date.now() - started.getTime()) / 60_000).toFixed(1)} min; load average (1/5/15 min) at the end: ${loadavg().map((l) => l.toFixed(1)).join(" / ")}`,
    "- Shared, noisy machines: compare the ratios measured side by side in one run rather than absolute numbers across runs.",
    "",
    "Targets and verdicts (details in each section):",
    "",
    ...verdicts,
    "",
    ...sections.flatMap((s) => [`## ${s.title}`, "", ...s.lines, ""]),
  ].join("\n");
  writeFileSync(join(ROOT, "bench/RESULTS.md"), md);
  console.log(md);
}
