/**
 * Figure 6: the console's first page, in gzipped JavaScript, against the 80 KB budget of issue
 * 20. It builds the console exactly as `npm start`, `npm test` and `wrangler deploy` do
 * (scripts/build-console.mjs) and reads the size that script prints.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "../tests/e2e/support/wrangler";

const BUDGET_KB = 80;

export function consoleSizeSection(): { title: string; lines: string[] } {
  const run = spawnSync(process.execPath, [join(ROOT, "scripts/build-console.mjs")], { cwd: ROOT, encoding: "utf8" });
  const m = /console: dist\/console\/(\S+) ([\d.]+) KB \(([\d.]+) KB gzipped/.exec(run.stdout ?? "");
  const css = /; (\S+\.css) ([\d.]+) KB gzipped/.exec(run.stdout ?? "");
  if (run.status !== 0 || !m) {
    return { title: "6. Console: first page JavaScript", lines: [`The build failed: ${(run.stderr || run.stdout || "").trim().slice(0, 500)}`, "", `Target (issue 20): at most ${BUDGET_KB} KB gzipped: not measured.`] };
  }
  const gz = Number(m[3]);
  return {
    title: "6. Console: first page JavaScript",
    lines: [
      "The console is one script (Preact and every page, built by esbuild, minified) and one stylesheet, served as Workers Static Assets; nothing else is fetched (no CDN, no fonts). Measured by building it as `npm start` does and gzipping the output at level 9.",
      "",
      "| File | Raw | Gzipped |",
      "|---|---|---|",
      `| ${m[1]} | ${m[2]} KB | ${m[3]} KB |`,
      ...(css ? [`| ${css[1]} | | ${css[2]} KB |`] : []),
      "",
      `Target (issue 20): at most ${BUDGET_KB} KB of gzipped JavaScript for the first page: ${gz <= BUDGET_KB ? "met" : "missed"} (${m[3]} KB).`,
    ],
  };
}
