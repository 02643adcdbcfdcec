/**
 * Unit and integration tests, run inside workerd (the real runtime) through
 * @cloudflare/vitest-pool-workers, with the bindings declared in wrangler.toml.
 * End-to-end tests that boot `wrangler dev` live in tests/e2e and have their own config.
 */
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: { OPERATOR_TOKEN: "test-operator-token" },
        compatibilityFlags: ["service_binding_extra_handlers"],
      },
    }),
  ],
  test: {
    include: ["tests/**/*.test.ts"],
    exclude: ["tests/e2e/**", "node_modules/**"],
    testTimeout: 30_000,
    silent: "passed-only",
  },
});
