#!/usr/bin/env node
/**
 * `npm run bench`: bundles bench/main.ts with esbuild (the benchmarks import the project's own
 * TypeScript) and runs it in Node, where performance.now() is a real clock — inside workerd,
 * time only advances on I/O, so timings there would be meaningless.
 */
import { build } from "esbuild";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/**
 * Bundling moves every module into one file, so `import.meta.dirname` (tests/e2e/support finds the
 * project root with it) would name the bundle's folder. Each module keeps its own folder instead.
 */
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
// Inside the project (git-ignored), so the bundle's bare imports resolve from node_modules.
const outDir = join(root, "bench/out");
mkdirSync(outDir, { recursive: true });
const out = join(outDir, "main.mjs");
await build({
  entryPoints: [join(root, "bench/main.ts")],
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
