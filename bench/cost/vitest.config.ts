/**
 * Cost measurement only (`npm run bench`, never `npm test`): runs bench/cost/*.measure.ts inside
 * workerd with the project's wrangler.toml bindings, exactly like the unit tests, so the real
 * case and registry objects, KV, the queue and its consumer do the work being counted.
 */
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: fileURLToPath(new URL("../..", import.meta.url)),
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: { OPERATOR_TOKEN: "bench-operator-token", DELIVERY_TIMEOUT_MS: "5000", DELIVERY_RETRY_BASE_SECONDS: "1", ALLOW_LOOPBACK_DESTINATIONS: "true" },
        compatibilityFlags: ["service_binding_extra_handlers"],
      },
    }),
  ],
  test: {
    include: ["bench/cost/**/*.measure.ts"],
    globalSetup: ["bench/cost/collector.ts"],
    testTimeout: 180_000,
    hookTimeout: 60_000,
  },
});
