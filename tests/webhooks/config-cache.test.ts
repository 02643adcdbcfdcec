/**
 * The isolate's short-lived copy of provider configs (src/webhooks/config-cache.ts): how long a
 * config read from the registry is reused, and what is never kept.
 */
import { describe, expect, it } from "vitest";
import { cachedProviderConfig, CONFIG_TTL_MS, forgetProviderConfig, rememberProviderConfig } from "../../src/webhooks/config-cache";

const config = { secrets: ["s"], toleranceSeconds: 300, options: {} };

describe("provider config cache", () => {
  it("reuses a config for CONFIG_TTL_MS, then asks again", () => {
    rememberProviderConfig("st_a", "zendesk", config, 1_000);
    expect(cachedProviderConfig("st_a", "zendesk", 1_000 + CONFIG_TTL_MS - 1)).toEqual(config);
    expect(cachedProviderConfig("st_a", "zendesk", 1_000 + CONFIG_TTL_MS)).toBeNull();
  });

  it("keeps stores and providers apart, and forgets a config changed through this isolate", () => {
    rememberProviderConfig("st_b", "zendesk", config, 0);
    expect(cachedProviderConfig("st_c", "zendesk", 1)).toBeNull();
    expect(cachedProviderConfig("st_b", "freshdesk", 1)).toBeNull();
    forgetProviderConfig("st_b", "zendesk");
    expect(cachedProviderConfig("st_b", "zendesk", 1)).toBeNull();
  });
});
