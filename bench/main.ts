/**
 * Runs every benchmark and writes bench/RESULTS.md with the machine, the date, the command and
 * every figure. Targets are stated next to each figure; they are checked here, never in tests.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem, type as osType, release } from "node:os";
import { join } from "node:path";
import { benchIngest, type IngestFigures } from "./ingest";
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

function ingestSection(f: IngestFigures): Section {
  const pass = f.ratio >= 0.5 && f.ingest.p99Ms < 50;
  return {
    title: "1. Ingest: signed webhooks vs a no-op route",
    lines: [
      `Zendesk \`ticket.created\` deliveries, each with a fresh event id, HMAC-SHA256 signed, over ${f.cases} tickets; full path (body cap, provider config lookup, signature, zod, normalize, case object store + dedupe). Same autocannon client, ${f.connections} connections, ${f.durationSeconds} s each, run back to back against one \`wrangler dev\`.`,
      "",
      "| route | req/s | p50 ms | p99 ms | non-2xx | errors | requests |",
      "|---|---|---|---|---|---|---|",
      `| GET /healthz (no-op) | ${fmt(f.noop.requestsPerSecond)} | ${f.noop.p50Ms} | ${f.noop.p99Ms} | ${f.noop.non2xx} | ${f.noop.errors} | ${f.noop.total} |`,
      `| POST /hooks/:store/zendesk | ${fmt(f.ingest.requestsPerSecond)} | ${f.ingest.p50Ms} | ${f.ingest.p99Ms} | ${f.ingest.non2xx} | ${f.ingest.errors} | ${f.ingest.total} |`,
      "",
      `Ratio ingest/no-op throughput: **${fmt(f.ratio, 2)}** (target ≥ 0.5); ingest p99 **${f.ingest.p99Ms} ms** (target < 50 ms): ${pass ? "met" : "NOT met"}.`,
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
    sections.push(ingestSection(await benchIngest()));
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
