#!/usr/bin/env node
/**
 * Builds the console (console/ → dist/console/), the static assets the Worker serves at `/`.
 * Runs from wrangler.toml's [build] command (so `wrangler dev`, `npm start` and `wrangler deploy`
 * all build it) and before vitest in `npm test`. esbuild bundles the TSX with Preact into one
 * hashed script; the HTML, stylesheet and `_headers` (CSP and friends) are copied beside it.
 * Prints the first page's gzipped JavaScript against the 80 KB budget and fails over it.
 * `--watch` rebuilds on change (wrangler dev also rebuilds when console/ changes).
 */
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const src = join(root, "console");
const out = join(root, "dist/console");
const BUDGET_GZIP_BYTES = 80 * 1024;

const result = await build({
  entryPoints: [join(src, "src/main.tsx")],
  bundle: true,
  format: "esm",
  target: "es2022",
  platform: "browser",
  minify: true,
  sourcemap: false,
  write: false,
  jsx: "automatic",
  jsxImportSource: "preact",
  legalComments: "none",
  logLevel: "warning",
  // The console imports only types from src/; a runtime import of server code would be bundled
  // (and zod with it), so it is refused here rather than noticed in the size.
  plugins: [
    {
      name: "no-server-code",
      setup(b) {
        b.onResolve({ filter: /\/src\// }, (args) => {
          if (args.importer.startsWith(src) && !join(args.resolveDir, args.path).startsWith(src)) {
            return { errors: [{ text: `${args.path}: the console may only import types from src/ (use import type)` }] };
          }
          return undefined;
        });
      },
    },
  ],
});

const js = result.outputFiles[0].contents;
const hash = createHash("sha256").update(js).digest("hex").slice(0, 10);
const script = `app.${hash}.js`;
const css = readFileSync(join(src, "public/styles.css"));
const cssName = `styles.${createHash("sha256").update(css).digest("hex").slice(0, 10)}.css`;

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
writeFileSync(join(out, script), js);
writeFileSync(join(out, cssName), css);
for (const f of readdirSync(join(src, "public"))) if (f !== "styles.css") copyFileSync(join(src, "public", f), join(out, f));
const html = readFileSync(join(src, "index.html"), "utf8").replace("%SCRIPT%", `/${script}`).replace("%STYLES%", `/${cssName}`);
writeFileSync(join(out, "index.html"), html);

const gz = gzipSync(js, { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`console: dist/console/${script} ${kb(js.length)} (${kb(gz)} gzipped, budget ${kb(BUDGET_GZIP_BYTES)}); ${cssName} ${kb(gzipSync(css).length)} gzipped`);
if (gz > BUDGET_GZIP_BYTES) {
  console.error(`console: the first page's JavaScript is over its 80 KB gzipped budget`);
  process.exit(1);
}
