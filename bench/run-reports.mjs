#!/usr/bin/env node
/**
 * `node bench/run-reports.mjs [--cycles N]`: bundles bench/reports.ts with esbuild (it imports the
 * project's own TypeScript) and runs it in Node, like bench/run.mjs does for `npm run bench`.
 */
import { build } from "esbuild";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const sourceDirname = {
  name: "source-dirname",
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => ({
      contents: readFileSync(args.path, "utf8").replaceAll("import.meta.dirname", JSON.stringify(dirname(args.path))),
      loader: "ts",
    }));
  },
};

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, "bench/out");
mkdirSync(outDir, { recursive: true });
const out = join(outDir, "reports.mjs");
await build({
  entryPoints: [join(root, "bench/reports.ts")],
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  outfile: out,
  packages: "external",
  logLevel: "warning",
  plugins: [sourceDirname],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
process.chdir(root);
const { main } = await import(pathToFileURL(out).href);
await main(process.argv.slice(2));
