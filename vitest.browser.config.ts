/**
 * Browser tests: each file starts the real `wrangler dev` (tests/e2e/support/wrangler.ts) and
 * drives Debian's Chromium (/usr/bin/chromium) with playwright-core, as a support lead would use
 * the console. In Node, one file at a time (a 2-core machine). `SCREENSHOTS=1` also writes the
 * docs/console-*.png screenshots.
 */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/browser/**/*.test.ts"],
    environment: "node",
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 150_000,
  },
});
