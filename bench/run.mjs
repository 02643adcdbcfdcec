#!/usr/bin/env node
/**
 * `npm run bench`: bundles bench/main.ts with esbuild (the benchmarks import the project's own
 * TypeScript) and runs it in Node, where performance.now() is a real clock — inside workerd,
 * time only advances on I/O, so timings there would be meaningless.
 */
import { build } from "esbuild";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(mkdtempSync(join(tmpdir(), "promptly-bench-")), "main.mjs");
await build({
  entryPoints: [join(root, "bench/main.ts")],
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  outfile: out,
  packages: "external",
  logLevel: "warning",
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
process.chdir(root);
const { main } = await import(pathToFileURL(out).href);
await main(process.argv.slice(2));
