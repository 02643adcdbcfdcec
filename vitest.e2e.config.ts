/**
 * End-to-end tests: each file starts the real `wrangler dev` process on a free loopback port with a
 * temporary state directory and talks HTTP to it. These run in Node (they spawn processes and
 * start local receivers), one file at a time to stay within a 2-core machine.
 */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/e2e/**/*.test.ts"],
    environment: "node",
    fileParallelism: false,
    // Every property test of a run uses one recorded seed (VITE_FUZZ_SEED overrides): see the file.
    setupFiles: ["tests/support/fast-check-seed.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
