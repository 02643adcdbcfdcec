#!/usr/bin/env node
/**
 * `npm run types:check`: fails when src/worker-configuration.d.ts is not what `npm run types`
 * generates from wrangler.toml and .dev.vars.example, so a binding added without regenerating the
 * Env is caught. It runs the exact command of the `types` script in package.json, into a scratch
 * file next to the committed one (wrangler writes import paths relative to the output file).
 * `wrangler types --check` is not used: it recomputes the Env from .dev.vars, ignoring --env-file.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const command = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts.types;
const [program, subcommand, ...args] = command.split(/\s+/);
const target = args.find((a) => a.endsWith(".d.ts"));
if (program !== "wrangler" || subcommand !== "types" || !target) {
  console.error(`types:check expects the "types" script to be \`wrangler types <file>.d.ts ...\`, found: ${command}`);
  process.exit(2);
}
const scratch = join(dirname(target), ".worker-configuration.check.d.ts");

let generated;
try {
  const run = spawnSync(process.execPath, [join(root, "node_modules/wrangler/bin/wrangler.js"), "types", ...args.map((a) => (a === target ? scratch : a))], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
  });
  if (run.status !== 0) {
    console.error(`wrangler types failed (exit ${run.status}):\n${run.stdout}${run.stderr}`);
    process.exit(1);
  }
  generated = readFileSync(join(root, scratch), "utf8").replaceAll(scratch, target);
} finally {
  rmSync(join(root, scratch), { force: true });
}

const committed = readFileSync(join(root, target), "utf8");
if (generated !== committed) {
  const want = generated.split("\n");
  const have = committed.split("\n");
  const first = want.findIndex((line, i) => line !== have[i]);
  console.error(`${target} is out of date with wrangler.toml: run \`npm run types\` and commit the result.`);
  console.error(`first difference at line ${first + 1}:\n  committed: ${have[first] ?? "(end of file)"}\n  generated: ${want[first] ?? "(end of file)"}`);
  process.exit(1);
}
console.log(`${target} matches \`npm run types\`.`);
