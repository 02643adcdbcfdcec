#!/usr/bin/env node
/** Bundles bench/dispute-words.ts with esbuild and runs it in Node (a real clock), like bench/run.mjs. */
import { build } from "esbuild";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "bench/out"); // git-ignored
mkdirSync(outdir, { recursive: true });
const outfile = join(outdir, "dispute-words.mjs");
await build({ entryPoints: [join(root, "bench/dispute-words.ts")], bundle: true, platform: "node", format: "esm", target: "node20", outfile, logLevel: "warning" });
await import(pathToFileURL(outfile).href);
