/**
 * Unit and integration tests, run inside workerd (the real runtime) through
 * @cloudflare/vitest-pool-workers, with the bindings declared in wrangler.toml.
 * End-to-end tests that boot `wrangler dev` live in tests/e2e and have their own config.
 */
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { defineConfig } from "vitest/config";

// wrangler.toml serves the console from dist/console ([assets]), which must exist for the pool to
// start: `npm test` builds it first; a bare `npx vitest run` on a fresh clone builds it here.
if (!existsSync("dist/console/index.html")) execFileSync(process.execPath, ["scripts/build-console.mjs"], { stdio: "inherit" });

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        // Short delivery timeout and retry base so a hanging or failing receiver resolves in seconds.
        bindings: { OPERATOR_TOKEN: "test-operator-token", DELIVERY_TIMEOUT_MS: "1000", DELIVERY_RETRY_BASE_SECONDS: "1", ALLOW_LOOPBACK_DESTINATIONS: "true", SECRETS_KEY: "cHJvbXB0bHktdGVzdC1zZWNyZXRzLWtleS0zMmJ5dGU=" },
        compatibilityFlags: ["service_binding_extra_handlers"],
      },
    }),
  ],
  test: {
    include: ["tests/**/*.test.ts"],
    // A real HTTP receiver on 127.0.0.1 for outbound reminders (reachable from workerd); see tests/notify/support.
    globalSetup: ["tests/notify/support/receiver-server.ts"],
    // Every property test of a run uses one recorded seed (VITE_FUZZ_SEED overrides): see the file.
    setupFiles: ["tests/support/fast-check-seed.ts"],
    exclude: ["tests/e2e/**", "tests/browser/**", "node_modules/**"],
    testTimeout: 30_000,
    silent: "passed-only",
  },
});
