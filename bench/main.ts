/**
 * Runs every benchmark and writes bench/RESULTS.md with the machine, the date, the command and
 * every figure. Targets are stated next to each figure; they are checked here, never in tests.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem, type as osType, release } from "node:os";
import { join } from "node:path";
import { benchIngest, type IngestFigures } from "./ingest";
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

const loadRow = (route: string, r: IngestFigures["atRate"]["noop"]) => `| ${route} | ${fmt(r.requestsPerSecond)} | ${r.p50Ms} | ${r.p99Ms} | ${r.non2xx} | ${r.errors} | ${r.total} |`;

/** Met when ingest keeps half the no-op throughput at saturation and p99 < 50 ms at the fixed rate. */
function ingestMet(f: IngestFigures): boolean {
  return f.ratio >= 0.5 && f.atRate.ingest.p99Ms < 50 && f.atRate.ingest.non2xx === 0 && f.atRate.ingest.errors === 0;
}

function ingestSection(runs: IngestFigures[], fsync: { p50: number; p99: number }): Section {
  const [main, ...others] = runs;
  const f = main!;
  const verdict = (r: IngestFigures) =>
    `ratio ingest/no-op throughput **${fmt(r.ratio, 2)}** (median of ${r.rounds.length} round${r.rounds.length > 1 ? "s" : ""}; target ≥ 0.5), ingest p99 at ${r.atRate.rate} req/s **${r.atRate.ingest.p99Ms} ms** (target < 50 ms; ${r.atQuarterRate.ingest.p99Ms} ms at ${r.atQuarterRate.rate} req/s): ${ingestMet(r) ? "met" : "NOT met"}`;
  const table = (r: IngestFigures) => [
    `State on ${r.state.label}.`,
    "",
    `Saturation, round by round (each route ${r.roundSeconds} s, taking turns):`,
    "",
    "| round | no-op req/s | no-op p50 / p99 ms | ingest req/s | ingest p50 / p99 ms | ratio | non-2xx | errors |",
    "|---|---|---|---|---|---|---|---|",
    ...r.rounds.map((x, i) => `| ${i + 1} | ${fmt(x.noop.requestsPerSecond)} | ${x.noop.p50Ms} / ${x.noop.p99Ms} | ${fmt(x.ingest.requestsPerSecond)} | ${x.ingest.p50Ms} / ${x.ingest.p99Ms} | ${fmt(x.ratio, 2)} | ${x.noop.non2xx + x.ingest.non2xx} | ${x.noop.errors + x.ingest.errors} |`),
    "",
    `Fixed rates, each offered to both routes (latencies pooled over the rounds): ${r.atRate.rate} req/s (half the ingest saturation, where the target is judged) and ${r.atQuarterRate.rate} req/s (a quarter):`,
    "",
    "| route | offered req/s | req/s | p50 ms | p99 ms | non-2xx | errors | requests |",
    "|---|---|---|---|---|---|---|---|",
    loadRow(`GET /healthz (no-op) | ${r.atRate.rate}`, r.atRate.noop),
    loadRow(`POST /hooks/:store/zendesk | ${r.atRate.rate}`, r.atRate.ingest),
    loadRow(`GET /healthz (no-op) | ${r.atQuarterRate.rate}`, r.atQuarterRate.noop),
    loadRow(`POST /hooks/:store/zendesk | ${r.atQuarterRate.rate}`, r.atQuarterRate.ingest),
    "",
    `On ${r.state.kind === "memory" ? "tmpfs" : "disk"}: ${verdict(r)}.`,
  ];
  return {
    title: "1. Ingest: signed webhooks vs a no-op route",
    lines: [
      `Zendesk \`ticket.created\` deliveries, each with a fresh event id, HMAC-SHA256 signed, over ${f.cases} tickets (all opened in a warm-up; each measured request goes to a ticket picked at random, so it adds an event to an existing case, and the playbook's nudges fire as tickets cross their thresholds); full path (body cap, provider config, signature, zod, normalize, case object store + dedupe, re-plan, case index). Same client and ${f.connections} keep-alive connections for both routes, against one \`wrangler dev\`; the two routes take turns in ${f.roundSeconds}-second rounds, so a slow spell of this shared machine hits both. Saturation: autocannon as fast as the connections go, which gives the throughput; latency there is only queueing (${f.connections} requests in flight ÷ throughput). Fixed rates: both routes offered the same rate, half (where the target is judged) and a quarter of the ingest route's median saturation throughput, by an open-loop client that spaces requests evenly and counts latency from each request's scheduled instant: the latency a provider sees when the service is not overloaded.`,
      "",
      `Local workerd commits each Durable Object's SQLite file with a synchronous fsync on the thread that runs every object; this machine's disk took ${fsync.p50.toFixed(1)} ms per fsync during this run (p50, p99 ${fsync.p99.toFixed(1)} ms; 5 ms has been seen on busy days), and production Durable Objects share neither a thread nor a local disk. So the figure is measured with the state on tmpfs, and once more on disk to show what the disk costs here.`,
      "",
      ...table(f),
      ...others.flatMap((r) => ["", ...table(r)]),
      "",
      `Target (state on ${f.state.label}): ${verdict(f)}.`,
    ],
  };
}

export async function main(args: string[]): Promise<void> {
  const only = new Set(args.filter((a) => !a.startsWith("-")));
  const want = (name: string) => only.size === 0 || only.has(name);
  const sections: Section[] = [];
  const started = new Date();

  const optional = await import("./optional");
  if (want("business-time")) sections.push(await optional.businessTimeSection());
  if (want("ingest")) {
    console.log("bench: ingest …");
    const fsync = diskFsyncMs();
    const runs = [await benchIngest(statePlace("memory"))];
    if (runs[0]!.state.kind === "memory") runs.push(await benchIngest(statePlace("disk"), { rounds: 1 }));
    sections.push(ingestSection(runs, fsync));
  }
  for (const extra of await optional.extraSections(want)) sections.push(extra);
  // A partial run (`npm run bench -- business-time`) keeps the other sections' figures.
  if (only.size > 0) sections.push(...carriedOver(join(ROOT, "bench/RESULTS.md"), sections));

  // Figures in the order (1. ingest, 2. lateness, 3. business time, 4. cost), whatever order they ran in.
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
